"""Stage deadlines (docs/lifecycle.md, time limits): category × urgency limits on the working
clock, channel overrides (media: same day; deputies: their own), promises, verification and
callback stages, and the warning lines the sweep watches. Pure: the clock is passed in, and the
changes to a case come back as column values for a change set.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Protocol

from hotline.domain.changes import CaseField, Value
from hotline.domain.sla import TimeLimitPolicy, WorkingClock, warning_line
from hotline.domain.vocabulary import AssignmentStatus

EMERGENCY_ACCEPT = timedelta(minutes=30)
EMERGENCY_REPLY = timedelta(hours=2)


class CalendarClock(WorkingClock, Protocol):
    """The working clock with the day's working periods (for 当日办结)."""

    def working_periods(self, day: date) -> tuple[tuple[datetime, datetime], ...]: ...


@dataclass(frozen=True, slots=True)
class StageLimits:
    """A category's limits for one urgency, on the working clock."""

    accept_working_hours: float = 2
    reply_working_days: float = 5


@dataclass(frozen=True, slots=True)
class StageDeadlines:
    accept_due_at: datetime
    reply_due_at: datetime


class DispatchRecord(Protocol):
    """What the reply stage's start is read from: the assignments of a case."""

    @property
    def role(self) -> str: ...
    @property
    def parent_id(self) -> int | None: ...
    @property
    def status(self) -> str: ...
    @property
    def dispatched_at(self) -> datetime: ...


def add_working_hours(clock: WorkingClock, start: datetime, hours: float) -> datetime:
    return clock.add_working_minutes(start, round(hours * 60))


def add_working_days(clock: WorkingClock, start: datetime, days: float) -> datetime:
    """N working days = N × the working minutes of a standard day."""
    return clock.add_working_minutes(start, round(days * clock.standard_day_minutes))


def end_of_working_day(clock: CalendarClock, tz: tzinfo, start: datetime) -> datetime:
    """The close of the working day that ``start`` falls in (or the next one, after hours)."""
    first = clock.add_working_minutes(start, 0)
    periods = clock.working_periods(first.astimezone(tz).date())
    return periods[-1][1].astimezone(UTC)


def _reply_due(
    clock: CalendarClock,
    tz: tzinfo,
    policy: TimeLimitPolicy,
    channel: str,
    limits: StageLimits,
    start: datetime,
) -> datetime:
    override = policy.channel_limits.get(channel)
    if override is not None and override.same_day:
        return end_of_working_day(clock, tz, start)
    days = limits.reply_working_days
    if override is not None and override.reply_working_days is not None:
        days = override.reply_working_days
    return add_working_days(clock, start, days)


def stage_deadlines(
    clock: CalendarClock,
    tz: tzinfo,
    policy: TimeLimitPolicy,
    limits: StageLimits,
    urgency: str,
    start: datetime,
    channel: str = "",
) -> StageDeadlines:
    """Emergencies run on the wall clock; the rest on working time."""
    if urgency == "emergency":
        return StageDeadlines(start + EMERGENCY_ACCEPT, start + EMERGENCY_REPLY)
    return StageDeadlines(
        accept_due_at=add_working_hours(clock, start, limits.accept_working_hours),
        reply_due_at=_reply_due(clock, tz, policy, channel, limits, start),
    )


def dispatch_deadline_changes(
    clock: WorkingClock, policy: TimeLimitPolicy, due: StageDeadlines, now: datetime
) -> dict[CaseField, Value]:
    """A (re-)dispatch starts both stages afresh: deadlines, warning lines, sweep markers and
    the settled flags."""
    fraction = policy.warn_fraction
    return {
        "accept_due_at": due.accept_due_at,
        "reply_due_at": due.reply_due_at,
        "accept_warn_at": warning_line(clock, now, due.accept_due_at, fraction),
        "reply_warn_at": warning_line(clock, now, due.reply_due_at, fraction),
        "accept_warned_at": None,
        "accept_breached_at": None,
        "reply_warned_at": None,
        "reply_breached_at": None,
        "accept_late": None,
        "reply_late": None,
    }


def reply_stage_start(assignments: Iterable[DispatchRecord], fallback: datetime) -> datetime:
    """The reply stage runs from the centre's (latest) dispatch to the lead unit."""
    starts = [
        a.dispatched_at
        for a in assignments
        if a.role == "lead" and a.parent_id is None and a.status != AssignmentStatus.ENDED
    ]
    return max(starts) if starts else fallback


def moved_reply_deadline_changes(
    clock: WorkingClock,
    policy: TimeLimitPolicy,
    stage_start: datetime,
    new_due: datetime,
    now: datetime,
) -> dict[CaseField, Value]:
    """Extensions and paused clocks move the deadline and its warning line; a stage already
    warned or breached may be warned or breached again against the new deadline."""
    warn_at = warning_line(clock, stage_start, new_due, policy.warn_fraction)
    changes: dict[CaseField, Value] = {"reply_due_at": new_due, "reply_warn_at": warn_at}
    if warn_at > now:
        changes["reply_warned_at"] = None
    if new_due > now:
        changes["reply_breached_at"] = None
    return changes


def promise_due(tz: tzinfo, promised_on: date) -> datetime:
    """A promise (承诺限时解决) is due at the end of the promised local day."""
    return datetime.combine(promised_on, time(23, 59, 59), tz).astimezone(UTC)


def verify_due(clock: WorkingClock, policy: TimeLimitPolicy, now: datetime) -> datetime:
    return add_working_days(clock, now, policy.verify_working_days)


def callback_due(clock: WorkingClock, policy: TimeLimitPolicy, now: datetime) -> datetime:
    return add_working_days(clock, now, policy.callback_working_days)
