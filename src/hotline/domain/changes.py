"""What one lifecycle action changes, as data: the change set a pure handler returns.

A handler (:mod:`hotline.domain.handlers`) reads a case's facts and a typed command and decides;
it writes nothing. What it decided comes back as a :class:`ChangeSet`, and a *sink* applies it:
the ORM unit of work in :mod:`hotline.services.actions` for the online path (one transaction,
row locks, the history hash chain), a bulk sink for generated and imported data. Both apply the
same change set, so the two paths cannot drift apart.

Order of application (every sink follows it, because history and the ledger depend on it):

1. ``supervisions``: each opening, in order, with its own ``supervise`` history event written
   *before* the action's event (from and to the status before the action), its notification
   and ``supervised`` on the case where the level marks it; an opening whose level and source
   are already open on the case is skipped (idempotent per level and source);
2. ``case``: the case's columns, set as given (``status``, ``updated_at`` and the callback
   queue's ``callback_next_at`` included);
3. ``assignment_updates`` then ``new_assignments``; ``request_updates`` then ``new_requests``;
   ``callbacks``; ``outbox``;
4. ``classifier_registration``: the category the case was registered with, for the classifier's
   feedback (立案 only);
5. the action's history event (``event``), sealed into the case's hash chain; the problem
   ledger then reviews the case with that event (挂号销账).

Identifiers: an assignment or request is named by the id the sink handed in with the case's
facts (the database id online; any per-case unique number in a bulk sink, as long as its facts
use the same). New rows get their ids from the sink.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from hotline.domain.supervision import SupervisionLevel
from hotline.domain.vocabulary import AssignmentStatus, RequestStatus

# A change set's values are what the database columns hold (and JSON in history details).
Value = str | int | float | bool | date | datetime | None

# The case columns an action may set. Anything else on a case (its number, intake data, problem
# link, anonymisation) is no action's business.
CaseField = Literal[
    "status",
    "updated_at",
    "category_code",
    "district_code",
    "urgency",
    "lead_unit_id",
    "accept_due_at",
    "reply_due_at",
    "accept_warn_at",
    "reply_warn_at",
    "accept_warned_at",
    "accept_breached_at",
    "reply_warned_at",
    "reply_breached_at",
    "accept_late",
    "reply_late",
    "verify_due_at",
    "callback_due_at",
    "promise_due_at",
    "callback_next_at",
    "result_type",
    "reply_text",
    "promised_on",
    "replied_at",
    "supervised",
    "needs_verification",
    "needs_callback",
    "callback_attempts",
    "reopen_count",
    "extension_count",
    "closed_as",
    "closed_at",
]
AssignmentField = Literal["status", "accepted_at", "replied_at", "reply_text", "due_at"]
RequestField = Literal["status", "decided_by", "decided_at", "decision_note"]
AssignmentRole = Literal["lead", "co"]  # 主办 | 协办
RequestKind = Literal["return", "extension"]  # 退单 | 延期


@dataclass(frozen=True, slots=True)
class AssignmentUpdate:
    """Columns of an existing assignment (one of the case's, by the id in its facts)."""

    assignment_id: int
    changes: Mapping[AssignmentField, Value]


@dataclass(frozen=True, slots=True)
class NewAssignment:
    """A unit given the case: the lead unit (主办) and its chain below, or a co-unit (协办)."""

    unit_id: int
    role: AssignmentRole
    status: AssignmentStatus
    dispatched_at: datetime
    dispatched_by: str
    due_at: datetime | None
    parent_id: int | None = None  # the assignment that sub-dispatched it (下派)


@dataclass(frozen=True, slots=True)
class RequestUpdate:
    """Columns of an existing request (return or extension) of the case."""

    request_id: int
    changes: Mapping[RequestField, Value]


@dataclass(frozen=True, slots=True)
class NewRequest:
    """A unit's request awaiting the centre's decision: a return (退单) or an extension (延期)."""

    kind: RequestKind
    assignment_id: int
    status: RequestStatus
    requested_by: str
    requested_at: datetime
    reason: str | None = None
    reason_code: str | None = None
    requested_due_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class NewCallback:
    """One recorded callback attempt (回访)."""

    attempt: int
    unit_id: int | None  # the lead unit whose answer the citizen judged
    outcome: str
    process_satisfaction: str | None
    result_satisfaction: str | None
    solved: bool | None
    comment: str | None
    at: datetime
    by: str


@dataclass(frozen=True, slots=True)
class SupervisionOpening:
    """A supervision (督办单) to open on the case: addressed to ``target_unit_id`` (the lead unit
    before the action's own changes), answered by ``due_at``. The sink allocates its id, writes
    the record, its ``supervise`` event and its notification."""

    level: SupervisionLevel
    source: str  # why it was opened: callback_unsatisfied, manual, …
    reason: str
    actor: str
    target_unit_id: int | None
    due_at: datetime


@dataclass(frozen=True, slots=True)
class OutboxJob:
    """A job for the worker, queued in the action's transaction (delivered after it commits)."""

    kind: str
    payload: Mapping[str, Value | list[Value]]


@dataclass(frozen=True, slots=True)
class Event:
    """The action's history event (sealed into the hash chain by the sink)."""

    action: str
    actor: str
    at: datetime
    from_status: str
    to_status: str
    reason: str | None
    details: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """Everything one action changes; see the module's docstring for the order of application."""

    event: Event
    case: Mapping[CaseField, Value] = field(default_factory=dict)
    assignment_updates: tuple[AssignmentUpdate, ...] = ()
    new_assignments: tuple[NewAssignment, ...] = ()
    request_updates: tuple[RequestUpdate, ...] = ()
    new_requests: tuple[NewRequest, ...] = ()
    callbacks: tuple[NewCallback, ...] = ()
    supervisions: tuple[SupervisionOpening, ...] = ()
    outbox: tuple[OutboxJob, ...] = ()
    classifier_registration: bool = False  # record the registered category (立案) as feedback
