"""Appending to a case's hash-chained history (inside the caller's transaction)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.adapters.db.models import Case, CaseEvent
from hotline.domain.history import GENESIS, ChainReport, HistoryEvent, seal, verify_chain


def _last_event(session: Session, case: Case) -> CaseEvent | None:
    stmt = select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq.desc())
    return session.scalars(stmt.limit(1)).first()


def append_event(
    session: Session,
    case: Case,
    *,
    action: str,
    actor: str,
    at: datetime,
    from_status: str | None,
    to_status: str | None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> CaseEvent:
    last = _last_event(session, case)
    draft = HistoryEvent(
        case_number=case.number,
        seq=(last.seq + 1) if last else 1,
        action=action,
        actor=actor,
        at=at,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        details=details or {},
    )
    sealed = seal(draft, last.hash if last else GENESIS)
    row = CaseEvent(
        case_id=case.id,
        seq=sealed.seq,
        action=action,
        actor=actor,
        at=at,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        details=dict(sealed.details),
        prev_hash=sealed.prev_hash,
        hash=sealed.hash,
    )
    session.add(row)
    session.flush()
    return row


def to_domain(case_number: str, row: CaseEvent) -> HistoryEvent:
    return HistoryEvent(
        case_number=case_number,
        seq=row.seq,
        action=row.action,
        actor=row.actor,
        at=row.at,
        from_status=row.from_status,
        to_status=row.to_status,
        reason=row.reason,
        details=row.details or {},
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def verify_case_history(session: Session, case: Case) -> ChainReport:
    rows = session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)
    ).all()
    return verify_chain(to_domain(case.number, row) for row in rows)
