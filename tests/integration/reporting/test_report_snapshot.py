"""A notice is read from one snapshot (docs/decisions/0034): a case committed by another
connection while the notice is being built shows in none of its sections.

The seam is the engine's ``after_cursor_execute`` event: right after the monthly report has read
the month's intake by district (the districts table), the hook files a new case through the
services on another pooled connection and commits it, before the report reads the daily trend,
the problems and the rest. Read in one transaction at READ COMMITTED (PostgreSQL's default),
the trend would count the new case and the districts table would not; read in separate
transactions, the evaluation, the indicators and the sections would each see another state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError

from hotline.domain.lifecycle import Action
from hotline.domain.roles import Actor
from hotline.reports.notices import Notice
from hotline.services.context import Hotline
from hotline.services.reporting.production import build_notice
from tests.conftest import FakeClock
from tests.integration.reporting.test_indicators import Story

# the districts table's intake query: received cases grouped by district and channel
INTAKE_QUERY = "GROUP BY cases.district_code, cases.channel_code"


@pytest.fixture
def story(hotline: Hotline, actors: dict[str, Actor], clock: FakeClock) -> Story:
    s = Story(hotline, actors, clock)
    s.at("2026-11-20")
    first = s.dispatched()
    s.do(first, Action.ACCEPT, "handler")
    s.at("2026-11-23")
    s.dispatched()
    s.case(district_code="370103", channel="wechat")
    s.at("2026-11-25", "18:00")
    return s


@contextmanager
def after_query(hotline: Hotline, marker: str, work: Callable[[], None]) -> Iterator[list[str]]:
    """Run ``work`` once, right after the first statement containing ``marker`` has run; the
    list yielded holds that statement once it has."""
    seen: list[str] = []

    def hook(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if seen or marker not in statement:
            return
        seen.append(statement)  # first: the work's own statements pass through here too
        work()

    event.listen(hotline.db.engine, "after_cursor_execute", hook)
    try:
        yield seen
    finally:
        event.remove(hotline.db.engine, "after_cursor_execute", hook)


def intake(notice: Notice) -> tuple[int, int]:
    """The month's intake as the districts table counts it (合计) and as the trend does."""
    total = notice.table("districts").rows[-1]["intake"]
    trend = sum(int(row["intake"] or 0) for row in notice.table("trend").rows)
    assert isinstance(total, int)
    return total, trend


def test_a_case_committed_while_a_monthly_report_is_built_shows_in_none_of_its_sections(
    story: Story,
) -> None:
    hotline, now = story.hotline, story.clock()
    before = build_notice(hotline, "monthly", "2026-11", now)
    assert intake(before) == (3, 3)
    filed: list[str] = []

    with after_query(hotline, INTAKE_QUERY, lambda: filed.append(story.case())) as seen:
        during = build_notice(hotline, "monthly", "2026-11", now)

    assert seen and filed, "the hook must have filed a case in the middle of the report"
    assert intake(during) == (3, 3)  # the districts table and the trend agree …
    assert during == before  # … and so does every other table, figure and the ranking
    after = build_notice(hotline, "monthly", "2026-11", now)
    assert intake(after) == (4, 4)  # the case was committed: the next report counts it


def test_on_postgresql_the_snapshot_is_repeatable_read_and_read_only(hotline: Hotline) -> None:
    if hotline.db.dialect != "postgresql":
        pytest.skip("isolation levels are PostgreSQL's; SQLite's snapshot is a deferred BEGIN")
    with hotline.db.snapshot() as session:
        level = session.execute(text("SHOW transaction_isolation")).scalar_one()
        read_only = session.execute(text("SHOW transaction_read_only")).scalar_one()
    assert (level, read_only) == ("repeatable read", "on")
    with pytest.raises(DBAPIError, match="read-only"), hotline.db.snapshot() as session:
        session.execute(text("UPDATE regions SET name = name"))
    with hotline.db.transaction() as session:  # the pooled connection is back to normal
        level = session.execute(text("SHOW transaction_isolation")).scalar_one()
    assert level == "read committed"
