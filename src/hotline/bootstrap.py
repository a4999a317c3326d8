"""The one place that builds the engine, the working calendar and the service context."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import inspect, select
from sqlalchemy.exc import SQLAlchemyError

from hotline.adapters.cncalendar import official_day_kinds
from hotline.adapters.db.database import Database
from hotline.adapters.db.models import CalendarOverride
from hotline.config import Settings
from hotline.domain.calendar import DayKind, DayOverride, WorkingCalendar
from hotline.services.context import Hotline


def utc_now() -> datetime:
    """The only clock read of the application: entry points pass it down as ``now``."""
    return datetime.now(UTC)


def load_overrides(db: Database) -> list[DayOverride]:
    """Calendar overrides from a migrated database; none where the table is not there yet."""
    try:
        if not inspect(db.engine).has_table("calendar_overrides"):
            return []
        with db.transaction() as session:
            rows = session.scalars(select(CalendarOverride)).all()
    except SQLAlchemyError:
        return []
    return [DayOverride(row.day_on, DayKind(row.kind), row.note or "") for row in rows]


def build_calendar(settings: Settings, db: Database | None = None) -> WorkingCalendar:
    overrides = load_overrides(db) if db is not None else []
    return WorkingCalendar(settings.tz, official_day_kinds(overrides))


def build_hotline(
    settings: Settings | None = None, now: Callable[[], datetime] = utc_now
) -> Hotline:
    settings = settings or Settings()
    db = Database(settings.resolved_database_url)
    return Hotline(settings=settings, db=db, clock=build_calendar(settings, db), now=now)
