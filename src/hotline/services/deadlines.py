"""Stage deadlines from the category × urgency limits (working time on the official calendar)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hotline.adapters.db.models import Category
from hotline.profile import StageLimits
from hotline.services.context import Hotline

EMERGENCY_NATURAL_HOURS = 2


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


def stage_deadlines(
    hotline: Hotline, category: Category | None, urgency: str, start: datetime
) -> StageDeadlines:
    """Emergencies run on the wall clock (2 natural hours to reply); the rest on working time."""
    if urgency == "emergency":
        return StageDeadlines(
            start + timedelta(minutes=30), start + timedelta(hours=EMERGENCY_NATURAL_HOURS)
        )
    limits = limits_for(hotline, category, urgency)
    return StageDeadlines(
        accept_due_at=add_working_hours(hotline, start, limits.accept_working_hours),
        reply_due_at=add_working_days(hotline, start, limits.reply_working_days),
    )


def add_working_hours(hotline: Hotline, start: datetime, hours: float) -> datetime:
    return hotline.clock.add_working_minutes(start, round(hours * 60))


def add_working_days(hotline: Hotline, start: datetime, days: float) -> datetime:
    """N working days = N × the working minutes of a standard day (DESIGN §4)."""
    return hotline.clock.add_working_minutes(
        start, round(days * hotline.clock.standard_day_minutes)
    )
