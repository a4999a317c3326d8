"""Appending to a case's hash-chained history (inside the caller's transaction)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.adapters.db.bulk import insert_rows
from hotline.adapters.db.models import Case, CaseEvent
from hotline.domain.history import GENESIS, ChainReport, HistoryEvent, seal, verify_chain


def _last_event(session: Session, case: Case) -> CaseEvent | None:
    stmt = select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq.desc())
    return session.scalars(stmt.limit(1)).first()


def _sealed_values(
    case_id: int,
    case_number: str,
    last: tuple[int, str],
    *,
    action: str,
    actor: str,
    at: datetime,
    from_status: str | None,
    to_status: str | None,
    reason: str | None,
    details: dict[str, Any] | None,
) -> dict[str, Any]:
    """The columns of one event sealed onto the chain whose newest link is ``last``: the one
    place an event row is made, for single appends and batches alike."""
    draft = HistoryEvent(
        case_number=case_number,
        seq=last[0] + 1,
        action=action,
        actor=actor,
        at=at,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        details=details or {},
    )
    sealed = seal(draft, last[1])
    return {
        "case_id": case_id,
        "seq": sealed.seq,
        "action": action,
        "actor": actor,
        "at": at,
        "from_status": from_status,
        "to_status": to_status,
        "reason": reason,
        "details": dict(sealed.details),
        "prev_hash": sealed.prev_hash,
        "hash": sealed.hash,
    }


def first_event_values(
    case_number: str,
    *,
    action: str,
    actor: str,
    at: datetime,
    to_status: str,
    details: dict[str, Any],
) -> dict[str, Any]:
    """The columns of a new case's first event, sealed onto ``GENESIS``, for a writer that
    inserts it together with the case (intake); ``case_id`` is the writer's to fill in."""
    values = _sealed_values(
        0,
        case_number,
        (0, GENESIS),
        action=action,
        actor=actor,
        at=at,
        from_status=None,
        to_status=to_status,
        reason=None,
        details=details,
    )
    del values["case_id"]
    return values


def next_event_values(
    case_number: str,
    previous: dict[str, Any],
    *,
    action: str,
    actor: str,
    at: datetime,
    status: str,
    details: dict[str, Any],
) -> dict[str, Any]:
    """The columns of the event after ``previous`` (made by :func:`first_event_values` or by this
    function, not stored yet), the case's status unchanged, for a writer that inserts a new
    case's first events together with it (an Open311 filing's media_url)."""
    values = _sealed_values(
        0,
        case_number,
        (previous["seq"], previous["hash"]),
        action=action,
        actor=actor,
        at=at,
        from_status=status,
        to_status=status,
        reason=None,
        details=details,
    )
    del values["case_id"]
    return values


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
    last: tuple[int, str] | None = None,
) -> CaseEvent:
    """Append one sealed event; ``last`` (seq, hash) saves the lookup when the caller has it."""
    if last is None:
        newest = _last_event(session, case)
        last = (newest.seq, newest.hash) if newest else (0, GENESIS)
    values = _sealed_values(
        case.id,
        case.number,
        last,
        action=action,
        actor=actor,
        at=at,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        details=details,
    )
    row = CaseEvent(**values)
    session.add(row)
    session.flush()
    return row


@dataclass
class BatchHistory:
    """Events for many cases, sealed in memory and written in one statement (set-based work
    such as the deadline sweep). ``links`` holds each case's newest (seq, hash), from
    ``last_links``, and moves with every append, so several events per case chain in order.
    The cases' rows must be locked by the caller, as for ``append_event``."""

    links: dict[int, tuple[int, str]]
    rows: list[dict[str, Any]] = field(default_factory=list)

    def append(
        self,
        case_id: int,
        case_number: str,
        *,
        action: str,
        actor: str,
        at: datetime,
        from_status: str | None,
        to_status: str | None,
        reason: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        last = self.links.get(case_id, (0, GENESIS))
        values = _sealed_values(
            case_id,
            case_number,
            last,
            action=action,
            actor=actor,
            at=at,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            details=details,
        )
        self.links[case_id] = (values["seq"], values["hash"])
        self.rows.append(values)

    def write(self, session: Session) -> int:
        """Insert what was appended, in one go (COPY on PostgreSQL)."""
        insert_rows(session, CaseEvent, self.rows)
        written, self.rows = len(self.rows), []
        return written


def last_links(session: Session, case_ids: list[int]) -> dict[int, tuple[int, str]]:
    """(seq, hash) of the newest event of each case, in one query (for batch work)."""
    newest = (
        select(CaseEvent.case_id, func.max(CaseEvent.seq).label("seq"))
        .where(CaseEvent.case_id.in_(case_ids))
        .group_by(CaseEvent.case_id)
        .subquery()
    )
    rows = session.execute(
        select(CaseEvent.case_id, CaseEvent.seq, CaseEvent.hash).join(
            newest, (CaseEvent.case_id == newest.c.case_id) & (CaseEvent.seq == newest.c.seq)
        )
    )
    return {case_id: (seq, hash_) for case_id, seq, hash_ in rows}


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
