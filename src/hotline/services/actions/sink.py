"""The ORM unit of work: applies a handler's change set to the loaded case in the action's
transaction, in the order :mod:`hotline.domain.changes` prescribes, and seals the history event
(after the problem ledger has reviewed the case with it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime
from typing import TypeVar

from sqlalchemy.orm import Session

from hotline.adapters.db.models import Assignment, Callback, Case, CaseRequest
from hotline.domain.changes import ChangeSet, SupervisionOpening, Value
from hotline.domain.ledger import TrailEvent
from hotline.services.cases.history import append_event
from hotline.services.classifier.feedback import record_registration
from hotline.services.context import Hotline
from hotline.services.ledger.problems import sync_case_problem
from hotline.services.ledger.supervision import escalate
from hotline.services.outbox import enqueue

Column = TypeVar("Column", bound=str)  # a change set's column names (Literal per table)


def _open_supervision(
    hotline: Hotline, session: Session, case: Case, opening: SupervisionOpening, now: datetime
) -> None:
    # ``escalate`` addresses the case's lead unit and counts the response time itself; the
    # opening was decided on the same facts (the lead unit before the action's own changes).
    assert opening.target_unit_id == case.lead_unit_id
    escalate(
        hotline,
        session,
        case,
        opening.level,
        opening.reason,
        opening.source,
        opening.actor,
        now,
    )


def _set_columns(row: object, changes: Mapping[Column, Value]) -> None:
    for name, value in changes.items():
        setattr(row, name, value)


def _apply_rows(session: Session, case: Case, changes: ChangeSet) -> None:
    _set_columns(case, changes.case)
    assignments = {a.id: a for a in case.assignments}
    for update in changes.assignment_updates:
        _set_columns(assignments[update.assignment_id], update.changes)
    for new in changes.new_assignments:
        case.assignments.append(Assignment(**asdict(new)))
    requests = {r.id: r for r in case.requests}
    for request_update in changes.request_updates:
        _set_columns(requests[request_update.request_id], request_update.changes)
    for request in changes.new_requests:
        case.requests.append(CaseRequest(**asdict(request)))
    for callback in changes.callbacks:
        session.add(Callback(case_id=case.id, **asdict(callback)))


def apply_changes(hotline: Hotline, session: Session, case: Case, changes: ChangeSet) -> None:
    """Write ``changes`` to ``case`` (loaded and locked by the caller) and append its event."""
    event = changes.event
    for opening in changes.supervisions:
        _open_supervision(hotline, session, case, opening, event.at)
    _apply_rows(session, case, changes)
    for job in changes.outbox:
        enqueue(session, job.kind, dict(job.payload), event.at)
    if changes.classifier_registration:
        record_registration(session, case, event.actor, event.at)
    details = dict(event.details)
    pending = TrailEvent(event.action, event.to_status, event.at, details)
    ledger = sync_case_problem(hotline, session, case, event.at, pending)  # 挂号销账
    append_event(
        session,
        case,
        action=event.action,
        actor=event.actor,
        at=event.at,
        from_status=event.from_status,
        to_status=event.to_status,
        reason=event.reason,
        details={**details, **ledger},
    )
