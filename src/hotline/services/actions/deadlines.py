"""Stage deadlines on the ORM rows, for the services outside the action handlers (supervisions,
the Open311 catalogue) and the generator: the rules themselves are in
:mod:`hotline.domain.deadlines`; here the city's clock, policy and category limits are looked up."""

from __future__ import annotations

from datetime import date, datetime

from hotline.adapters.db.models import Case, Category
from hotline.domain import deadlines as rules
from hotline.domain.deadlines import EMERGENCY_ACCEPT, EMERGENCY_REPLY, StageDeadlines
from hotline.profile import StageLimits
from hotline.services.context import Hotline

__all__ = [
    "EMERGENCY_ACCEPT",
    "EMERGENCY_REPLY",
    "StageDeadlines",
    "add_working_days",
    "callback_due",
    "domain_limits",
    "limits_for",
    "move_reply_deadline",
    "promise_due",
    "reply_stage_start",
    "set_dispatch_deadlines",
    "stage_deadlines",
    "verify_due",
]


def limits_for(hotline: Hotline, category: Category | None, urgency: str) -> StageLimits:
    if category is not None and category.limits:
        chosen = category.limits.get(urgency) or category.limits.get("normal")
        if chosen:
            return StageLimits.model_validate(chosen)
    return hotline.profile.default_limits


def domain_limits(hotline: Hotline, category: Category | None, urgency: str) -> rules.StageLimits:
    limits = limits_for(hotline, category, urgency)
    return rules.StageLimits(limits.accept_working_hours, limits.reply_working_days)


def add_working_days(hotline: Hotline, start: datetime, days: float) -> datetime:
    return rules.add_working_days(hotline.clock, start, days)


def stage_deadlines(
    hotline: Hotline, category: Category | None, urgency: str, start: datetime, channel: str = ""
) -> StageDeadlines:
    limits = domain_limits(hotline, category, urgency)
    tz = hotline.settings.tz
    return rules.stage_deadlines(hotline.clock, tz, hotline.policy, limits, urgency, start, channel)


def set_dispatch_deadlines(
    hotline: Hotline, case: Case, category: Category | None, now: datetime
) -> StageDeadlines:
    """A (re-)dispatch starts both stages afresh: deadlines, warning lines, sweep markers."""
    due = stage_deadlines(hotline, category, case.urgency, now, case.channel_code)
    for name, value in rules.dispatch_deadline_changes(
        hotline.clock, hotline.policy, due, now
    ).items():
        setattr(case, name, value)
    return due


def move_reply_deadline(hotline: Hotline, case: Case, new_due: datetime, now: datetime) -> None:
    """Move the reply deadline and its warning line (see the domain rule)."""
    start = rules.reply_stage_start(case.assignments, now)
    changes = rules.moved_reply_deadline_changes(hotline.clock, hotline.policy, start, new_due, now)
    for name, value in changes.items():
        setattr(case, name, value)


def reply_stage_start(case: Case, fallback: datetime) -> datetime:
    return rules.reply_stage_start(case.assignments, fallback)


def promise_due(hotline: Hotline, promised_on: date) -> datetime:
    return rules.promise_due(hotline.settings.tz, promised_on)


def verify_due(hotline: Hotline, now: datetime) -> datetime:
    return rules.verify_due(hotline.clock, hotline.policy, now)


def callback_due(hotline: Hotline, now: datetime) -> datetime:
    return rules.callback_due(hotline.clock, hotline.policy, now)
