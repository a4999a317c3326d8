"""Administering the working calendar: local overrides and years entered in full.

The State Council publishes each year's holiday notice in the autumn; until the calendar package
knows that year, an administrator enters its holidays and make-up workdays here and marks the
year complete, which silences the Monday–Friday fallback warning. Running processes build their
calendar at start, so a change takes effect at the next start of the server and worker.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from hotline.adapters.db.models import CalendarOverride, CalendarYear
from hotline.domain.calendar import DayKind
from hotline.domain.errors import InvalidInput, NotFound
from hotline.domain.roles import Actor, Permission, require
from hotline.services.context import Hotline


def _kind(value: str) -> DayKind:
    try:
        return DayKind(value)
    except ValueError as exc:
        raise InvalidInput(
            "类型须为 workday（调休上班）或 holiday（放假）", fields=("kind",)
        ) from exc


def set_override(
    hotline: Hotline, day: date, kind: str, note: str | None, actor: str, now: datetime
) -> None:
    """Add or replace the override of ``day``."""
    chosen = _kind(kind)
    with hotline.db.transaction() as session:
        row = session.get(CalendarOverride, day) or CalendarOverride(day_on=day)
        row.kind, row.note, row.created_by, row.created_at = chosen.value, note, actor, now
        session.add(row)


def remove_override(hotline: Hotline, day: date) -> None:
    with hotline.db.transaction() as session:
        row = session.get(CalendarOverride, day)
        if row is None:
            raise NotFound(f"{day.isoformat()} 没有调整记录")
        session.delete(row)


def mark_year_complete(
    hotline: Hotline, year: int, note: str | None, actor: str, now: datetime
) -> None:
    if not 2000 <= year <= 2100:
        raise InvalidInput("年份须在 2000–2100 之间", fields=("year",))
    with hotline.db.transaction() as session:
        row = session.get(CalendarYear, year) or CalendarYear(year=year)
        row.note, row.created_by, row.created_at = note, actor, now
        session.add(row)


def list_overrides(hotline: Hotline, year: int | None = None) -> dict[str, Any]:
    with hotline.db.transaction() as session:
        stmt = select(CalendarOverride).order_by(CalendarOverride.day_on)
        rows = [row for row in session.scalars(stmt) if year is None or row.day_on.year == year]
        years = list(session.scalars(select(CalendarYear.year).order_by(CalendarYear.year)))
    return {
        "overrides": [
            {
                "date": row.day_on.isoformat(),
                "kind": row.kind,
                "note": row.note,
                "by": row.created_by,
            }
            for row in rows
        ],
        "complete_years": years,
    }


MAX_PERIOD_DAYS = 92  # a page's deadlines lie within a quarter; more is a mistake or a scrape


def working_periods(
    hotline: Hotline, actor: Actor, first: date, last: date
) -> list[dict[str, str]]:
    """Every working period of the local days ``first``..``last`` (holidays, 调休 and seasonal
    hours applied), so that a browser can count the working time left to a deadline."""
    require(actor.role, Permission.READ_CASE)
    if last < first:
        raise InvalidInput("结束日期不能早于开始日期", fields=("to",))
    if (last - first).days >= MAX_PERIOD_DAYS:
        raise InvalidInput(f"一次最多查询 {MAX_PERIOD_DAYS} 天", fields=("to",))
    days = (date.fromordinal(ordinal) for ordinal in range(first.toordinal(), last.toordinal() + 1))
    return [
        {"start": start.isoformat(), "end": end.isoformat()}
        for day in days
        for start, end in hotline.clock.working_periods(day)
    ]
