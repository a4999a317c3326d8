"""Fact counts for a period and one grouping dimension: frozen for settled months, live else.

Live counts are the rollup, corrected for the cases whose history moved on since the last
refresh (the *tail*): their stored facts are taken out and their re-projected facts put in, here
in memory, so a report is current even when the worker is behind. Reports never write.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.adapters.db import indicator_queries as queries
from hotline.adapters.db.indicator_queries import OPEN_PAST, REPEAT, DayCounts
from hotline.adapters.db.indicator_store import (
    OVERLAP_EVENTS,
    WATERMARK,
    group_key,
    project_cases,
    stale_cases,
    stored_facts,
    unit_directory,
)
from hotline.adapters.db.models import IndicatorSettlement, IndicatorWatermark
from hotline.domain.indicator_facts import FactRow, Kind
from hotline.domain.indicators import Period, month_period, months_touching

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class ReportMoment:
    """What a report needs to place facts in time: the local zone and the moment of asking."""

    tz: ZoneInfo
    now: datetime

    @property
    def today(self) -> date:
        return self.now.astimezone(self.tz).date()


@dataclass
class Tail:
    """Cases whose stored facts lag their history: stored and re-projected facts, and which of
    them are repeats now."""

    stored: list[FactRow] = field(default_factory=list)
    fresh: list[FactRow] = field(default_factory=list)
    repeats: set[int] = field(default_factory=set)

    @property
    def case_ids(self) -> set[int]:
        return {row.case_id for row in self.stored} | {row.case_id for row in self.fresh}


def load_tail(session: Session, moment: ReportMoment) -> Tail:
    mark = session.get(IndicatorWatermark, WATERMARK)
    since = max((mark.last_event_id if mark else 0) - OVERLAP_EVENTS, 0)
    stale, _top = stale_cases(session, since)
    if not stale:
        return Tail()
    ids = sorted(stale)
    fresh = project_cases(session, ids, moment.tz, unit_directory(session))
    return Tail(
        stored=stored_facts(session, ids),
        fresh=[row for rows in fresh.values() for row in rows],
        repeats=queries.repeat_cases(session, ids, None),
    )


def python_counts(
    rows: Iterable[FactRow], dim: str, period: Period, moment: ReportMoment, repeats: set[int]
) -> DayCounts:
    """What the SQL side counts, for facts held in memory (currently valid ones only)."""
    counts: DayCounts = Counter()
    for row in rows:
        if row.valid_to_at is not None or not period.start <= row.period_on <= period.end:
            continue
        key = group_key(row, dim) if dim != "total" else ""
        counts[(row.period_on, row.kind, key)] += 1
        if row.kind == Kind.REPLY_DUE_OPEN and row.period_at < moment.now:
            counts[(row.period_on, OPEN_PAST, key)] += 1
        if row.kind == Kind.INTAKE and row.case_id in repeats:
            counts[(row.period_on, REPEAT, key)] += 1
    return counts


def _open_past(
    session: Session, counts: DayCounts, period: Period, dim: str, moment: ReportMoment
) -> None:
    """Open rounds due on a past day are overdue; today's only once their hour has passed."""
    for (day, kind, key), n in list(counts.items()):
        if kind == Kind.REPLY_DUE_OPEN and day < moment.today:
            counts[(day, OPEN_PAST, key)] += n
    if period.start <= moment.today <= period.end:
        counts.update(queries.open_past_on(session, moment.today, dim, moment.now))


def _rollup(
    session: Session, period: Period, dim: str, moment: ReportMoment, per_day: bool
) -> DayCounts:
    """The rollup per day, or summed in SQL over the days before today (dated on the period's
    first day: they are past, which is all the report asks of them) and per day from today."""
    if per_day:
        return queries.rollup_rows(session, period.start, period.end, dim)
    counts: DayCounts = Counter()
    past_end = min(period.end, moment.today - ONE_DAY)
    if period.start <= past_end:
        counts.update(queries.rollup_sums(session, period.start, past_end, dim))
    if past_end < period.end:
        first = max(period.start, moment.today)
        counts.update(queries.rollup_rows(session, first, period.end, dim))
    return counts


def live_counts(
    session: Session,
    period: Period,
    dim: str,
    moment: ReportMoment,
    tail: Tail,
    per_day: bool = True,
) -> DayCounts:
    """Rollup, open rounds past their deadline, repeats, corrected for the tail. Without
    ``per_day`` the days may come folded (see :func:`_rollup`): fold the result by group."""
    counts = _rollup(session, period, dim, moment, per_day)
    _open_past(session, counts, period, dim, moment)
    counts.update(queries.repeat_counts(session, period.start, period.end, dim, None, per_day))
    counts.subtract(python_counts(tail.stored, dim, period, moment, tail.repeats))
    counts.update(python_counts(tail.fresh, dim, period, moment, tail.repeats))
    return counts


def settlements_for(session: Session, period: Period) -> dict[str, IndicatorSettlement]:
    stmt = select(IndicatorSettlement).where(IndicatorSettlement.month.in_(months_touching(period)))
    return {s.month: s for s in session.scalars(stmt)}


def segments(period: Period, settled: Sequence[str]) -> list[tuple[Period, str | None]]:
    """The period cut at month ends: (stretch, settled month or None); live stretches merged."""
    pieces: list[tuple[Period, str | None]] = []
    for month in months_touching(period):
        whole = month_period(month)
        piece = Period(max(whole.start, period.start), min(whole.end, period.end))
        owner = month if month in settled else None
        if pieces and owner is None and pieces[-1][1] is None:
            piece = Period(pieces[-1][0].start, piece.end)
            pieces.pop()
        pieces.append((piece, owner))
    return pieces


def period_counts(
    session: Session,
    period: Period,
    dim: str,
    moment: ReportMoment,
    tail: Tail,
    settled: dict[str, IndicatorSettlement],
    per_day: bool = True,
) -> DayCounts:
    """Counts per (day, kind, key): a settled month's days from its frozen counts. Without
    ``per_day`` the days may be folded onto the first of each stretch (for by_group only)."""
    counts: DayCounts = Counter()
    for piece, month in segments(period, list(settled)):
        if month is None:
            counts.update(live_counts(session, piece, dim, moment, tail, per_day))
        else:
            settlement_id = settled[month].id
            frozen = queries.settled_rows(
                session, settlement_id, piece.start, piece.end, dim, per_day
            )
            counts.update(frozen)
    return counts


def by_group(counts: DayCounts, per_day: bool = False) -> dict[str, Counter[str]]:
    """Fold (day, kind, key) counts into {group: {kind: n}}; per day, the day is the group."""
    grouped: dict[str, Counter[str]] = {}
    for (day, kind, key), n in counts.items():
        group = day.isoformat() if per_day else key
        grouped.setdefault(group, Counter())[kind] += n
    return grouped
