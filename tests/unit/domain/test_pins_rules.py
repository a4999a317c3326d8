"""Exact values for the core rules that mutation testing found unguarded (docs/testing.md): each
test names the wrong rule it rejects. Times are Shanghai's working calendar of ``memory``
(09:00–12:00, 13:30–17:30, Monday to Friday)."""

from __future__ import annotations

import time as process_time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest

from hotline.domain.calendar import DayKindSource, WorkingCalendar, WorkingHours
from hotline.domain.deadlines import end_of_working_day, promise_due
from hotline.domain.history import (
    GENESIS,
    ChainReport,
    HistoryEvent,
    event_hash,
    seal,
    verify_chain,
)
from hotline.domain.ledger import CaseState, TrailEvent, confirmed_at, write_off_at
from hotline.domain.supervision import NO_HEAD_WARNING, SupervisionLevel, head_warning
from tests.unit.domain.memory import CLOCK, NOW, SHANGHAI, local


@pytest.fixture
def process_in_new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The server's own zone set to one far from Shanghai and UTC: a rule that converts with
    ``astimezone()`` (the process's zone) instead of a named zone gives another answer."""
    monkeypatch.setenv("TZ", "America/New_York")
    process_time.tzset()
    yield
    monkeypatch.undo()
    process_time.tzset()


# ── history ──────────────────────────────────────────────────────────────────────────────────


def _chain(length: int = 3) -> list[HistoryEvent]:
    events, prev = [], GENESIS
    for seq in range(1, length + 1):
        event = seal(
            HistoryEvent("20261124-000001", seq, "register", "op", NOW + timedelta(minutes=seq),
                         None, "registered", details={"说明": f"第{seq}步"}),
            prev,
        )  # fmt: skip
        events.append(event)
        prev = event.hash
    return events


def test_an_intact_chain_reports_every_event_checked() -> None:
    assert verify_chain(_chain()) == ChainReport(True, 3)


def test_a_missing_event_is_named_with_the_number_expected() -> None:
    first, _, third = _chain()
    assert verify_chain([first, third]) == ChainReport(False, 1, "事件序号缺失：期望 2，实为 3", 3)


def test_a_broken_link_is_told_from_an_edited_event() -> None:
    first, second, third = _chain()
    relinked = replace(second, prev_hash=third.hash)
    assert verify_chain([first, relinked, third]) == ChainReport(
        False, 1, "第 2 条事件的前序哈希不符", 2
    )
    edited = replace(second, reason="改过")
    assert verify_chain([first, edited, third]) == ChainReport(False, 1, "第 2 条事件内容被改动", 2)


def test_a_naive_time_cannot_be_hashed() -> None:
    naive = replace(_chain(1)[0], at=datetime(2026, 11, 24, 10, 0))
    with pytest.raises(ValueError, match=r"^history times must be aware$"):
        event_hash(naive, GENESIS)


@pytest.mark.usefixtures("process_in_new_york")
def test_the_hash_reads_times_in_utc_whatever_the_servers_zone() -> None:
    sealed = _chain(1)[0]
    in_shanghai = replace(sealed, at=sealed.at.astimezone(SHANGHAI))
    assert event_hash(in_shanghai, GENESIS) == sealed.hash
    assert sealed.hash == "c45bddba53edae2b540dacbbc9057a0dfbeb66be369153f45b478b423e5a4cb6"


# ── the working calendar ────────────────────────────────────────────────────────────────────


def test_refusals_name_the_argument_at_fault() -> None:
    with pytest.raises(TypeError, match=r"^hours must be an int, got float$"):
        CLOCK.add_working_hours(NOW, 1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^hours must be an int, got str$"):
        CLOCK.add_natural_hours(NOW, "2")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^start must be an aware datetime"):
        CLOCK.add_natural_hours(datetime(2026, 11, 24, 10, 0), 2)
    with pytest.raises(ValueError, match=r"^moment must be an aware datetime"):
        CLOCK.is_working_time(datetime(2026, 11, 24, 10, 0))


def test_natural_hours_come_back_in_the_zone_given() -> None:
    start = NOW.astimezone(SHANGHAI)
    later = CLOCK.add_natural_hours(start, 30)
    assert later == start + timedelta(hours=30) and later.tzinfo is SHANGHAI


def test_the_next_working_instant() -> None:
    assert CLOCK.next_working_instant(NOW) == NOW  # inside working hours: itself
    assert CLOCK.next_working_instant(local("2026-11-24 12:30")) == local("2026-11-24 13:30")
    assert CLOCK.next_working_instant(local("2026-11-27 18:00")) == local("2026-11-30 09:00")


def test_working_periods_are_in_the_calendars_zone() -> None:
    periods = CLOCK.working_periods(date(2026, 11, 24))
    assert [(a.time(), b.time()) for a, b in periods] == [
        (time(9, 0), time(12, 0)),
        (time(13, 30), time(17, 30)),
    ]
    assert all(moment.tzinfo is SHANGHAI for pair in periods for moment in pair)


def test_working_hours_are_checked_and_kept_as_a_tuple() -> None:
    hours = WorkingHours([(time(8, 0), time(12, 0)), (time(12, 0), time(16, 0))])  # type: ignore[arg-type]
    assert hours.periods == ((time(8, 0), time(12, 0)), (time(12, 0), time(16, 0)))
    assert hash(hours) == hash(WorkingHours(hours.periods))  # touching periods are allowed
    with pytest.raises(ValueError, match=r"^working hours need at least one period$"):
        WorkingHours(())
    with pytest.raises(ValueError, match=r"^working hours are naive local times on whole minutes$"):
        WorkingHours(((time(9, 0, 30), time(12, 0)),))
    with pytest.raises(
        ValueError, match=r"^working periods must be ordered and disjoint: 09:00:00"
    ):
        WorkingHours(((time(9, 0), time(9, 0)),))
    with pytest.raises(ValueError, match=r"disjoint: 11:00:00–13:00:00$"):
        WorkingHours(((time(9, 0), time(12, 0)), (time(11, 0), time(13, 0))))


# ── deadlines ───────────────────────────────────────────────────────────────────────────────


def test_a_promise_is_due_at_the_end_of_the_promised_local_day_in_utc() -> None:
    due = promise_due(SHANGHAI, date(2026, 11, 30))
    assert due == datetime(2026, 11, 30, 15, 59, 59, tzinfo=UTC) and due.tzinfo is UTC


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-11-24 10:00", "2026-11-24 17:30"),
        ("2026-11-24 17:29:30", "2026-11-24 17:30"),  # half a minute left is still today
        ("2026-11-24 18:00", "2026-11-25 17:30"),  # after hours: the next working day
        ("2026-11-27 18:00", "2026-11-30 17:30"),  # Friday evening: Monday
    ],
)
@pytest.mark.usefixtures("process_in_new_york")
def test_the_end_of_the_working_day(start: str, end: str) -> None:
    found = end_of_working_day(CLOCK, SHANGHAI, local(start))
    assert found == local(end) and found.tzinfo is UTC


def test_the_end_of_the_working_day_is_the_last_periods_end() -> None:
    three = WorkingHours(((time(8, 0), time(10, 0)), (time(11, 0), time(12, 0)),
                          (time(14, 0), time(17, 0))))  # fmt: skip
    clock = WorkingCalendar(SHANGHAI, DayKindSource(known_years=frozenset({2026})), three)
    assert end_of_working_day(clock, SHANGHAI, local("2026-11-24 08:30")) == local(
        "2026-11-24 17:00"
    )


# ── the problem ledger ──────────────────────────────────────────────────────────────────────


def test_a_confirmation_at_the_moment_of_the_last_complaint_allows_the_write_off() -> None:
    cases = [CaseState("closed", NOW, NOW), CaseState("closed", NOW - timedelta(days=2), NOW)]
    assert write_off_at(cases) == NOW
    late = [*cases, CaseState("closed", NOW + timedelta(seconds=1), NOW)]
    assert write_off_at(late) is None  # a complaint after the confirmation: not yet


def test_only_a_callback_that_closes_the_case_confirms_it() -> None:
    satisfied = {"result_satisfaction": "satisfied"}
    closing = TrailEvent("record_callback", "closed", NOW, satisfied)
    assert confirmed_at([closing]) == NOW
    assert confirmed_at([TrailEvent("record_callback", "callback_pending", NOW, satisfied)]) is None
    assert confirmed_at([TrailEvent("close", "closed", NOW, satisfied)]) is None


# ── supervision ─────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("level", "head", "warning"),
    [
        (SupervisionLevel.HEAD, None, NO_HEAD_WARNING),
        (SupervisionLevel.HEAD, "", NO_HEAD_WARNING),
        (SupervisionLevel.HEAD, "李建华", None),
        (SupervisionLevel.PRIORITY, None, None),
        (SupervisionLevel.URGE, "李建华", None),
    ],
)
def test_only_a_head_supervision_without_a_named_head_warns(
    level: SupervisionLevel, head: str | None, warning: str | None
) -> None:
    assert head_warning(level, head) == warning
