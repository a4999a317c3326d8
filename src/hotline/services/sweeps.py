"""The deadline sweep: warnings and breaches raised exactly once (DESIGN §4, time limits issue).

Each stage has its warning line and deadline stored on the case (indexed), and a marker column the
sweep stamps in the same transaction that writes the history event, opens the supervision
(催办 at warning, 督办 at breach) and queues the notification. Rows are claimed with
``FOR UPDATE SKIP LOCKED`` so several workers on PostgreSQL share the work without doubling it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from hotline.adapters.db.models import Case
from hotline.domain.lifecycle import Status
from hotline.services.context import Hotline
from hotline.services.history import append_event, last_links
from hotline.services.supervision import Level, escalate

ACCEPT_OPEN = (Status.DISPATCHED.value,)
REPLY_OPEN = (Status.DISPATCHED.value, Status.ACCEPTED.value)


@dataclass(frozen=True)
class Sweep:
    stage: str
    kind: str  # warning | breach
    line: InstrumentedAttribute[Any]
    marker: str
    statuses: tuple[str, ...]
    level: Level
    label: str


SWEEPS = (
    Sweep(
        "accept",
        "warning",
        Case.accept_warn_at,
        "accept_warned_at",
        ACCEPT_OPEN,
        Level.URGE,
        "签收即将超时",
    ),
    Sweep(
        "accept",
        "breach",
        Case.accept_due_at,
        "accept_breached_at",
        ACCEPT_OPEN,
        Level.SUPERVISE,
        "签收超时",
    ),
    Sweep(
        "reply",
        "warning",
        Case.reply_warn_at,
        "reply_warned_at",
        REPLY_OPEN,
        Level.URGE,
        "办结即将超期",
    ),
    Sweep(
        "reply",
        "breach",
        Case.reply_due_at,
        "reply_breached_at",
        REPLY_OPEN,
        Level.SUPERVISE,
        "办结超期",
    ),
)


@dataclass
class SweepReport:
    raised: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.raised.values())


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
        # A sub-dispatch puts the case back to dispatched after the lead unit accepted; the
        # centre's accept stage is settled then (accept_late frozen) and must not be swept.
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
    source = f"sla_{sweep.stage}_{sweep.kind}"
    escalate(hotline, session, case, sweep.level, sweep.label, source, "system", now)


def _run_batch(hotline: Hotline, sweep: Sweep, now: datetime, size: int) -> int:
    with hotline.db.transaction() as session:
        cases = _due_batch(session, sweep, now, size)
        links = last_links(session, [case.id for case in cases])
        for case in cases:
            _raise(hotline, session, case, sweep, now, links.get(case.id))
        return len(cases)


def sweep_deadlines(hotline: Hotline, now: datetime, batch_size: int = 500) -> SweepReport:
    """Raise every warning and breach due by ``now`` that has not been raised yet."""
    report = SweepReport()
    for sweep in SWEEPS:
        key = f"{sweep.stage}_{sweep.kind}"
        while (count := _run_batch(hotline, sweep, now, batch_size)) > 0:
            report.raised[key] = report.raised.get(key, 0) + count
    return report
