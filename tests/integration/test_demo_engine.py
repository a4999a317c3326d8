"""``build_demo``: the same seed and days give the same rows; a catch-up continues the city; every
chain verifies and every case stands where the lifecycle allows (the engine lives each case
through the application's handlers and the bulk sink, docs/decisions/0031-two-write-sinks.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hotline.adapters.db.database import Database
from hotline.adapters.db.models import Base, Case
from hotline.bootstrap import build_calendar
from hotline.config import Settings
from hotline.demo import build_demo
from hotline.domain.errors import InvalidInput
from hotline.services.cases.history import verify_case_history
from hotline.services.context import Hotline
from tests.conftest import PG_URL, _fresh_url

NOW = datetime(2026, 12, 8, 8, 0, tzinfo=UTC)  # 16:00 in Jinan
END = date(2026, 12, 6)
TABLES = ("cases", "case_events", "case_assignments", "supervisions", "problems")

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="one database at a time on PostgreSQL")


def _hotline(template_url: str, folder: Path) -> Hotline:
    folder.mkdir()
    settings = Settings(database_url=_fresh_url(template_url, folder), var_dir=folder)
    db = Database(settings.resolved_database_url)
    return Hotline(settings=settings, db=db, clock=build_calendar(settings, db), now=lambda: NOW)


def _rows(hotline: Hotline) -> dict[str, list[dict[str, Any]]]:
    with hotline.db.transaction() as session:
        return {
            name: [
                dict(row._mapping)
                for row in session.execute(
                    select(Base.metadata.tables[name]).order_by(*Base.metadata.tables[name].c)
                )
            ]
            for name in TABLES
        }


@pytest.mark.timeout(480)  # two builds on a busy 2-core machine
def test_the_same_seed_and_end_give_the_same_rows(template_url: str, tmp_path: Path) -> None:
    found = []
    for name in ("first", "second"):
        hotline = _hotline(template_url, tmp_path / name)
        try:
            summary = build_demo(hotline, end=END, months=1, per_day=4.0, seed=3)
            found.append(_rows(hotline))
        finally:
            hotline.db.dispose()
        assert summary.cases == len(found[-1]["cases"]) > 60
        assert summary.caught_up_from is None
    assert found[0] == found[1]


@pytest.mark.timeout(480)
def test_a_catch_up_continues_and_every_chain_verifies(template_url: str, tmp_path: Path) -> None:
    hotline = _hotline(template_url, tmp_path / "demo")
    try:
        first = build_demo(hotline, end=date(2026, 12, 1), months=1, per_day=4.0, seed=5)
        again = build_demo(hotline, end=END, months=1, per_day=4.0, seed=5)
        assert again.caught_up_from == date(2026, 12, 2) == again.first_day
        assert again.cases > 0 and first.last_day == date(2026, 12, 1)
        nothing = build_demo(hotline, end=END, months=1, per_day=4.0, seed=5)
        assert nothing.cases == 0
        with hotline.db.transaction() as session:
            cases = session.scalars(select(Case).order_by(Case.id)).all()
            assert len(cases) == first.cases + again.cases
            assert len({case.number for case in cases}) == len(cases)
            for case in cases:
                assert verify_case_history(session, case).ok, case.number
            registered = [
                c for c in cases if c.status not in ("received", "void", "answered_directly")
            ]
            assert registered and all(c.problem_id is not None for c in registered)
    finally:
        hotline.db.dispose()


def test_bad_arguments_are_refused_by_name(hotline: Hotline) -> None:
    with pytest.raises(InvalidInput) as months:
        build_demo(hotline, end=date(2026, 11, 20), months=0)
    assert months.value.fields == ("months",)
    with pytest.raises(InvalidInput) as rate:
        build_demo(hotline, end=date(2026, 11, 20), per_day=0)
    assert rate.value.fields == ("per_day",)
    with pytest.raises(InvalidInput) as later:
        build_demo(hotline, end=date(2027, 1, 1))
    assert later.value.fields == ("end",)
