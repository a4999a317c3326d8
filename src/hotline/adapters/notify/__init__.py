"""Notifications to people outside the system: SMTP mail and an SMS gateway, plus an in-memory
notifier for tests (the outside world is the only thing we fake)."""
