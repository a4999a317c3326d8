"""`hotline seed --demo-users` (what `make run` uses): one account per desk, made once."""

from __future__ import annotations

import json

from hotline.config import Settings
from hotline.domain.roles import Role
from hotline.entrypoints.cli.db import DEMO_PASSWORD, DEMO_USERS
from hotline.services.accounts.users import login
from hotline.services.context import Hotline
from tests.integration.test_cli import _run


def test_demo_users_are_made_once_and_can_log_in(settings: Settings, hotline: Hotline) -> None:
    first = _run(settings, "seed", "--demo-users", "--json")
    assert first.returncode == 0, first.stderr
    names = [person.name for person in DEMO_USERS]
    assert json.loads(first.stdout)["demo_users"] == names
    assert DEMO_PASSWORD in first.stderr and DEMO_PASSWORD not in first.stdout
    people = {role.value for role in Role} - {Role.PARTNER.value}  # partners are programs
    assert {person.role for person in DEMO_USERS} == people
    actor = login(hotline, "lx-disp", DEMO_PASSWORD, hotline.now())
    assert (actor.role, actor.district_code) == (Role.DISPATCHER, "370102")

    again = _run(settings, "seed", "--demo-users", "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["demo_users"] == []


def test_plain_seed_makes_no_accounts(settings: Settings) -> None:
    result = _run(settings, "seed", "--json")
    assert result.returncode == 0, result.stderr
    assert "demo_users" not in json.loads(result.stdout)
    assert DEMO_PASSWORD not in result.stderr
