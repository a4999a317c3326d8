"""The one place that builds the engine, the working calendar and the service context.

Every command line command imports this module, most before they know whether they will need a
database, so it imports SQLAlchemy, the models and the settings inside the functions that use
them: importing it costs nothing (docs/cli.md, "Start-up").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hotline.adapters.db.database import Database
    from hotline.config import Settings
    from hotline.domain.calendar import DayOverride, WorkingCalendar
    from hotline.services.context import Hotline


def utc_now() -> datetime:
    """The only clock read of the application: entry points pass it down as ``now``."""
    return datetime.now(UTC)


def load_overrides(db: Database) -> tuple[list[DayOverride], list[int]]:
    """Calendar overrides and the years they cover in full, from a migrated database; none where
    the tables are not there yet."""
    from sqlalchemy import inspect, select
    from sqlalchemy.exc import SQLAlchemyError

    from hotline.adapters.db.models import CalendarOverride, CalendarYear
    from hotline.domain.calendar import DayKind, DayOverride

    try:
        if not inspect(db.engine).has_table("calendar_years"):
            return [], []
        with db.transaction() as session:
            rows = session.scalars(select(CalendarOverride)).all()
            years = list(session.scalars(select(CalendarYear.year)))
    except SQLAlchemyError:
        return [], []
    return [DayOverride(row.day_on, DayKind(row.kind), row.note or "") for row in rows], years


def build_calendar(settings: Settings, db: Database | None = None) -> WorkingCalendar:
    from hotline.adapters.cncalendar import official_day_kinds
    from hotline.domain.calendar import WorkingCalendar

    overrides, complete_years = load_overrides(db) if db is not None else ([], [])
    return WorkingCalendar(settings.tz, official_day_kinds(overrides, complete_years))


def configured_database(settings: Settings) -> Database | None:
    """The database if one is configured or the default SQLite file already exists; commands that
    work without a database (the calendar) must not create one as a side effect."""
    if settings.database_url is None:
        default = settings.var_dir / "hotline.sqlite3"
        if not default.exists():
            return None
    from hotline.adapters.db.database import Database

    return Database(settings.resolved_database_url)


def build_hotline(
    settings: Settings | None = None, now: Callable[[], datetime] = utc_now
) -> Hotline:
    from hotline.adapters.db.database import Database
    from hotline.config import Settings
    from hotline.services.context import Hotline

    settings = settings or Settings()
    db = Database(settings.resolved_database_url)
    return Hotline(settings=settings, db=db, clock=build_calendar(settings, db), now=now)
