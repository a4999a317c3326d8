"""The time-limit rules at their exact boundaries: a deadline met to the microsecond is met, a
warning line reached is a warning, an extension of exactly a level's limit is that level's."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hotline.domain.sla import (
    DEFAULT_LEVELS,
    SlaState,
    TimeLimitPolicy,
    approval_level,
    may_approve,
    sla_state,
    warning_line,
)
from tests.unit.domain.memory import CLOCK, NOW, local

DUE = NOW + timedelta(hours=4)
WARN = NOW + timedelta(hours=3)
TICK = timedelta(microseconds=1)


@pytest.mark.parametrize(
    ("now", "state"),
    [
        (WARN - TICK, SlaState.ON_TRACK),
        (WARN, SlaState.WARNING),  # the line reached is a warning
        (DUE, SlaState.WARNING),  # due now is not yet overdue
        (DUE + TICK, SlaState.OVERDUE),
    ],
)
def test_an_open_stage_by_the_moment(now: object, state: SlaState) -> None:
    assert sla_state(DUE, WARN, now) is state  # type: ignore[arg-type]


@pytest.mark.parametrize(("settled", "state"), [(DUE, SlaState.MET), (DUE + TICK, SlaState.MISSED)])
def test_a_settled_stage_is_met_up_to_its_deadline(settled: object, state: SlaState) -> None:
    assert sla_state(DUE, WARN, DUE + timedelta(days=9), settled) is state  # type: ignore[arg-type]


def test_no_deadline_no_state() -> None:
    assert sla_state(None, None, NOW) is None


def test_the_warning_line_is_three_quarters_of_the_working_time() -> None:
    # Tue 10:00 → 17:30 is 360 working minutes (lunch 12:00–13:30); 270 in: 120 before lunch,
    # 150 after 13:30.
    assert warning_line(CLOCK, NOW, local("2026-11-24 17:30"), 0.75) == local("2026-11-24 16:00")
    # No working time at all (a weekend): natural time.
    saturday, sunday = local("2026-11-28 09:00"), local("2026-11-29 09:00")
    assert warning_line(CLOCK, saturday, sunday, 0.75) == local("2026-11-29 03:00")


@pytest.mark.parametrize(
    ("minutes", "level"),
    [
        (3 * 420, "duty_chief"),  # exactly 3 working days: 值班长
        (3 * 420 + 1, "section_head"),
        (10 * 420, "section_head"),
        (10 * 420 + 1, "centre_leader"),
    ],
)
def test_the_approval_level_by_the_working_days_added(minutes: int, level: str) -> None:
    due = local("2026-12-01 10:00")
    moved = CLOCK.add_working_minutes(due, minutes)
    assert approval_level(CLOCK, TimeLimitPolicy(), due, moved, NOW).name == level


def test_only_city_level_leaders_approve_the_longest_extensions() -> None:
    duty_chief, _, centre_leader = DEFAULT_LEVELS
    assert may_approve(duty_chief, "dispatcher", None)
    assert may_approve(centre_leader, "leader", None)
    assert not may_approve(centre_leader, "leader", "370102")
    assert not may_approve(centre_leader, "dispatcher", None)
