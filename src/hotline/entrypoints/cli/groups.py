"""How the ``hotline`` command is put together: one refusal boundary and commands loaded on use.

Two things every command shares live here rather than in each command module:

- ``HotlineGroup`` turns a ``DomainError`` from any command below it into a message on stderr and
  exit code 2 (docs/cli.md). It is the one place that catches it: command bodies let refusals
  rise. Every command group of the CLI is built with it (``command_group``), so the boundary holds
  also where a test mounts a group on a root of its own.
- ``LazyGroup`` is the root: it knows each command's name, module and one-line help from a table,
  and imports a command's module only when that command runs. ``hotline --help`` lists the table
  without importing any of them, so it starts without SQLAlchemy, FastAPI, numpy or openpyxl
  (docs/cli.md, "Start-up").
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import typer
from rich.markup import escape
from typer import _click  # Typer carries its own Click; its groups and commands derive from it
from typer.core import TyperCommand, TyperGroup

from hotline.domain.errors import DomainError
from hotline.entrypoints.cli.output import fail


class HotlineGroup(TyperGroup):
    """A command group whose commands' refusals end as a message and exit code 2."""

    def invoke(self, ctx: _click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DomainError as exc:
            fail(f"{escape(exc.detail)}（{exc.code}）")


def command_group(*, no_args_is_help: bool = True, **settings: Any) -> typer.Typer:
    """A Typer app for one command group of ``hotline``; its help comes from ``COMMANDS`` in
    cli/main.py, where the group is mounted."""
    return typer.Typer(cls=HotlineGroup, no_args_is_help=no_args_is_help, **settings)


@dataclass(frozen=True)
class LazyCommand:
    """A command of ``hotline``: where its code is, and the help line ``hotline --help`` shows.

    ``attribute`` names a ``typer.Typer`` (a command group) or a plain function (one command).
    """

    name: str
    module: str
    attribute: str
    help: str

    def load(self) -> _click.Command:
        """Import the module and build the command as Typer would have mounted it."""
        target = getattr(importlib.import_module(self.module), self.attribute)
        holder = typer.Typer(cls=HotlineGroup, add_completion=False)
        if isinstance(target, typer.Typer):
            holder.add_typer(target, name=self.name, help=self.help)
        else:
            holder.command(self.name, help=self.help)(target)
        return typer.main.get_group(holder).commands[self.name]

    def placeholder(self) -> _click.Command:
        """A stand-in with the name and help only, for listing without importing."""
        return TyperCommand(self.name, help=self.help)


class LazyGroup(HotlineGroup):
    """The root command: subcommands come from a table and are imported only when invoked."""

    lazy_commands: ClassVar[Mapping[str, LazyCommand]] = {}

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self._listing = False

    def list_commands(self, ctx: _click.Context) -> list[str]:
        return [*super().list_commands(ctx), *self.lazy_commands]

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        loaded = super().get_command(ctx, cmd_name)
        entry = self.lazy_commands.get(cmd_name)
        if loaded is not None or entry is None:
            return loaded
        if self._listing:
            return entry.placeholder()
        command = entry.load()
        self.add_command(command, cmd_name)
        return command

    def format_help(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def shell_complete(self, ctx: _click.Context, incomplete: str) -> list[Any]:
        self._listing = True  # completing a command's name needs names and help only
        try:
            return super().shell_complete(ctx, incomplete)
        finally:
            self._listing = False

    def resolve_command(
        self, ctx: _click.Context, args: list[str]
    ) -> tuple[str | None, _click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except _click.exceptions.UsageError as exc:
            # Typer suggests from the commands loaded so far; a typo should meet the whole table
            if args and "Did you mean" not in exc.message:
                close = _close_matches(args[0], self.list_commands(ctx))
                if close:
                    exc.message = f"{exc.message.rstrip('.')}. Did you mean {close}?"
            raise


def _close_matches(typo: str, names: list[str]) -> str:
    from difflib import get_close_matches

    return ", ".join(repr(name) for name in get_close_matches(typo, names))


def lazy_root(commands: tuple[LazyCommand, ...], **settings: Any) -> typer.Typer:
    """The root Typer app over a table of lazily imported commands."""
    group = type("HotlineRoot", (LazyGroup,), {"lazy_commands": {c.name: c for c in commands}})
    return typer.Typer(cls=group, **settings)
