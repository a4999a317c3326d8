"""A set-based variant of ``hotline.services.sweeps.sweep_deadlines``, to measure what the
production sweep would gain (bench/bench_sweep.py ``--variants``). Not used by the application.

Same effects, case for case, as the production sweep: the marker stamped, an
``sla_warning``/``sla_breach`` event, a supervision (催办/督办, not opened twice per level and
source) with its ``supervise`` event and its outbox notification, the case marked supervised,
``updated_at`` and ``version`` moved as the ORM would move them. What differs is how: the
production sweep flushes each case on its own through the ORM (about nine statements per case:
two event inserts, the "last event" lookup, the open-supervision check, the unit, the
supervision insert, two case updates, the outbox row); this one does a batch of cases in six
statements (select, last hashes, open supervisions, supervisions inserted returning their ids,
events and outbox rows inserted, cases updated) with Core and only the columns it needs. Events
are sealed with the domain's own ``seal``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from hotline.adapters.db.models import Case, CaseEvent, OutboxItem, Supervision, Unit
from hotline.domain.history import GENESIS, HistoryEvent, seal
from hotline.services.context import Hotline
from hotline.services.deadlines import add_working_days
from hotline.services.history import last_links
from hotline.services.supervision import MARKS_CASE_SUPERVISED, RESPONSE_WORKING_DAYS
from hotline.services.sweeps import SWEEPS, Sweep, SweepReport

# Partial indexes that make each sweep's batch query read only the cases it will raise: the
# production schema indexes each line over all cases (closed ones and those already raised
# included), so the planner walks the primary key and filters every open case, per batch.
PARTIAL_INDEXES = tuple(
    f"CREATE INDEX IF NOT EXISTS ix_cases_due_{sweep.stage}_{sweep.kind} "
    f"ON cases ({sweep.line.key}) WHERE {sweep.marker} IS NULL "
    f"AND status IN ({', '.join(repr(s) for s in sweep.statuses)})"
    for sweep in SWEEPS
)
CASES: Table = Case.__table__  # type: ignore[assignment]


def _head_label(unit: Unit | None) -> str | None:
    if unit is None:
        return None
    return f"{unit.name}{unit.head_title or '负责人'}{unit.head_name or ''}"


def _event(
    row: Row[Any], link: list[Any], at: datetime, action: str, reason: str, details: dict[str, Any]
) -> dict[str, Any]:
    sealed = seal(
        HistoryEvent(
            row.number, link[0] + 1, action, "system", at, row.status, row.status, reason, details
        ),
        link[1],
    )
    link[0], link[1] = sealed.seq, sealed.hash
    return {
        "case_id": row.id,
        "seq": sealed.seq,
        "action": action,
        "actor": "system",
        "at": at,
        "from_status": row.status,
        "to_status": row.status,
        "reason": reason,
        "details": dict(sealed.details),
        "prev_hash": sealed.prev_hash,
        "hash": sealed.hash,
    }


def _open_supervisions(session: Session, ids: list[int], sweep: Sweep, source: str) -> set[int]:
    stmt = select(Supervision.case_id).where(
        Supervision.case_id.in_(ids),
        Supervision.level == sweep.level.value,
        Supervision.source == source,
        Supervision.status != "closed",
    )
    return set(session.scalars(stmt))


def _due(session: Session, sweep: Sweep, now: datetime, size: int) -> list[Row[Any]]:
    due = getattr(Case, f"{sweep.stage}_due_at")
    stmt = (
        select(
            Case.id,
            Case.number,
            Case.status,
            Case.lead_unit_id,
            Case.district_code,
            due.label("due"),
        )
        .where(
            sweep.line <= now,
            getattr(Case, sweep.marker).is_(None),
            Case.status.in_(sweep.statuses),
        )
        .order_by(Case.id)
        .limit(size)
        .with_for_update(skip_locked=True)
    )
    return list(session.execute(stmt))


def _supervisions(
    session: Session,
    rows: list[Row[Any]],
    sweep: Sweep,
    source: str,
    now: datetime,
    due_at: datetime,
    units: dict[int, Unit],
) -> list[int]:
    values = []
    for row in rows:
        unit = units.get(row.lead_unit_id) if row.lead_unit_id else None
        values.append(
            {
                "case_id": row.id,
                "level": sweep.level.value,
                "source": source,
                "reason": sweep.label,
                "target_unit_id": unit.id if unit else None,
                "head_name": unit.head_name if unit else None,
                "head_title": unit.head_title if unit else None,
                "district_code": row.district_code,
                "status": "open",
                "created_at": now,
                "created_by": "system",
                "due_at": due_at,
            }
        )
    stmt = insert(Supervision).returning(Supervision.id, sort_by_parameter_order=True)
    return list(session.scalars(stmt, values))


def _run_batch(
    hotline: Hotline, sweep: Sweep, now: datetime, size: int, units: dict[int, Unit]
) -> int:
    source = f"sla_{sweep.stage}_{sweep.kind}"
    with hotline.db.transaction() as session:
        rows = _due(session, sweep, now, size)
        if not rows:
            return 0
        ids = [row.id for row in rows]
        links = {case_id: list(link) for case_id, link in last_links(session, ids).items()}
        already = _open_supervisions(session, ids, sweep, source)
        due_at = add_working_days(hotline, now, RESPONSE_WORKING_DAYS[sweep.level])
        opening = [row for row in rows if row.id not in already]
        opened = dict(
            zip(
                [row.id for row in opening],
                _supervisions(session, opening, sweep, source, now, due_at, units)
                if opening
                else [],
                strict=True,
            )
        )
        events, outbox = [], []
        for row in rows:
            link = links.setdefault(row.id, [0, GENESIS])
            details = {"stage": sweep.stage, "due_at": row.due.isoformat() if row.due else None}
            events.append(_event(row, link, now, f"sla_{sweep.kind}", sweep.label, details))
            if row.id not in opened:
                continue
            unit = units.get(row.lead_unit_id) if row.lead_unit_id else None
            code = unit.code if unit else None
            details = {
                "supervision": opened[row.id],
                "level": sweep.level.value,
                "source": source,
                "unit": code,
                "head": _head_label(unit),
            }
            events.append(_event(row, link, now, "supervise", sweep.label, details))
            outbox.append(
                {
                    "kind": "notify",
                    "status": "pending",
                    "attempts": 0,
                    "max_attempts": 5,
                    "run_after_at": now,
                    "created_at": now,
                    "payload": {
                        "template": "supervision",
                        "supervision": opened[row.id],
                        "case": row.number,
                        "level": sweep.level.value,
                        "unit": code,
                    },
                }
            )
        session.execute(insert(CaseEvent), events)
        if outbox:
            session.execute(insert(OutboxItem), outbox)
        _update_cases(session, sweep, now, ids, set(opened))
        return len(rows)


def _update_cases(
    session: Session, sweep: Sweep, now: datetime, ids: list[int], opened: set[int]
) -> None:
    """The marker; where a supervision was opened also ``supervised`` and ``updated_at``; the
    version moved by the number of flushes the ORM would have made (one, or two)."""
    plain = [{"b_id": case_id} for case_id in ids if case_id not in opened]
    if plain:
        stmt = (
            CASES.update()
            .where(CASES.c.id == bindparam("b_id"))
            .values({sweep.marker: now, "version": CASES.c.version + 1})
        )
        session.execute(stmt, plain)
    if opened:
        values: dict[str, Any] = {
            sweep.marker: now,
            "updated_at": now,
            "version": CASES.c.version + 2,
        }
        if sweep.level in MARKS_CASE_SUPERVISED:
            values["supervised"] = True
        stmt = CASES.update().where(CASES.c.id == bindparam("b_id")).values(values)
        session.execute(stmt, [{"b_id": case_id} for case_id in opened])


def sweep_deadlines_batched(hotline: Hotline, now: datetime, batch_size: int = 2000) -> SweepReport:
    """As ``sweep_deadlines``: every warning and breach due by ``now`` raised once."""
    with hotline.db.transaction() as session:
        units = {unit.id: unit for unit in session.scalars(select(Unit))}
        session.expunge_all()
    report = SweepReport()
    for sweep in SWEEPS:
        key = f"{sweep.stage}_{sweep.kind}"
        while (count := _run_batch(hotline, sweep, now, batch_size, units)) > 0:
            report.raised[key] = report.raised.get(key, 0) + count
    return report
