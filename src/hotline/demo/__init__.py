"""The demo: a living Jinan built through the pure handlers (engine) from drawn content."""
