"""``hotline supervisions open|list``: a supervision names whom it reaches, and a 一把手督办 of a
unit without a named head is warned about on stderr (issue 18 item 7). In-process on the test
database and clock."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner, Result

from hotline.domain.lifecycle import Action
from hotline.domain.roles import Actor
from hotline.entrypoints.cli import supervisions as cli
from hotline.services.accounts.users import NewUser, create_user
from hotline.services.context import Hotline
from hotline.services.ledger.supervision import NO_HEAD_WARNING
from tests.conftest import FakeClock
from tests.integration.helpers import act, new_case
from tests.integration.reference.test_unit_contacts import without_head

root = typer.Typer()
root.add_typer(cli.supervisions_app, name="supervisions")


@root.callback()
def _root() -> None:
    """Stands in for the ``hotline`` command."""


@pytest.fixture(autouse=True)
def _same_hotline(hotline: Hotline, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "build_hotline", lambda: hotline)
    create_user(hotline, NewUser("sup", "supervisor"), clock())


def run(*args: str) -> Result:
    return CliRunner().invoke(root, ["supervisions", *args])


def _dispatched(hotline: Hotline, actors: dict[str, Actor], unit: str) -> str:
    number = new_case(hotline, actors["operator"])
    act(hotline, number, Action.REGISTER, actors["operator"], category_code="E0301")
    act(hotline, number, Action.DISPATCH, actors["dispatcher"], unit=unit)
    return number


def test_open_names_the_head_and_warns_without_one(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    named = run("open", "--case", _dispatched(hotline, actors, "LX-CGJ"), "--level", "head",
                "--reason", "群众反映强烈", "--by", "sup")  # fmt: skip
    assert named.exit_code == 0, named.output
    assert "一把手督办" in named.stderr and "局长李建华" in named.stderr
    assert "警告" not in named.stderr
    number = _dispatched(hotline, actors, "LX-JFL")
    with without_head(hotline, "LX-JFL"):
        unnamed = run("open", "--case", number, "--level", "head", "--reason", "群众反映强烈",
                      "--by", "sup", "--json")  # fmt: skip
        assert unnamed.exit_code == 0, unnamed.output
        assert json.loads(unnamed.stdout)["warning"] == NO_HEAD_WARNING
        assert f"警告：督办单 #{json.loads(unnamed.stdout)['id']} {NO_HEAD_WARNING}" in (
            unnamed.stderr
        )
        listed = run("list", "--by", "sup", "--level", "head")
        assert listed.exit_code == 0 and listed.stdout.strip() == "2"
        assert listed.stderr.count("警告") == 1  # only the unit without a head
    refused = run("open", "--case", number, "--level", "head", "--reason", "x", "--by", "ghost")
    assert refused.exit_code == 2 and "ghost" in refused.stderr
