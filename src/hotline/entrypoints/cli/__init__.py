"""The ``hotline`` command line (Typer). Output contract: docs/cli.md and cli/output.py."""

from __future__ import annotations

from hotline.entrypoints.cli.main import app, main

__all__ = ["app", "main"]
