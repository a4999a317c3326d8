"""The stored history: append-only in the database, and the chain shows tampering."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from hotline.adapters.db.models import Case
from hotline.domain.lifecycle import Action
from hotline.domain.roles import Actor
from hotline.services.cases.history import verify_case_history
from hotline.services.context import Hotline
from tests.integration.helpers import act, new_case


def _walked_case(hotline: Hotline, actors: dict[str, Actor]) -> str:
    number = new_case(hotline, actors["operator"])
    act(hotline, number, Action.REGISTER, actors["operator"])
    act(hotline, number, Action.DISPATCH, actors["dispatcher"], unit="LX-CGJ")
    act(hotline, number, Action.ACCEPT, actors["handler"])
    return number


def _verify(hotline: Hotline, number: str) -> tuple[bool, int | None]:
    with hotline.db.transaction() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        report = verify_case_history(session, case)
    return report.ok, report.bad_seq


def _drop_guard(hotline: Hotline) -> None:
    """Only an attacker with DDL rights gets past the triggers; simulate that attacker."""
    with hotline.db.engine.begin() as conn:
        if hotline.db.dialect == "postgresql":
            conn.execute(text("ALTER TABLE case_events DISABLE TRIGGER case_events_no_change"))
        else:
            conn.execute(text("DROP TRIGGER case_events_no_update"))
            conn.execute(text("DROP TRIGGER case_events_no_delete"))


def _restore_guard(hotline: Hotline) -> None:
    if hotline.db.dialect == "postgresql":
        with hotline.db.engine.begin() as conn:
            conn.execute(text("ALTER TABLE case_events ENABLE TRIGGER case_events_no_change"))


def test_chain_verifies(hotline: Hotline, actors: dict[str, Actor]) -> None:
    assert _verify(hotline, _walked_case(hotline, actors)) == (True, None)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE case_events SET actor = 'mallory' WHERE seq = 2",
        "DELETE FROM case_events WHERE seq = 2",
    ],
)
def test_the_database_refuses_to_change_history(
    hotline: Hotline, actors: dict[str, Actor], statement: str
) -> None:
    _walked_case(hotline, actors)
    with pytest.raises(DBAPIError, match="append-only"), hotline.db.engine.begin() as conn:
        conn.execute(text(statement))


def test_an_edited_event_is_detected(hotline: Hotline, actors: dict[str, Actor]) -> None:
    number = _walked_case(hotline, actors)
    _drop_guard(hotline)
    try:
        with hotline.db.engine.begin() as conn:
            conn.execute(text("UPDATE case_events SET actor = 'mallory' WHERE seq = 3"))
        assert _verify(hotline, number) == (False, 3)
    finally:
        _restore_guard(hotline)


def test_a_deleted_event_is_detected(hotline: Hotline, actors: dict[str, Actor]) -> None:
    number = _walked_case(hotline, actors)
    _drop_guard(hotline)
    try:
        with hotline.db.engine.begin() as conn:
            conn.execute(text("DELETE FROM case_events WHERE seq = 2"))
        assert _verify(hotline, number) == (False, 3)
    finally:
        _restore_guard(hotline)
