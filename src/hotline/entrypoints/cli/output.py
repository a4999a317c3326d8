"""The CLI output contract (docs/cli.md).

With ``--json`` stdout holds exactly one UTF-8 JSON document with Chinese written as characters;
a command that returns one value prints it as the last line of stdout; progress, logs and
warnings go to stderr; bad input gets a message on stderr and a non-zero exit.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

stderr = Console(stderr=True, soft_wrap=True)

# ``--json`` on every command that has it: one option, one help text
JsonOpt = Annotated[bool, typer.Option("--json", help="输出一个 JSON 文档")]


def _default(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def emit_json(document: Any) -> None:
    """Write one JSON document to stdout (UTF-8, no ``\\u`` escapes)."""
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2, default=_default))
    sys.stdout.write("\n")
    sys.stdout.flush()


def emit_value(value: object) -> None:
    """Print a command's single result value as the last line of stdout."""
    sys.stdout.write(f"{value}\n")
    sys.stdout.flush()


def log(message: str) -> None:
    """Progress and information for people: stderr, never stdout."""
    stderr.print(message, highlight=False)


def fail(message: str, exit_code: int = 2) -> NoReturn:
    """Refuse bad input: a message on stderr and a non-zero exit."""
    stderr.print(f"[bold red]错误:[/] {message}", highlight=False)
    raise typer.Exit(code=exit_code)
