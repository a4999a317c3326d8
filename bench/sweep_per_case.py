"""The deadline sweep as it was before it became set-based: each case through the ORM, about
nine statements per case (bench/bench_sweep.py ``--per-case``, the baseline the production sweep
is measured against in the same run). Not used by the application.

Kept as it shipped (``hotline.services.actions.sweeps`` up to commit bffa448): batches of 500 cases
claimed ``FOR UPDATE SKIP LOCKED``, then per case the marker, ``append_event`` and ``escalate``.
The rows it writes are the production sweep's, case for case (the benchmark compares an md5 of
both); what differs: it takes cases in id order, the production sweep earliest line first, so
supervisions get other ids, and ``cases.version`` moves once per ORM flush here (one or two),
once per raised line there.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.adapters.db.models import Case
from hotline.services.actions.sweeps import SWEEPS, Sweep, SweepReport
from hotline.services.cases.history import append_event, last_links
from hotline.services.context import Hotline
from hotline.services.ledger.supervision import escalate


def _due_batch(session: Session, sweep: Sweep, now: datetime, size: int) -> list[Case]:
    marker = getattr(Case, sweep.marker)
    stmt = (
        select(Case)
        .where(sweep.line <= now, marker.is_(None), Case.status.in_(sweep.statuses))
        .order_by(Case.id)
        .limit(size)
        .with_for_update(skip_locked=True)
    )
    if sweep.stage == "accept":
        stmt = stmt.where(Case.accept_late.is_(None))
    return list(session.scalars(stmt))


def _raise(
    hotline: Hotline,
    session: Session,
    case: Case,
    sweep: Sweep,
    now: datetime,
    last: tuple[int, str] | None,
) -> None:
    setattr(case, sweep.marker, now)
    due = getattr(case, f"{sweep.stage}_due_at")
    append_event(
        session,
        case,
        action=f"sla_{sweep.kind}",
        actor="system",
        at=now,
        from_status=case.status,
        to_status=case.status,
        reason=sweep.label,
        details={"stage": sweep.stage, "due_at": due.isoformat() if due else None},
        last=last,
    )
    escalate(hotline, session, case, sweep.level, sweep.label, sweep.source, "system", now)


def _run_batch(hotline: Hotline, sweep: Sweep, now: datetime, size: int) -> int:
    with hotline.db.transaction() as session:
        cases = _due_batch(session, sweep, now, size)
        links = last_links(session, [case.id for case in cases])
        for case in cases:
            _raise(hotline, session, case, sweep, now, links.get(case.id))
        return len(cases)


def sweep_deadlines_per_case(hotline: Hotline, now: datetime, batch_size: int = 500) -> SweepReport:
    """As the production ``sweep_deadlines``: every warning and breach due by ``now``, once."""
    report = SweepReport()
    for sweep in SWEEPS:
        while (count := _run_batch(hotline, sweep, now, batch_size)) > 0:
            report.raised[sweep.key] = report.raised.get(sweep.key, 0) + count
    return report
