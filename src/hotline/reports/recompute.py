"""Recomputing a period straight from raw history, as of a time: the check on the rollup and
on settlements. Nothing stored is read but cases, their events and problem links; the events
after ``as_of`` are ignored, so a settled month recomputed as of its settlement time must give
exactly its frozen counts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.adapters.db import indicator_queries as queries
from hotline.adapters.db.database import Database
from hotline.adapters.db.indicator_store import (
    DIMENSIONS,
    RollupKey,
    chunks,
    project_cases,
    unit_directory,
)
from hotline.adapters.db.models import Case, CaseEvent, IndicatorSettledCount
from hotline.domain.errors import NotFound
from hotline.domain.indicator_facts import INDICATOR_VERSION, FactRow, valid_at
from hotline.domain.indicators import Period, month_period
from hotline.reports.indicator_counts import ReportMoment, python_counts, settlements_for

# Facts land in a period by their own event's time, except reply deadlines, which follow the
# round's events by at most the reply limit plus extensions; a year covers that generously.
LOOKBACK = timedelta(days=366)


def _candidates(
    session: Session, period: Period, moment: ReportMoment, district: str | None = None
) -> list[int]:
    local_start = datetime.combine(period.start, time.min, moment.tz)
    since = local_start.astimezone(UTC) - LOOKBACK
    stmt = select(CaseEvent.case_id).where(CaseEvent.at.between(since, moment.now)).distinct()
    if district is not None:  # a sample: the cases now filed under one district
        stmt = stmt.join(Case, Case.id == CaseEvent.case_id).where(Case.district_code == district)
    return sorted(session.scalars(stmt))


def _as_current(rows: list[FactRow], moment: datetime) -> list[FactRow]:
    """The facts believed at ``moment``, as if ``moment`` were now."""
    return [replace(row, valid_to_at=None) for row in valid_at(rows, moment)]


def raw_counts(
    session: Session,
    period: Period,
    moment: ReportMoment,
    district: str | None = None,
    version: int = INDICATOR_VERSION,
) -> Counter[RollupKey]:
    """The period's counts per (day, kind, dimension, key) from history up to ``moment.now``
    (with ``district``, only of the cases filed under it: a cheaper check at scale), under the
    rules of ``version``. Cases are replayed a batch at a time, so memory stays flat however
    long the history."""
    ids = _candidates(session, period, moment, district)
    repeats = queries.repeat_cases(session, ids, moment.now)
    units = unit_directory(session)
    counts: Counter[RollupKey] = Counter()
    for part in chunks(ids, 5000):
        projected = project_cases(session, part, moment.tz, units, moment.now, version)
        rows = _as_current([r for case_rows in projected.values() for r in case_rows], moment.now)
        for dim in ("total", *DIMENSIONS):
            for (day, kind, key), n in python_counts(rows, dim, period, moment, repeats).items():
                counts[(day, kind, dim, key)] += n
    return counts


def _settled_counts(session: Session, settlement_id: int) -> Counter[RollupKey]:
    S = IndicatorSettledCount
    stmt = select(S.day_on, S.kind, S.dim, S.key, S.n).where(S.settlement_id == settlement_id)
    return Counter({(day, kind, dim, key): n for day, kind, dim, key, n in session.execute(stmt)})


def _differences(frozen: Counter[RollupKey], raw: Counter[RollupKey]) -> list[dict[str, Any]]:
    keys = sorted(k for k in frozen.keys() | raw.keys() if frozen[k] != raw[k])
    return [
        {"day": day.isoformat(), "kind": kind, "dim": dim, "key": key,
         "settled": frozen[(day, kind, dim, key)], "recomputed": raw[(day, kind, dim, key)]}
        for day, kind, dim, key in keys
    ]  # fmt: skip


def verify_settlement(db: Database, moment: ReportMoment, month: str) -> dict[str, Any]:
    """Recompute a settled month from raw history as of its settlement, under the indicator
    rules it was settled with, and compare."""
    period = month_period(month)
    with db.snapshot() as session:
        settlement = settlements_for(session, period).get(month)
        if settlement is None:
            raise NotFound(f"{month} 尚未结算")
        as_of = ReportMoment(moment.tz, settlement.settled_at)
        frozen = _settled_counts(session, settlement.id)
        version = settlement.indicator_version
        raw = raw_counts(session, period, as_of, version=version)
        differences = _differences(frozen, raw)
        return {
            "month": month,
            "settled_at": settlement.settled_at.isoformat(),
            "indicator_version": version,
            "counts": sum(n for (_d, _k, dim, _key), n in frozen.items() if dim == "total"),
            "matches": not differences,
            "differences": differences[:100],
        }
