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

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import Session

from hotline.adapters.db.models import Case, CaseEvent, Problem, ProblemLink, Unit
from hotline.domain.ledger import (
    BACK_TO_HANDLING,
    CaseState,
    ProblemStatus,
    TrailEvent,
    confirmed_at,
    is_recurrence,
    priority_supervision_due,
    write_off_at,
)
from hotline.domain.lifecycle import Status
from hotline.domain.supervision import SupervisionLevel
from hotline.services.context import Hotline
from hotline.services.ledger.candidates import ProblemCandidate, find_candidates
from hotline.services.ledger.repeat_index import document_of
from hotline.services.ledger.supervision import close_problem_supervisions, escalate

WRITTEN_OFF_OUTCOME = "问题已销账，本轮督办随之办结"
RECURRENCE_OUTCOME = "问题复发，上一轮督办办结，另开新一轮"

LEDGER_LOCK_KEY = 0x686F746C_6C656467  # "hotlledg": one advisory lock for every link decision
TITLE_CHARS = 60
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


def new_problem(session: Session, case: Case, now: datetime) -> Problem:
    """挂号: a new ledger entry, described by its first case."""
    problem = Problem(
        status=ProblemStatus.OPEN.value,
        title=(case.title or case.content)[:TITLE_CHARS],
        category_code=case.category_code,
        district_code=case.district_code,
        street_code=case.street_code,
        lead_unit_id=case.lead_unit_id,
        lon=case.lon,
        lat=case.lat,
        case_count=0,
        recurrence_count=0,
        first_case_at=case.created_at,
        last_case_at=case.created_at,
    )
    session.add(problem)
    session.flush()
    return problem


@dataclass(frozen=True, slots=True)
class LinkNote:
    """Who or what linked, and on what evidence (kept in problem_links)."""

    by: str
    score: float | None = None
    reasons: tuple[dict[str, Any], ...] = ()


def attach(session: Session, case: Case, problem: Problem, note: LinkNote, now: datetime) -> bool:
    """Put ``case`` on ``problem`` (leaving its previous one, both locked by the caller); a case
    still in handling that joins a written-off problem reopens it as a recurrence. Returns
    whether it was a recurrence."""
    previous = case.problem_id
    recurrence = is_recurrence(problem.status, case.status)
    if recurrence:
        # a round left open by a write-off made before rounds were closed: end it here
        close_problem_supervisions(session, problem.id, RECURRENCE_OUTCOME, now)
        problem.supervision_level = None  # the recurrence starts a new round
        problem.status = ProblemStatus.OPEN.value
        problem.recurrence_count += 1
        problem.reopened_at = now
        problem.written_off_at = problem.written_off_by = None
    case.problem_id = problem.id
    if previous is not None and previous != problem.id:
        _audit(session, case, previous, "unlink", note, now)
    _audit(session, case, problem.id, "link", note, now)
    session.flush()
    recount(session, problem)
    if previous is not None and previous != problem.id:
        _leave(session, previous, merged_into=problem.id)
    return recurrence


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
    if left.case_count == 0:
        left.status = (ProblemStatus.MERGED if merged_into else ProblemStatus.VOID).value
        left.merged_into_id = merged_into


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
    problem.case_count = count
    if first is not None:
        problem.first_case_at, problem.last_case_at = first, last


UNSEARCHED = "unsearched"


def register_alone(session: Session, case: Case, now: datetime) -> dict[str, Any]:
    """立案 before the enrichment job searched: the case gets a problem of its own at once (every
    registered case is on the ledger), marked so that the search, when it runs, may still move
    it onto the problem it repeats."""
    problem = new_problem(session, case, now)
    note = LinkNote("system", None, ({"code": UNSEARCHED, "text": "立案时尚未比对，先单独挂号"},))
    attach(session, case, problem, note, now)
    return {"problem": problem.id, "decision": "registered_unsearched"}


def _searched(session: Session, case: Case) -> bool:
    """Whether the case's place on the ledger was decided by a search (or by a person)."""
    if case.problem_id is None:
        return False
    reasons = session.scalars(
        select(ProblemLink.reasons)
        .where(ProblemLink.case_id == case.id, ProblemLink.problem_id == case.problem_id,
               ProblemLink.action == "link")
        .order_by(ProblemLink.id.desc())
        .limit(1)
    ).first()  # fmt: skip
    return not (reasons and reasons[0].get("code") == UNSEARCHED)


def link_at_intake(hotline: Hotline, session: Session, case: Case, now: datetime) -> dict[str, Any]:
    """Link a new complaint to the problem it repeats, or register a new problem for it."""
    if case.status == Status.VOID or _searched(session, case):
        return {}
    lock_ledger(session)
    candidates = find_candidates(hotline, session, document_of(case), case.channel_code, now)
    best = next((c for c in candidates if c.decision == "link"), None)
    if best is not None:
        problem = lock_problems(session, [best.problem_id, case.problem_id])[best.problem_id]
        note = LinkNote("system", best.score, tuple(best.reasons))
        decision = "linked"
    elif case.problem_id is not None:  # registered alone before the search: it stays so
        problem = lock_problems(session, [case.problem_id])[case.problem_id]
        note = LinkNote("system", None, ({"code": "new", "text": "未找到同一问题，单独挂号"},))
        decision = "registered"
    else:
        problem = new_problem(session, case, now)
        note = LinkNote("system", None, ({"code": "new", "text": "未找到同一问题，新挂号"},))
        decision = "registered"
    recurrence = attach(session, case, problem, note, now)
    _record_suggestions(session, case, problem, candidates, now)
    review_problem(hotline, session, problem, case, now)
    return {
        "problem": problem.id,
        "decision": "recurrence" if recurrence else decision,
        "candidates": [c.as_dict() for c in candidates[:SHOWN_CANDIDATES]],
    }


def _record_suggestions(
    session: Session, case: Case, chosen: Problem, candidates: list[ProblemCandidate], now: datetime
) -> None:
    """Candidates between the thresholds, one per other problem, for the operator to decide."""
    seen = {chosen.id}
    for candidate in candidates:
        if candidate.decision != "suggest" or candidate.problem_id in seen:
            continue
        seen.add(candidate.problem_id)
        note = LinkNote("system", candidate.score, tuple(candidate.reasons))
        _audit(session, case, candidate.problem_id, "suggest", note, now)


def review_problem(
    hotline: Hotline,
    session: Session,
    problem: Problem,
    case: Case,
    now: datetime,
    pending: TrailEvent | None = None,
) -> dict[str, Any]:
    """After a change to one of its cases (``pending``: the case's event about to be written):
    lead unit, write-off or reopening, supervision."""
    if problem.status not in (ProblemStatus.OPEN, ProblemStatus.WRITTEN_OFF):
        return {}
    _refresh_place_and_unit(session, problem)
    changed = _settle(session, problem, now, (case.id, pending) if pending else None)
    _escalate_if_due(hotline, session, problem, case, now)
    return changed


def _refresh_place_and_unit(session: Session, problem: Problem) -> None:
    """The lead unit answering for the problem: that of its latest dispatched case."""
    lead = session.scalar(
        select(Case.lead_unit_id)
        .where(Case.problem_id == problem.id, Case.lead_unit_id.is_not(None))
        .order_by(Case.created_at.desc(), Case.id.desc())
        .limit(1)
    )
    if lead is not None and lead != problem.lead_unit_id:
        problem.lead_unit_id = lead
    if problem.district_code is None or problem.category_code is None:
        first = session.scalars(
            select(Case).where(Case.problem_id == problem.id).order_by(Case.created_at).limit(1)
        ).first()
        if first is not None:
            problem.district_code = problem.district_code or first.district_code
            problem.street_code = problem.street_code or first.street_code
            problem.category_code = problem.category_code or first.category_code


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


def _settle(
    session: Session, problem: Problem, now: datetime, pending: tuple[int, TrailEvent] | None
) -> dict[str, Any]:
    """销账 when the rules allow it; back on the ledger when a case of it was reopened."""
    confirmation = write_off_at(case_states(session, problem.id, pending))
    if confirmation is not None and problem.status == ProblemStatus.OPEN:
        problem.status = ProblemStatus.WRITTEN_OFF.value
        problem.written_off_at, problem.written_off_by = now, "system"
        problem.supervision_level = None  # a recurrence starts a new round of supervision
        closed = close_problem_supervisions(session, problem.id, WRITTEN_OFF_OUTCOME, now)
        changed: dict[str, Any] = {"problem_written_off": problem.id,
                                   "confirmed_at": confirmation.isoformat()}  # fmt: skip
        if closed:
            changed["supervisions_closed"] = closed
        return changed
    if confirmation is None and problem.status == ProblemStatus.WRITTEN_OFF:
        problem.status = ProblemStatus.OPEN.value
        problem.written_off_at = problem.written_off_by = None
        return {"problem_reopened": problem.id}
    return {}


def _escalate_if_due(
    hotline: Hotline, session: Session, problem: Problem, case: Case, now: datetime
) -> None:
    """重点督办 at N complaints, once per round on the ledger, once a lead unit answers for it."""
    threshold = hotline.profile.ledger.priority_supervision_at
    if problem.status != ProblemStatus.OPEN or problem.lead_unit_id is None:
        return
    if not priority_supervision_due(problem.case_count, threshold, problem.supervision_level):
        return
    unit = session.get(Unit, problem.lead_unit_id)
    head = f"{unit.head_title or '负责人'}{unit.head_name or ''}" if unit else "负责人"
    reason = (
        f"同一问题已被投诉 {problem.case_count} 次（问题 {problem.id}：{problem.title}），"
        f"责任单位{unit.name if unit else ''}，由{head}负责督办落实"
    )
    level = SupervisionLevel.PRIORITY
    escalate(
        hotline, session, case, level, reason, "repeat_complaints", "system", now, problem=problem
    )
    problem.supervision_level = level.value


def sync_case_problem(
    hotline: Hotline, session: Session, case: Case, now: datetime, pending: TrailEvent
) -> dict[str, Any]:
    """After a lifecycle action (``pending``: its event, written next): a registered case must be
    on the ledger, a voided one leaves it, and its problem is reviewed. Returns what changed,
    for the action's history event."""
    if case.status == Status.VOID:
        if case.problem_id is None:
            return {}
        lock_ledger(session)
        problem_id = case.problem_id
        lock_problems(session, [problem_id])
        detach(
            session, case, LinkNote("system", None, ({"code": "void", "text": "工单作废"},)), now
        )
        return {"problem_left": problem_id}
    if case.problem_id is None:
        if case.status != Status.REGISTERED:
            return {}
        lock_ledger(session)
        return {"problem": register_alone(session, case, now)}
    problem = lock_problems(session, [case.problem_id]).get(case.problem_id)
    return review_problem(hotline, session, problem, case, now, pending) if problem else {}
