"""A handler's working copy: the case's facts as they stand with the changes decided so far.

A handler reads through the draft, not the record, wherever it reads something it may already
have changed (an assignment's status after a return was decided, the deadline after it moved),
and records every change in it; :meth:`Draft.freeze` turns the lot into a :class:`ChangeSet`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from hotline.domain.changes import (
    AssignmentField,
    AssignmentUpdate,
    CaseField,
    ChangeSet,
    Event,
    NewAssignment,
    NewCallback,
    NewRequest,
    OutboxJob,
    RequestField,
    RequestUpdate,
    SupervisionOpening,
    Value,
)
from hotline.domain.handlers.facts import CaseRecord
from hotline.domain.lifecycle import Status


@dataclass(frozen=True, slots=True)
class AssignmentNow:
    """An existing assignment with the changes decided so far."""

    id: int
    unit_id: int
    role: str
    parent_id: int | None
    status: str
    dispatched_at: datetime
    accepted_at: datetime | None
    due_at: datetime | None


@dataclass(frozen=True, slots=True)
class RequestNow:
    """An existing request with the changes decided so far."""

    id: int
    kind: str
    assignment_id: int | None
    status: str
    requested_at: datetime
    requested_due_at: datetime | None


class Draft:
    """The changes one action decides, in the order the handler decides them."""

    def __init__(self, record: CaseRecord) -> None:
        self.record = record
        self.case: dict[CaseField, Value] = {}
        self._assignments: dict[int, dict[AssignmentField, Value]] = {}
        self._requests: dict[int, dict[RequestField, Value]] = {}
        self.new_assignments: list[NewAssignment] = []
        self.new_requests: list[NewRequest] = []
        self.callbacks: list[NewCallback] = []
        self.supervisions: list[SupervisionOpening] = []
        self.outbox: list[OutboxJob] = []
        self.classifier_registration = False

    # --- the case ----------------------------------------------------------------------------

    def set(self, changes: dict[CaseField, Value]) -> None:
        self.case.update(changes)

    @property
    def reply_due_at(self) -> datetime | None:
        value = self.case.get("reply_due_at", self.record.reply_due_at)
        assert value is None or isinstance(value, datetime)
        return value

    @property
    def lead_unit_id(self) -> int | None:
        value = self.case.get("lead_unit_id", self.record.lead_unit_id)
        assert value is None or isinstance(value, int)
        return value

    # --- assignments and requests ------------------------------------------------------------

    def assignments(self) -> list[AssignmentNow]:
        """The case's assignments as they stand now (new ones are not among them)."""
        current = []
        for a in self.record.assignments:
            changed = self._assignments.get(a.id, {})
            status, accepted_at, due_at = (
                changed.get("status", a.status),
                changed.get("accepted_at", a.accepted_at),
                changed.get("due_at", a.due_at),
            )
            assert isinstance(status, str)
            assert accepted_at is None or isinstance(accepted_at, datetime)
            assert due_at is None or isinstance(due_at, datetime)
            current.append(
                AssignmentNow(
                    a.id,
                    a.unit_id,
                    a.role,
                    a.parent_id,
                    status,
                    a.dispatched_at,
                    accepted_at,
                    due_at,
                )
            )
        return current

    def update_assignment(self, assignment_id: int, changes: dict[AssignmentField, Value]) -> None:
        self._assignments.setdefault(assignment_id, {}).update(changes)

    def requests(self) -> list[RequestNow]:
        current = []
        for r in self.record.requests:
            status = self._requests.get(r.id, {}).get("status", r.status)
            assert isinstance(status, str)
            current.append(
                RequestNow(
                    r.id, r.kind, r.assignment_id, status, r.requested_at, r.requested_due_at
                )
            )
        return current

    def update_request(self, request_id: int, changes: dict[RequestField, Value]) -> None:
        self._requests.setdefault(request_id, {}).update(changes)

    # --- the result --------------------------------------------------------------------------

    def freeze(self, event: Event) -> ChangeSet:
        return ChangeSet(
            event=event,
            case=dict(self.case),
            assignment_updates=tuple(
                AssignmentUpdate(i, dict(c)) for i, c in self._assignments.items()
            ),
            new_assignments=tuple(self.new_assignments),
            request_updates=tuple(RequestUpdate(i, dict(c)) for i, c in self._requests.items()),
            new_requests=tuple(self.new_requests),
            callbacks=tuple(self.callbacks),
            supervisions=tuple(self.supervisions),
            outbox=tuple(self.outbox),
            classifier_registration=self.classifier_registration,
        )


@dataclass(frozen=True, slots=True)
class Outcome:
    """Where a handler takes the case (checked against the transition table) and what its
    history event says."""

    to_status: Status
    details: dict[str, object] = field(default_factory=dict)
