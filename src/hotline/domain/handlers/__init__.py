"""Pure action handlers: one per lifecycle action, over typed commands, returning change sets."""
