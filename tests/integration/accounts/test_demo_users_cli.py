"""`hotline seed --demo-users` (what `make run` uses): an account for every desk, made once, and
none in production."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from hotline.adapters.db.models import Unit, User
from hotline.config import Settings
from hotline.domain.roles import Role
from hotline.services.accounts.demo_users import DEMO_PASSWORD, DEMO_USERS
from hotline.services.accounts.users import login
from hotline.services.context import Hotline
from tests.integration.test_cli import _run


def test_demo_users_are_made_once_and_can_log_in(settings: Settings, hotline: Hotline) -> None:
    first = _run(settings, "seed", "--demo-users", "--json")
    assert first.returncode == 0, first.stderr
    names = [person.name for person in DEMO_USERS]
    assert json.loads(first.stdout)["demo_users"] == names
    assert DEMO_PASSWORD not in first.stdout + first.stderr  # `hotline run` shows it, in demo mode
    actor = login(hotline, "lx-disp", DEMO_PASSWORD, hotline.now())
    assert (actor.role, actor.district_code) == (Role.DISPATCHER, "370102")
    leader = login(hotline, "lx-lead", DEMO_PASSWORD, hotline.now())
    assert (leader.role, leader.district_code) == (Role.LEADER, "370102")

    again = _run(settings, "seed", "--demo-users", "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["demo_users"] == []


def test_every_desk_and_every_bureau_has_a_demo_account(
    settings: Settings, hotline: Hotline
) -> None:
    assert _run(settings, "seed", "--demo-users").returncode == 0
    people = {role.value for role in Role} - {Role.PARTNER.value}  # partners are programs
    assert {person.role for person in DEMO_USERS} == people
    with hotline.db.transaction() as session:
        bureaus = set(session.scalars(
            select(Unit.id).where(Unit.kind.in_(("district_bureau", "zone_bureau")))
        ))  # fmt: skip
        handled = set(session.scalars(select(User.unit_id).where(User.role == "handler")))
        street_handlers = session.scalar(
            select(func.count()).select_from(User).join(Unit, Unit.id == User.unit_id)
            .where(Unit.kind == "street_office")
        )  # fmt: skip
    assert len(bureaus) == 15 and bureaus <= handled
    assert street_handlers == 1


def test_production_refuses_demo_accounts(
    settings: Settings, hotline: Hotline, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOTLINE_ENV", "production")
    result = _run(settings, "seed", "--demo-users", "--json")
    assert result.returncode == 2
    assert "HOTLINE_ENV=production" in result.stderr and result.stdout == ""
    with hotline.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0


def test_plain_seed_makes_no_accounts(settings: Settings) -> None:
    result = _run(settings, "seed", "--json")
    assert result.returncode == 0, result.stderr
    assert "demo_users" not in json.loads(result.stdout)
