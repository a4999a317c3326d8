"""Stage deadlines (DESIGN §4): category × urgency limits on the working clock, channel overrides
(media: same day; deputies: their own), promises, verification and callback stages, and the
warning lines the sweep watches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from hotline.adapters.db.models import Case, Category
from hotline.domain.sla import warning_line
from hotline.profile import StageLimits
from hotline.services.context import Hotline

EMERGENCY_ACCEPT = timedelta(minutes=30)
EMERGENCY_REPLY = timedelta(hours=2)


@dataclass(frozen=True)
class StageDeadlines:
    accept_due_at: datetime
    reply_due_at: datetime


def limits_for(hotline: Hotline, category: Category | None, urgency: str) -> StageLimits:
    if category is not None and category.limits:
        chosen = category.limits.get(urgency) or category.limits.get("normal")
        if chosen:
            return StageLimits.model_validate(chosen)
    return hotline.profile.default_limits


def add_working_hours(hotline: Hotline, start: datetime, hours: float) -> datetime:
    return hotline.clock.add_working_minutes(start, round(hours * 60))


def add_working_days(hotline: Hotline, start: datetime, days: float) -> datetime:
    """N working days = N × the working minutes of a standard day (DESIGN §4)."""
    minutes = round(days * hotline.clock.standard_day_minutes)
    return hotline.clock.add_working_minutes(start, minutes)


def end_of_working_day(hotline: Hotline, start: datetime) -> datetime:
    """The close of the working day that ``start`` falls in (or the next one, after hours)."""
    first = hotline.clock.add_working_minutes(start, 0)
    periods = hotline.clock.working_periods(first.astimezone(hotline.settings.tz).date())
    return periods[-1][1].astimezone(UTC)


def _reply_due(hotline: Hotline, channel: str, limits: StageLimits, start: datetime) -> datetime:
    override = hotline.policy.channel_limits.get(channel)
    if override is not None and override.same_day:
        return end_of_working_day(hotline, start)
    days = limits.reply_working_days
    if override is not None and override.reply_working_days is not None:
        days = override.reply_working_days
    return add_working_days(hotline, start, days)


def stage_deadlines(
    hotline: Hotline, category: Category | None, urgency: str, start: datetime, channel: str = ""
) -> StageDeadlines:
    """Emergencies run on the wall clock; the rest on working time."""
    if urgency == "emergency":
        return StageDeadlines(start + EMERGENCY_ACCEPT, start + EMERGENCY_REPLY)
    limits = limits_for(hotline, category, urgency)
    return StageDeadlines(
        accept_due_at=add_working_hours(hotline, start, limits.accept_working_hours),
        reply_due_at=_reply_due(hotline, channel, limits, start),
    )


def set_dispatch_deadlines(
    hotline: Hotline, case: Case, category: Category | None, now: datetime
) -> StageDeadlines:
    """A (re-)dispatch starts both stages afresh: deadlines, warning lines, sweep markers."""
    due = stage_deadlines(hotline, category, case.urgency, now, case.channel_code)
    fraction = hotline.policy.warn_fraction
    case.accept_due_at, case.reply_due_at = due.accept_due_at, due.reply_due_at
    case.accept_warn_at = warning_line(hotline.clock, now, due.accept_due_at, fraction)
    case.reply_warn_at = warning_line(hotline.clock, now, due.reply_due_at, fraction)
    case.accept_warned_at = case.accept_breached_at = None
    case.reply_warned_at = case.reply_breached_at = None
    case.accept_late = case.reply_late = None
    return due


def move_reply_deadline(hotline: Hotline, case: Case, new_due: datetime, now: datetime) -> None:
    """Extensions and paused clocks move the deadline and its warning line; a stage already
    warned or breached may be warned or breached again against the new deadline."""
    case.reply_due_at = new_due
    case.reply_warn_at = warning_line(
        hotline.clock, reply_stage_start(case, now), new_due, hotline.policy.warn_fraction
    )
    if case.reply_warn_at > now:
        case.reply_warned_at = None
    if new_due > now:
        case.reply_breached_at = None


def reply_stage_start(case: Case, fallback: datetime) -> datetime:
    """The reply stage runs from the centre's (latest) dispatch to the lead unit."""
    starts = [
        a.dispatched_at
        for a in case.assignments
        if a.role == "lead" and a.parent_id is None and a.status != "ended"
    ]
    return max(starts) if starts else fallback


def promise_due(hotline: Hotline, promised_on: date) -> datetime:
    """A promise (承诺限时解决) is due at the end of the promised local day."""
    local_end = datetime.combine(promised_on, time(23, 59, 59), hotline.settings.tz)
    return local_end.astimezone(UTC)


def verify_due(hotline: Hotline, now: datetime) -> datetime:
    return add_working_days(hotline, now, hotline.policy.verify_working_days)


def callback_due(hotline: Hotline, now: datetime) -> datetime:
    return add_working_days(hotline, now, hotline.policy.callback_working_days)
