"""The bulk sink: the same change sets the ORM unit of work applies (:mod:`.sink`), applied to
rows held in memory and handed out as table rows to be written in bulk
(:func:`hotline.adapters.db.bulk.write_tables`: COPY on PostgreSQL, executemany on SQLite).

For the demo engine, benchmarks and history import: no session, no lock, no query per action.
Everything a change set leads to online is done here from the same code where it is not the
database's: the handler is the same :func:`hotline.domain.handlers.handle`, the history event is
sealed by :mod:`hotline.domain.history` through the services' own row maker
(:class:`hotline.services.cases.history.BatchHistory`), a supervision is built by the services'
``Opening`` with the deadline of ``add_working_days``, the ledger's decisions are
:mod:`hotline.domain.ledger`'s functions. ``tests/integration/actions/test_sinks.py`` drives one
scenario through both sinks and compares every row (docs/decisions/0031-two-write-sinks.md).

Ids are handed out here from :class:`IdBlock` counters (cases, assignments, requests,
supervisions, problems), so that rows can name each other before they are written; the writer
moves the tables' sequences past them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any, TypeVar

from hotline.adapters.db.models import Unit
from hotline.domain.changes import ChangeSet, SupervisionOpening
from hotline.domain.handlers import handle
from hotline.domain.handlers.facts import Context
from hotline.domain.ledger import (
    BACK_TO_HANDLING,
    CaseState,
    LedgerStep,
    ReviewFacts,
    TrailEvent,
    confirmed_at,
    left_behind,
    registration,
    review,
    step_after_action,
    tally,
)
from hotline.domain.lifecycle import Status
from hotline.domain.supervision import (
    Escalation,
    Subject,
    SupervisionStatus,
    open_supervision,
)
from hotline.services.cases.history import BatchHistory, first_event_values
from hotline.services.context import Hotline
from hotline.services.ledger.supervision import target_unit
from hotline.services.outbox import job_values

Column = TypeVar("Column", bound=str)  # a change set's column names (Literal per table)

# The ledger's texts, as services/ledger/problems.py writes them.
UNSEARCHED_REASON = {"code": "unsearched", "text": "立案时尚未比对，先单独挂号"}
VOID_REASON = {"code": "void", "text": "工单作废"}
LEDGER_ACTIONS = frozenset({"verify", "record_callback", "answer_directly"})

# Tables in the order they are written: parents before children.
TABLES = (
    "problems",
    "cases",
    "case_assignments",
    "case_requests",
    "case_callbacks",
    "supervisions",
    "case_events",
    "problem_links",
    "case_classifications",
    "outbox",
)


@dataclass
class IdBlock:
    """The next id of each table whose rows name each other before they are written."""

    cases: int = 1
    case_assignments: int = 1
    case_requests: int = 1
    supervisions: int = 1
    problems: int = 1

    def take(self, table: str) -> int:
        value: int = getattr(self, table)
        setattr(self, table, value + 1)
        return value


@dataclass(slots=True)
class MemAssignment:
    id: int
    unit_id: int
    role: str
    parent_id: int | None
    status: str
    dispatched_at: datetime
    dispatched_by: str
    due_at: datetime | None
    accepted_at: datetime | None = None
    replied_at: datetime | None = None
    reply_text: str | None = None


@dataclass(slots=True)
class MemRequest:
    id: int
    kind: str
    assignment_id: int | None
    status: str
    requested_by: str
    requested_at: datetime
    reason: str | None = None
    reason_code: str | None = None
    requested_due_at: datetime | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_note: str | None = None


@dataclass(slots=True)
class MemSupervision:
    id: int
    case_id: int | None
    problem_id: int | None
    level: str
    source: str
    reason: str
    target_unit_id: int | None
    head_name: str | None
    head_title: str | None
    district_code: str | None
    due_at: datetime | None
    status: str
    created_at: datetime
    created_by: str
    response: str | None = None
    responded_at: datetime | None = None
    responded_by: str | None = None
    outcome: str | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None


@dataclass(slots=True)
class MemProblem:
    id: int
    status: str
    title: str
    category_code: str | None
    district_code: str | None
    street_code: str | None
    lead_unit_id: int | None
    lon: float | None
    lat: float | None
    first_case_at: datetime
    last_case_at: datetime
    case_count: int = 0
    recurrence_count: int = 0
    written_off_at: datetime | None = None
    written_off_by: str | None = None
    supervision_level: str | None = None
    version: int = 1
    reopened_at: datetime | None = None
    merged_into_id: int | None = None
    cases: list[MemCase] = field(default_factory=list)

    def row(self) -> dict[str, Any]:
        values = {name: getattr(self, name) for name in PROBLEM_COLUMNS}
        return values


PROBLEM_COLUMNS = tuple(f for f in MemProblem.__dataclass_fields__ if f != "cases")


class MemCase:
    """A case held in memory: its columns as attributes (the intake's and the actions'), its
    assignments and requests (the handlers read them through
    :class:`hotline.domain.handlers.facts.CaseRecord`), and what the ledger reads of its history.
    """

    status: str
    channel_code: str
    category_code: str | None
    district_code: str | None
    urgency: str
    caller_phone: str | None
    anonymous: bool
    supervised: bool
    lead_unit_id: int | None
    accept_due_at: datetime | None
    reply_due_at: datetime | None
    result_type: str | None
    callback_attempts: int
    reopen_count: int
    extension_count: int
    problem_id: int | None
    promised_on: date | None
    callback_next_at: datetime | None
    title: str | None
    content: str
    street_code: str | None
    lon: float | None
    lat: float | None
    created_at: datetime
    updated_at: datetime
    version: int

    def __init__(self, case_id: int, values: Mapping[str, Any]) -> None:
        self.__dict__.update(CASE_DEFAULTS)
        self.__dict__.update(values)
        self.id = case_id
        self.number: str = values["number"]
        self.assignments: list[MemAssignment] = []
        self.requests: list[MemRequest] = []
        self.trail: list[TrailEvent] = []  # the events the ledger reads (domain.ledger)
        self.problem: MemProblem | None = None
        # Rows written as the case lives (its events, callbacks, jobs, links): held with the
        # case until it is finished, so a case given up on leaves nothing behind.
        self.history = BatchHistory({})
        self.rows = Tables()
        self.registered: MemProblem | None = None
        self.supervisions: list[MemSupervision] = []

    def row(self) -> dict[str, Any]:
        values = self.__dict__
        return {name: values[name] for name in CASE_COLUMNS}


# Every column of the cases table a case row carries (the search terms are the writer's).
CASE_COLUMNS = (
    "id", "number", "status", "version", "channel_code", "title", "content", "address", "lon",
    "lat", "coord_system", "category_code", "urgency", "caller_name", "caller_phone",
    "anonymous", "confidential", "district_code", "street_code", "community_code",
    "lead_unit_id", "media_outlet", "media_link", "media_published_at", "accept_due_at",
    "reply_due_at", "accept_warn_at", "reply_warn_at", "accept_warned_at", "accept_breached_at",
    "reply_warned_at", "reply_breached_at", "accept_late", "reply_late", "verify_due_at",
    "callback_due_at", "promise_due_at", "result_type", "reply_text", "promised_on",
    "replied_at", "supervised", "needs_verification", "needs_callback", "callback_attempts",
    "reopen_count", "extension_count", "closed_as", "closed_at", "problem_id",
    "callback_next_at", "received_on", "created_at", "updated_at", "created_by",
    "anonymised_at",
)  # fmt: skip
CASE_DEFAULTS: dict[str, Any] = dict.fromkeys(CASE_COLUMNS)
CASE_DEFAULTS.update(
    version=1, supervised=False, callback_attempts=0, reopen_count=0, extension_count=0,
    anonymous=False, confidential=False, urgency="normal",
)  # fmt: skip


@dataclass
class Tables:
    """Rows ready to write, per table (see :data:`TABLES` for the order)."""

    rows: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {name: [] for name in TABLES}
    )

    def add(self, table: str, row: dict[str, Any]) -> None:
        self.rows[table].append(row)

    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.rows.items()}


class BulkSink:
    """Applies change sets to cases held in memory; :meth:`finish_case` hands a case's rows to
    :attr:`tables` once nothing will change it any more."""

    def __init__(self, hotline: Hotline, units: Mapping[int, Unit], ids: IdBlock) -> None:
        self.hotline, self.units, self.ids = hotline, units, ids
        self.targets = {unit_id: target_unit(unit) for unit_id, unit in units.items()}
        self.tables = Tables()
        self.classifications: dict[int, dict[str, Any]] = {}
        self.priority_at = hotline.profile.ledger.priority_supervision_at

    # --- intake ----------------------------------------------------------------------------

    def new_case(self, values: Mapping[str, Any], actor: str, now: datetime) -> MemCase:
        """A received case, as ``create_case`` stores it (``values``: its intake columns, as
        ``hotline.services.cases.intake`` makes them), with its ``receive`` event and
        ``enrich`` job."""
        case = MemCase(self.ids.take("cases"), values)
        first = first_event_values(
            case.number,
            action="receive",
            actor=actor,
            at=now,
            to_status=Status.RECEIVED.value,
            details={"channel": case.channel_code, "has_contact": bool(case.caller_phone)},
        )
        case.history.links[case.id] = (first["seq"], first["hash"])
        case.history.rows.append({"case_id": case.id, **first})
        case.rows.add(
            "outbox", job_values("enrich", {"case_id": case.id, "number": case.number}, now)
        )
        return case

    # --- actions ---------------------------------------------------------------------------

    def perform(self, case: MemCase, command: Any, ctx: Context) -> ChangeSet:
        """The online ``perform_action`` after its guard: the handler decides, this applies."""
        changes = handle(command, case, ctx)
        self.apply(case, changes)
        return changes

    def apply(self, case: MemCase, changes: ChangeSet) -> None:
        """Write ``changes`` to ``case`` in the order :mod:`hotline.domain.changes` prescribes."""
        event = changes.event
        for opening in changes.supervisions:
            escalation = Escalation(opening.level, opening.reason, opening.source, opening.actor)
            self.open_supervision(case, escalation, event.at, _target(opening, case))
        self._apply_rows(case, changes)
        for job in changes.outbox:
            case.rows.add("outbox", job_values(job.kind, dict(job.payload), event.at))
        if changes.classifier_registration:
            self._record_registration(case, event.actor, event.at)
        details = dict(event.details)
        pending = TrailEvent(event.action, event.to_status, event.at, details)
        ledger = self.sync_ledger(case, event.at, pending)
        self.append_event(case, event.action, event.actor, event.at, event.from_status,
                          event.to_status, event.reason, {**details, **ledger})  # fmt: skip

    def _apply_rows(self, case: MemCase, changes: ChangeSet) -> None:
        _set(case, changes.case)
        assignments = {a.id: a for a in case.assignments}
        for update in changes.assignment_updates:
            _set(assignments[update.assignment_id], update.changes)
        for new in changes.new_assignments:
            case.assignments.append(MemAssignment(self.ids.take("case_assignments"),
                                                  **_values(new)))  # fmt: skip
        requests = {r.id: r for r in case.requests}
        for request_update in changes.request_updates:
            _set(requests[request_update.request_id], request_update.changes)
        for request in changes.new_requests:
            case.requests.append(MemRequest(self.ids.take("case_requests"), **_values(request)))
        for callback in changes.callbacks:
            case.rows.add("case_callbacks", {"case_id": case.id, **_values(callback)})

    def _record_registration(self, case: MemCase, actor: str, now: datetime) -> None:
        row = self.classifications.setdefault(case.id, _classification(case.id))
        row.update(registered_code=case.category_code, registered_by=actor, registered_at=now)

    # --- history ---------------------------------------------------------------------------

    def append_event(
        self,
        case: MemCase,
        action: str,
        actor: str,
        at: datetime,
        from_status: str | None,
        to_status: str | None,
        reason: str | None,
        details: dict[str, Any],
    ) -> None:
        case.history.append(case.id, case.number, action=action, actor=actor, at=at,
                            from_status=from_status, to_status=to_status, reason=reason,
                            details=details)  # fmt: skip
        case.version += 1
        if action in LEDGER_ACTIONS or to_status in BACK_TO_HANDLING:
            case.trail.append(TrailEvent(action, to_status, at, details))

    # --- supervision (services/ledger/supervision.py's escalate) ---------------------------

    def open_supervision(
        self,
        case: MemCase,
        escalation: Escalation,
        now: datetime,
        unit_id: int | None,
        problem: MemProblem | None = None,
    ) -> MemSupervision | None:
        """Open a supervision of the case (or of ``problem``, through the case that triggered
        it), as ``escalate`` does online: decided by the domain's ``open_supervision``; None
        when one of this level and source is open already."""
        if problem is not None:
            subject = Subject.of_problem(problem.id, problem.district_code, case.id, case.number,
                                         case.district_code)  # fmt: skip
            existing = [s for c in problem.cases for s in c.supervisions
                        if s.problem_id == problem.id]  # fmt: skip
        else:
            subject, existing = Subject(case.id, case.number, case.district_code), case.supervisions
        unit = self.targets.get(unit_id) if unit_id is not None else None
        opening = open_supervision(subject, escalation, unit, self.hotline.clock, now, existing)
        if opening is None:
            return None
        record = MemSupervision(self.ids.take("supervisions"), **opening.record())  # type: ignore[arg-type]
        case.supervisions.append(record)
        case.__dict__.update(opening.case_changes())
        self.append_event(case, "supervise", escalation.actor, now, case.status, case.status,
                          escalation.reason, opening.event_details(record.id))  # fmt: skip
        case.rows.add("outbox", job_values("notify", opening.notice(record.id), now))
        return record

    # --- the problem ledger: services/ledger/problems.py's sync_case_problem, decided by the
    # same domain functions (hotline.domain.ledger) over the cases held here ------------------

    def sync_ledger(self, case: MemCase, now: datetime, pending: TrailEvent) -> dict[str, Any]:
        step = step_after_action(case.status, case.problem_id)
        problem = case.problem
        if step is LedgerStep.LEAVE and problem is not None:
            self._detach(case, problem, now)
            return {"problem_left": problem.id}
        if step is LedgerStep.REGISTER_ALONE:
            return {"problem": self._register_alone(case, now)}
        if step is LedgerStep.REVIEW and problem is not None:
            return self._review(problem, case, now, pending)
        return {}

    def _register_alone(self, case: MemCase, now: datetime) -> dict[str, Any]:
        """立案 before the repeat search: a problem of its own (every registered case is on the
        ledger), marked unsearched."""
        problem = MemProblem(id=self.ids.take("problems"), **registration(case))  # type: ignore[arg-type]
        case.problem = case.registered = problem
        self._set_problem_id(case, problem.id)
        problem.cases.append(case)
        self._link(case, problem.id, "link", UNSEARCHED_REASON, now)
        self._tally(problem)
        return {"problem": problem.id, "decision": "registered_unsearched"}

    def _detach(self, case: MemCase, problem: MemProblem, now: datetime) -> None:
        case.problem = None
        self._set_problem_id(case, None)
        problem.cases.remove(case)
        self._link(case, problem.id, "unlink", VOID_REASON, now)
        self._tally(problem)
        _set(problem, left_behind(problem.case_count, None))

    @staticmethod
    def _set_problem_id(case: MemCase, problem_id: int | None) -> None:
        # Online the link is a write of its own after the action's (the ledger flushes it):
        # the case's version counter moves once more, and the bulk rows must say the same.
        case.problem_id = problem_id
        case.version += 1

    @staticmethod
    def _link(
        case: MemCase, problem_id: int, action: str, reason: dict[str, str], now: datetime
    ) -> None:
        case.rows.add("problem_links", {
            "case_id": case.id, "problem_id": problem_id, "action": action, "score": None,
            "reasons": [reason], "by": "system", "at": now,
        })  # fmt: skip

    @staticmethod
    def _tally(problem: MemProblem) -> None:
        times = [c.created_at for c in problem.cases]
        _set(problem, tally(len(times), min(times, default=None), max(times, default=None)))

    def _review(
        self, problem: MemProblem, case: MemCase, now: datetime, pending: TrailEvent
    ) -> dict[str, Any]:
        """Lead unit, place, write-off or reopening, 重点督办 (domain.ledger.review)."""
        cases = problem.cases
        states = [
            CaseState(c.status, c.created_at,
                      confirmed_at([*c.trail, pending] if c is case else c.trail))
            for c in cases
        ]  # fmt: skip
        dispatched = [c for c in cases if c.lead_unit_id is not None]
        latest = max(dispatched, key=lambda c: (c.created_at, c.id)) if dispatched else None
        first = min(cases, key=lambda c: c.created_at) if cases else None
        facts = ReviewFacts(states, latest.lead_unit_id if latest else None, first)
        decided = review(problem, facts, self.priority_at, self.targets.get, now)
        _set(problem, decided.change.changes)
        closed: list[int] = []
        if decided.change.close_supervisions is not None:
            closed = self._close_problem_supervisions(
                problem, now, decided.change.close_supervisions
            )
        if decided.priority is not None:
            unit = decided.priority_unit
            self.open_supervision(case, decided.priority, now, unit.id if unit else None, problem)
            _set(problem, decided.level_changes)
        return decided.change.event_details(closed)

    @staticmethod
    def _close_problem_supervisions(problem: MemProblem, now: datetime, outcome: str) -> list[int]:
        closed = []
        for case in problem.cases:
            for record in case.supervisions:
                if record.problem_id == problem.id and record.status != SupervisionStatus.CLOSED:
                    record.status, record.outcome = SupervisionStatus.CLOSED.value, outcome
                    record.closed_at, record.closed_by = now, "system"
                    closed.append(record.id)
        return sorted(closed)

    # --- rows ------------------------------------------------------------------------------

    def finish_case(self, case: MemCase) -> None:
        """Hand the case's rows to :attr:`tables` (nothing may change it afterwards)."""
        tables = self.tables
        if case.registered is not None:  # the problem this case registered (挂号)
            tables.add("problems", case.registered.row())
        tables.add("cases", case.row())
        for a in case.assignments:
            tables.add("case_assignments", {"case_id": case.id, **_values(a)})
        for r in case.requests:
            tables.add("case_requests", {"case_id": case.id, **_values(r)})
        for s in case.supervisions:
            tables.add("supervisions", _values(s))
        if case.id in self.classifications:
            tables.add("case_classifications", self.classifications.pop(case.id))
        tables.rows["case_events"].extend(case.history.rows)
        for name, rows in case.rows.rows.items():
            tables.rows[name].extend(rows)

    def take_tables(self) -> Tables:
        """The rows of the cases finished so far, leaving the sink empty for the next."""
        taken, self.tables = self.tables, Tables()
        return taken


def _target(opening: SupervisionOpening, case: MemCase) -> int | None:
    assert opening.target_unit_id == case.lead_unit_id
    return opening.target_unit_id


def _values(row: Any) -> dict[str, Any]:
    """A dataclass's fields as a dict, values shared (``asdict`` deep-copies every value: the
    bulk sink's hottest line before)."""
    names = _FIELDS.get(type(row))
    if names is None:
        names = _FIELDS[type(row)] = tuple(f.name for f in fields(row))
    return {name: getattr(row, name) for name in names}


_FIELDS: dict[type, tuple[str, ...]] = {}


def _set(row: object, changes: Mapping[Column, Any]) -> None:
    for name, value in changes.items():
        setattr(row, name, value)


def _classification(case_id: int) -> dict[str, Any]:
    return {
        "case_id": case_id, "model_version": None, "suggested_at": None, "top1_code": None,
        "top2_code": None, "top3_code": None, "top1_probability": None, "suggestions": [],
        "registered_code": None, "registered_by": None, "registered_at": None,
    }  # fmt: skip


def iter_rows(tables: Tables) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    for name in TABLES:
        if tables.rows[name]:
            yield name, tables.rows[name]
