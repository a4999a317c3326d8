"""Indicator facts kept in step with history, and the monthly settlement (结算) of the figures.

The refresh re-derives the facts of every case whose history moved on (hotline.domain.
indicator_facts) and adds the difference to the daily rollup, one batch per transaction. The
reports read facts and rollup and project the few cases not refreshed yet themselves, so figures
are current whether or not the worker has caught up.

Settling a month freezes its counts as of the settlement time, with the definitions in force, in
tables that refuse UPDATE and DELETE. Later events then count in the period in which they
happen, never in the settled month; and because facts carry the interval in which they held,
the frozen counts equal a recomputation from the events up to the settlement time.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from hotline.adapters.db import indicator_queries as queries
from hotline.adapters.db.indicator_store import (
    DIMENSIONS,
    OVERLAP_EVENTS,
    WATERMARK,
    RollupKey,
    apply_rollup,
    chunks,
    insert_facts,
    mark_cases,
    newest_seqs,
    project_cases,
    rebuild_rollup,
    replace_facts,
    rollup_counts,
    stale_cases,
    stored_facts,
    unit_directory,
)
from hotline.adapters.db.models import (
    Case,
    CaseEvent,
    IndicatorCaseState,
    IndicatorFact,
    IndicatorRollup,
    IndicatorSettledCount,
    IndicatorSettlement,
    IndicatorWatermark,
)
from hotline.domain.errors import Conflict, Forbidden, IllegalTransition
from hotline.domain.indicator_facts import INDICATOR_VERSION
from hotline.domain.indicators import (
    DEFAULT_DEFINITIONS,
    IndicatorDef,
    Period,
    definitions_as_data,
    month_period,
    ratio,
)
from hotline.domain.roles import SYSTEM, Actor, Role
from hotline.services.context import Hotline

log = logging.getLogger(__name__)
SETTLE_DAY = 5  # automatic settlement of last month from this local day of the month on


@dataclass
class RefreshReport:
    cases: int = 0
    facts: int = 0
    rollup_rows: int = 0
    last_event_id: int = 0


def _watermark(session: Session, now: datetime) -> IndicatorWatermark:
    """The refresh's one row, locked: refreshes run one at a time (rollup sums stay exact)."""
    stmt = select(IndicatorWatermark).where(IndicatorWatermark.name == WATERMARK)
    mark = session.scalars(stmt.with_for_update()).first()
    if mark is None:
        mark = IndicatorWatermark(name=WATERMARK, last_event_id=0, updated_at=now)
        session.add(mark)
        session.flush()
    return mark


def refresh_cases(
    hotline: Hotline, session: Session, seqs: dict[int, int], now: datetime
) -> tuple[int, int]:
    """Re-derive these cases' facts and move the rollup by the difference."""
    ids = sorted(seqs)
    fresh = project_cases(session, ids, hotline.settings.tz, unit_directory(session))
    rows = [row for case_rows in fresh.values() for row in case_rows]
    delta = rollup_counts(rows)
    delta.subtract(rollup_counts(stored_facts(session, ids)))
    replace_facts(session, ids, rows)
    apply_rollup(session, delta)
    mark_cases(session, seqs, now)
    return len(rows), sum(1 for n in delta.values() if n)


def refresh_indicator_facts(
    hotline: Hotline, now: datetime, *, batch_size: int = 2000
) -> RefreshReport:
    """Bring the facts and rollup up to date with history (the worker's periodic hook)."""
    report = RefreshReport()
    with hotline.db.transaction() as session:
        mark = _watermark(session, now)
        stale, top = stale_cases(session, max(mark.last_event_id - OVERLAP_EVENTS, 0))
    ids = sorted(stale)
    for part in chunks(ids, batch_size):
        with hotline.db.transaction() as session:
            _watermark(session, now)
            facts, rollup = refresh_cases(hotline, session, {c: stale[c] for c in part}, now)
            report.cases, report.facts = report.cases + len(part), report.facts + facts
            report.rollup_rows += rollup
    with hotline.db.transaction() as session:
        mark = _watermark(session, now)
        mark.last_event_id, mark.updated_at = max(mark.last_event_id, top), now
        report.last_event_id = mark.last_event_id
    if report.cases:
        log.info("indicator facts refreshed for %d cases", report.cases)
    return report


def _replay_batch(hotline: Hotline, ids: Sequence[int], now: datetime) -> int:
    with hotline.db.transaction() as session:
        _watermark(session, now)
        fresh = project_cases(session, ids, hotline.settings.tz, unit_directory(session))
        rows = [row for case_rows in fresh.values() for row in case_rows]
        insert_facts(session, rows)
        mark_cases(session, newest_seqs(session, ids), now)
        return len(rows)


def rebuild_indicator_facts(
    hotline: Hotline, now: datetime, *, batch_size: int = 5000
) -> RefreshReport:
    """Replay all history from scratch (a new installation, a changed projection, a benchmark):
    facts batch by batch, then the rollup in one set-based pass. Settled months are untouched."""
    with hotline.db.transaction() as session:
        _watermark(session, now)
        for model in (IndicatorFact, IndicatorRollup, IndicatorCaseState):
            session.execute(delete(model))
        top = session.scalar(select(func.max(CaseEvent.id))) or 0
        ids = list(session.scalars(select(Case.id).order_by(Case.id)))
    report = RefreshReport(cases=len(ids))
    for part in chunks(ids, batch_size):
        report.facts += _replay_batch(hotline, part, now)
    with hotline.db.transaction() as session:
        mark = _watermark(session, now)
        rebuild_rollup(session)
        mark.last_event_id, mark.updated_at = top, now
        report.last_event_id = top
    return report


# -- settlement --------------------------------------------------------------------------------


def counts_as_of(session: Session, period: Period, as_of: datetime) -> Counter[RollupKey]:
    """The period's rollup as it stood at ``as_of``, for every grouping dimension."""
    counts: Counter[RollupKey] = Counter()
    for dim in ("total", *DIMENSIONS):
        rows = queries.facts_as_of(session, period.start, period.end, dim, as_of)
        counts.update({(day, kind, dim, key): n for (day, kind, key), n in rows.items()})
    return counts


def _totals(counts: Counter[RollupKey], definitions: Iterable[IndicatorDef]) -> dict[str, Any]:
    by_kind: Counter[str] = Counter()
    for (_day, kind, dim, _key), n in counts.items():
        if dim == "total":
            by_kind[kind] += n
    result = {}
    for definition in definitions:
        value = ratio(definition, by_kind)
        result[definition.key] = {
            "numerator": value.numerator,
            "denominator": value.denominator,
            "value": value.value,
        }
    return result


def _local_today(hotline: Hotline, now: datetime) -> date:
    return now.astimezone(hotline.settings.tz).date()


def settlement_of(session: Session, month: str) -> IndicatorSettlement | None:
    stmt = select(IndicatorSettlement).where(IndicatorSettlement.month == month)
    return session.scalars(stmt).first()


def _store(
    session: Session,
    period: Period,
    month: str,
    counts: Counter[RollupKey],
    header: dict[str, Any],
) -> IndicatorSettlement:
    settlement = IndicatorSettlement(month=month, start_on=period.start, end_on=period.end,
                                     **header)  # fmt: skip
    session.add(settlement)
    session.flush()
    rows = [
        {"settlement_id": settlement.id, "day_on": day, "kind": kind, "dim": dim, "key": key,
         "n": n}
        for (day, kind, dim, key), n in sorted(counts.items())
        if n
    ]  # fmt: skip
    for start in range(0, len(rows), 1000):
        session.execute(insert(IndicatorSettledCount), rows[start : start + 1000])
    return settlement


def _check_may_settle(hotline: Hotline, actor: Actor, period: Period, now: datetime) -> None:
    if actor.role not in (Role.ADMIN, Role.LEADER, Role.DISPATCHER) or actor.district_code:
        raise Forbidden("只有市级领导、值班长或管理员可以结算指标")
    if _local_today(hotline, now) <= period.end:
        raise IllegalTransition(f"{period.end.isoformat()} 尚未过去，不能结算该月")


def settle_month(
    hotline: Hotline,
    month: str,
    actor: Actor,
    now: datetime,
    definitions: Sequence[IndicatorDef] = DEFAULT_DEFINITIONS,
) -> dict[str, Any]:
    """Freeze ``month``'s figures as of ``now``; refused if already settled or not yet over."""
    period = month_period(month)
    _check_may_settle(hotline, actor, period, now)
    refresh_indicator_facts(hotline, now)
    with hotline.db.transaction() as session:
        _watermark(session, now)  # no refresh moves the facts while they are read
        if settlement_of(session, month) is not None:
            raise Conflict(f"{month} 的指标已经结算，结算后的数据不再改变")
        counts = counts_as_of(session, period, now)
        header = {
            "settled_at": now,
            "settled_by": actor.name,
            "definitions": definitions_as_data(definitions),
            "totals": _totals(counts, definitions),
            "indicator_version": INDICATOR_VERSION,
        }
        settlement = _store(session, period, month, counts, header)
        return settlement_summary(settlement)


def settlement_summary(settlement: IndicatorSettlement) -> dict[str, Any]:
    return {
        "month": settlement.month,
        "from": settlement.start_on.isoformat(),
        "to": settlement.end_on.isoformat(),
        "settled_at": settlement.settled_at.isoformat(),
        "settled_by": settlement.settled_by,
        "indicator_version": settlement.indicator_version,
        "totals": settlement.totals,
    }


def _previous_month(today: date) -> str:
    last = today.replace(day=1) - timedelta(days=1)
    return f"{last.year:04d}-{last.month:02d}"


def settle_due_periods(
    hotline: Hotline, now: datetime, settle_day: int = SETTLE_DAY
) -> list[dict[str, Any]]:
    """The worker's hook: from ``settle_day`` of a month on, settle the month before if it is
    not settled yet. Returns what it settled (nothing, most days)."""
    today = _local_today(hotline, now)
    if today.day < settle_day:
        return []
    month = _previous_month(today)
    with hotline.db.transaction() as session:
        if settlement_of(session, month) is not None:
            return []
    try:
        return [settle_month(hotline, month, SYSTEM, now)]
    except Conflict:  # another worker settled it first
        return []
