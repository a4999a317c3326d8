"""The problem ledger (挂号销账), inside the caller's transaction: linking a case to a problem,
registering a new one, writing problems off, reopening them, priority supervision.

Every registered case belongs to exactly one problem. At intake (the enrichment job, or the
register action if that comes first) :func:`link_at_intake` takes the ledger lock, catches the
process's repeat index up with the link log and decides: a candidate at or above the link
threshold → the case joins that candidate's problem; otherwise a new problem is registered, and
candidates between the two thresholds are recorded as suggestions for the operator. Under the
lock, two intakes about one new problem end in one problem: the second sees the first.

Lock order, to stay free of deadlocks: the case row (the caller's), then the ledger lock, then
problem rows in ascending id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import Session

from hotline.adapters.db.models import Case, CaseEvent, Problem, ProblemLink, Unit
from hotline.domain.changes import Value
from hotline.domain.ledger import (
    BACK_TO_HANDLING,
    RECURRENCE_OUTCOME,
    UNSEARCHED,
    WRITTEN_OFF_OUTCOME,
    CaseState,
    LedgerStep,
    LinkNote,
    ProblemStatus,
    ReviewFacts,
    TrailEvent,
    confirmed_at,
    decide_link,
    joining,
    left_behind,
    needs_intake_link,
    registration,
    review,
    step_after_action,
    system_note,
    tally,
)
from hotline.services.context import Hotline
from hotline.services.ledger.candidates import find_candidates
from hotline.services.ledger.repeat_index import document_of
from hotline.services.ledger.supervision import (
    close_problem_supervisions,
    escalate,
    target_unit,
)

__all__ = [
    "RECURRENCE_OUTCOME",
    "UNSEARCHED",
    "WRITTEN_OFF_OUTCOME",
    "LinkNote",
    "attach",
    "case_states",
    "detach",
    "link_at_intake",
    "lock_ledger",
    "lock_problems",
    "new_problem",
    "recount",
    "register_alone",
    "review_problem",
    "sync_case_problem",
]

LEDGER_LOCK_KEY = 0x686F746C_6C656467  # "hotlledg": one advisory lock for every link decision
SHOWN_CANDIDATES = 5


def lock_ledger(session: Session) -> None:
    """Serialise link decisions. PostgreSQL: a transaction-scoped advisory lock; SQLite takes
    the database write lock at BEGIN IMMEDIATE already, so writers are serial anyway."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LEDGER_LOCK_KEY})


def lock_problems(session: Session, ids: Iterable[int | None]) -> dict[int, Problem]:
    """Problem rows locked in ascending id (see the lock order above)."""
    locked = {}
    for problem_id in sorted({i for i in ids if i is not None}):
        problem = session.get(Problem, problem_id, with_for_update=True, populate_existing=True)
        if problem is not None:
            locked[problem_id] = problem
    return locked


Column = TypeVar("Column", bound=str)  # the problem columns a domain rule names


def _apply(problem: Problem, changes: Mapping[Column, Value]) -> None:
    for name, value in changes.items():
        setattr(problem, name, value)


def new_problem(session: Session, case: Case, now: datetime) -> Problem:
    """挂号: a new ledger entry, described by its first case."""
    problem = Problem(**registration(case))
    session.add(problem)
    session.flush()
    return problem


def attach(session: Session, case: Case, problem: Problem, note: LinkNote, now: datetime) -> bool:
    """Put ``case`` on ``problem`` (leaving its previous one, both locked by the caller); a case
    still in handling that joins a written-off problem reopens it as a recurrence. Returns
    whether it was a recurrence."""
    previous = case.problem_id
    change = joining(problem, case.status, now)
    if change.close_supervisions:
        # a round left open by a write-off made before rounds were closed: end it here
        close_problem_supervisions(session, problem.id, change.close_supervisions, now)
    _apply(problem, change.changes)
    case.problem_id = problem.id
    if previous is not None and previous != problem.id:
        _audit(session, case, previous, "unlink", note, now)
    _audit(session, case, problem.id, "link", note, now)
    session.flush()
    recount(session, problem)
    if previous is not None and previous != problem.id:
        _leave(session, previous, merged_into=problem.id)
    return bool(change.changes)


def detach(session: Session, case: Case, note: LinkNote, now: datetime) -> int | None:
    """Take ``case`` off the ledger (a voided case is no complaint); returns the problem left."""
    previous = case.problem_id
    if previous is None:
        return None
    case.problem_id = None
    _audit(session, case, previous, "unlink", note, now)
    session.flush()
    _leave(session, previous, merged_into=None)
    return previous


def _leave(session: Session, problem_id: int, merged_into: int | None) -> None:
    left = session.get(Problem, problem_id)
    if left is None:
        return
    recount(session, left)
    _apply(left, left_behind(left.case_count, merged_into))


def _audit(
    session: Session, case: Case, problem_id: int, action: str, note: LinkNote, now: datetime
) -> None:
    session.add(
        ProblemLink(
            case_id=case.id,
            problem_id=problem_id,
            action=action,
            score=note.score,
            reasons=list(note.reasons),
            by=note.by,
            at=now,
        )
    )


def recount(session: Session, problem: Problem) -> None:
    """Case count and first/last complaint times, from the cases themselves."""
    count, first, last = session.execute(
        select(func.count(), func.min(Case.created_at), func.max(Case.created_at)).where(
            Case.problem_id == problem.id
        )
    ).one()
    _apply(problem, tally(count, first, last))


def register_alone(session: Session, case: Case, now: datetime) -> dict[str, Any]:
    """立案 before the enrichment job searched: the case gets a problem of its own at once (every
    registered case is on the ledger), marked so that the search, when it runs, may still move
    it onto the problem it repeats."""
    problem = new_problem(session, case, now)
    attach(session, case, problem, system_note(UNSEARCHED, "立案时尚未比对，先单独挂号"), now)
    return {"problem": problem.id, "decision": "registered_unsearched"}


def _last_link_reasons(session: Session, case: Case) -> list[Any] | None:
    """The reasons of the case's newest link to its current problem (None: no such link)."""
    if case.problem_id is None:
        return None
    return session.scalars(
        select(ProblemLink.reasons)
        .where(ProblemLink.case_id == case.id, ProblemLink.problem_id == case.problem_id,
               ProblemLink.action == "link")
        .order_by(ProblemLink.id.desc())
        .limit(1)
    ).first()  # fmt: skip


def link_at_intake(hotline: Hotline, session: Session, case: Case, now: datetime) -> dict[str, Any]:
    """Link a new complaint to the problem it repeats, or register a new problem for it (the
    decision is :func:`hotline.domain.ledger.decide_link`'s, taken under the ledger lock)."""
    if not needs_intake_link(case.status, case.problem_id, _last_link_reasons(session, case)):
        return {}
    lock_ledger(session)
    candidates = find_candidates(hotline, session, document_of(case), case.channel_code, now)
    decision = decide_link(candidates, case.problem_id)
    if decision.problem_id is None:
        problem = new_problem(session, case, now)
    else:
        locked = lock_problems(session, [decision.problem_id, case.problem_id])
        problem = locked[decision.problem_id]
    recurrence = attach(session, case, problem, decision.note, now)
    for problem_id, note in decision.suggestions:
        _audit(session, case, problem_id, "suggest", note, now)
    review_problem(hotline, session, problem, case, now)
    return {
        "problem": problem.id,
        "decision": "recurrence" if recurrence else decision.decision,
        "candidates": [c.as_dict() for c in candidates[:SHOWN_CANDIDATES]],
    }


def review_problem(
    hotline: Hotline,
    session: Session,
    problem: Problem,
    case: Case,
    now: datetime,
    pending: TrailEvent | None = None,
) -> dict[str, Any]:
    """After a change to one of its cases (``pending``: the case's event about to be written):
    the review of :func:`hotline.domain.ledger.review` — lead unit, write-off or reopening,
    重点督办 — applied. Returns the details for the case's history event."""
    if problem.status not in (ProblemStatus.OPEN, ProblemStatus.WRITTEN_OFF):
        return {}
    facts = ReviewFacts(
        case_states(session, problem.id, (case.id, pending) if pending else None),
        _latest_lead_unit(session, problem.id),
        _first_case(session, problem),
    )
    threshold = hotline.profile.ledger.priority_supervision_at
    decided = review(
        problem, facts, threshold, lambda unit_id: target_unit(session.get(Unit, unit_id)), now
    )
    change = decided.change
    _apply(problem, change.changes)
    closed: list[int] = []
    if change.close_supervisions:
        closed = close_problem_supervisions(session, problem.id, change.close_supervisions, now)
    if (priority := decided.priority) is not None:
        escalate(
            hotline, session, case, priority.level, priority.reason, priority.source,
            priority.actor, now, problem=problem,
        )  # fmt: skip
        _apply(problem, decided.level_changes)
    return change.event_details(closed)


def _latest_lead_unit(session: Session, problem_id: int) -> int | None:
    """The lead unit of the problem's latest dispatched case."""
    return session.scalar(
        select(Case.lead_unit_id)
        .where(Case.problem_id == problem_id, Case.lead_unit_id.is_not(None))
        .order_by(Case.created_at.desc(), Case.id.desc())
        .limit(1)
    )


def _first_case(session: Session, problem: Problem) -> Case | None:
    """The problem's first case, read only while its place or category is missing."""
    if problem.district_code is not None and problem.category_code is not None:
        return None
    return session.scalars(
        select(Case).where(Case.problem_id == problem.id).order_by(Case.created_at).limit(1)
    ).first()


def case_states(
    session: Session, problem_id: int, pending: tuple[int, TrailEvent] | None = None
) -> list[CaseState]:
    """Each case of the problem; ``pending`` is (case id, event) of an event not yet written."""
    cases = session.execute(
        select(Case.id, Case.status, Case.created_at).where(Case.problem_id == problem_id)
    ).all()
    trails: dict[int, list[TrailEvent]] = {case_id: [] for case_id, _, _ in cases}
    events = session.execute(
        select(
            CaseEvent.case_id,
            CaseEvent.action,
            CaseEvent.to_status,
            CaseEvent.at,
            CaseEvent.details,
        )
        .where(
            CaseEvent.case_id.in_(list(trails)),
            or_(
                CaseEvent.action.in_(("verify", "record_callback", "answer_directly")),
                CaseEvent.to_status.in_(BACK_TO_HANDLING),
            ),
        )
        .order_by(CaseEvent.case_id, CaseEvent.seq)
    )
    for case_id, action, to_status, at, details in events:
        trails[case_id].append(TrailEvent(action, to_status, at, details or {}))
    if pending is not None and pending[0] in trails:
        trails[pending[0]].append(pending[1])
    return [
        CaseState(status, created_at, confirmed_at(trails[case_id]))
        for case_id, status, created_at in cases
    ]


def sync_case_problem(
    hotline: Hotline, session: Session, case: Case, now: datetime, pending: TrailEvent
) -> dict[str, Any]:
    """After a lifecycle action (``pending``: its event, written next): a registered case must be
    on the ledger, a voided one leaves it, and its problem is reviewed
    (:func:`hotline.domain.ledger.step_after_action`). Returns what changed, for the action's
    history event."""
    step = step_after_action(case.status, case.problem_id)
    if step is LedgerStep.LEAVE:
        lock_ledger(session)
        problem_id = case.problem_id
        lock_problems(session, [problem_id])
        detach(session, case, system_note("void", "工单作废"), now)
        return {"problem_left": problem_id}
    if step is LedgerStep.REGISTER_ALONE:
        lock_ledger(session)
        return {"problem": register_alone(session, case, now)}
    if step is LedgerStep.REVIEW:
        assert case.problem_id is not None
        problem = lock_problems(session, [case.problem_id]).get(case.problem_id)
        return review_problem(hotline, session, problem, case, now, pending) if problem else {}
    return {}
