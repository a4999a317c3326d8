"""The ``hotline`` command's shape: a table of lazily imported commands, light start-up, and one
boundary that turns a refusal into a message and exit code 2 (docs/cli.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from hotline.domain.errors import InvalidInput
from hotline.entrypoints.cli.groups import HotlineGroup, command_group
from hotline.entrypoints.cli.main import COMMANDS, app

CLI_DIR = Path(__file__).resolve().parents[2] / "src" / "hotline" / "entrypoints" / "cli"

# What a command that does not need it must not pay for at start-up.
HEAVY = ("sqlalchemy", "fastapi", "starlette", "sklearn", "numpy", "scipy", "openpyxl", "jieba",
         "pydantic_settings", "alembic", "shapely", "argon2", "jinja2", "uvicorn")  # fmt: skip

# A group whose options' help lists a service's constant (editions: the report kinds): its --help
# imports that service.
HELP_READS_A_SERVICE = {"editions"}

IMPORTED = """
import sys
from hotline.entrypoints.cli.main import app
try:
    app(sys.argv[1:], prog_name="hotline")
except SystemExit as exc:
    code = exc.code
print(__import__("json").dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[list[str], set[str]]:
    """``hotline ARGS`` in a fresh process: its output lines and the top-level packages it
    imported."""
    done = subprocess.run(
        [sys.executable, "-c", IMPORTED, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )
    *output, last = done.stdout.strip().splitlines()
    document = json.loads(last)
    assert document["code"] == 0, done.stderr
    return output, {name.split(".")[0] for name in document["modules"]}


def _imported_by(*args: str) -> set[str]:
    return _run(*args)[1]


def test_help_imports_no_database_web_or_numeric_library() -> None:
    assert _imported_by("--help") & set(HEAVY) == set()


@pytest.mark.parametrize(
    "name", sorted(entry.name for entry in COMMANDS if entry.name not in HELP_READS_A_SERVICE)
)
def test_a_commands_help_imports_only_what_its_module_needs(name: str) -> None:
    assert _imported_by(name, "--help") & set(HEAVY) == set()


def test_completing_a_command_name_imports_no_command() -> None:
    bash = {"_HOTLINE_COMPLETE": "complete_bash", "COMP_WORDS": "hotline re", "COMP_CWORD": "1"}
    output, imported = _run(env=bash)
    assert output == ["retention", "repeats", "report"]
    assert imported & set(HEAVY) == set()


def test_the_help_lists_every_command_of_the_table_in_order() -> None:
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    positions = [result.stdout.find(f" {entry.name} ") for entry in COMMANDS]
    assert -1 not in positions and positions == sorted(positions)
    assert all(entry.help in result.stdout for entry in COMMANDS)


@pytest.mark.parametrize("entry", COMMANDS, ids=lambda entry: entry.name)
def test_every_command_of_the_table_loads(entry: object) -> None:
    """A wrong module or attribute in the table would fail only when someone runs the command."""
    from hotline.entrypoints.cli.groups import LazyCommand

    assert isinstance(entry, LazyCommand)
    command = entry.load()
    assert command.name == entry.name and command.help == entry.help
    if isinstance(command, typer.core.TyperGroup):
        assert isinstance(command, HotlineGroup), "build command groups with command_group()"


def test_a_typo_is_answered_from_the_whole_table() -> None:
    result = CliRunner().invoke(app, ["reprot"])
    assert result.exit_code == 2 and "report" in result.output


def test_python_dash_m_hotline_is_the_same_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "hotline", "--help"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0 and "calendar" in done.stdout


# --- the one refusal boundary ---------------------------------------------------------------

refusing = command_group()


@refusing.command("refuse")
def _refuse() -> None:
    raise InvalidInput("月份须为 YYYY-MM：2026-13", fields=("month",))


@refusing.command("fine")
def _fine() -> None:
    print("done")


def test_a_refusal_becomes_a_message_on_stderr_and_exit_code_2() -> None:
    root = typer.Typer()  # any root: the boundary belongs to the command group
    root.add_typer(refusing, name="things")
    result = CliRunner().invoke(root, ["things", "refuse"])
    assert result.exit_code == 2 and result.stdout == ""
    assert "月份须为 YYYY-MM：2026-13（invalid_input）" in result.stderr
    assert CliRunner().invoke(root, ["things", "fine"]).stdout == "done\n"


def test_a_service_refusal_through_the_real_root() -> None:
    result = CliRunner().invoke(app, ["route", "--category", "NOPE", "--district", "历下区"])
    assert result.exit_code == 2 and result.stdout == ""
    assert "NOPE" in result.stderr and "invalid_input" in result.stderr


def _sources() -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in CLI_DIR.glob("*.py")}


def test_only_the_boundary_catches_domain_errors() -> None:
    catching = [name for name, text in _sources().items() if "except DomainError" in text]
    assert catching == ["groups.py"]


def test_json_option_is_declared_once() -> None:
    declaring = [name for name, text in _sources().items() if 'Option("--json"' in text]
    assert declaring == ["output.py"]
