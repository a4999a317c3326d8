"""The problem ledger's rules (挂号销账): when a problem is written off, when it recurs, and when
it goes under priority supervision. Pure: the services hand in the facts and the time.

A problem is written off (销账) only when every case linked to it is finished (结案 or 直办) and
its result was confirmed *after the last complaint came in*: a verification that passed
(核查通过) or a reached callback whose result was satisfied (满意/基本满意). A confirmation
that a later reopen, failed verification or re-sorting took back does not count. Taking the time
of the last complaint as the bar means a complaint that arrives after a confirmation (the
barbecue stall is back) needs a fresh confirmation, while one confirmed visit can settle every
complaint about the same manhole, whoever of the callers could be reached. A consultation
answered on the call (直办) is settled by that answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Literal, Protocol

from hotline.domain.changes import Value
from hotline.domain.lifecycle import Status
from hotline.domain.supervision import Escalation, SupervisionLevel, TargetUnit

FINISHED = frozenset({Status.CLOSED.value, Status.ANSWERED_DIRECTLY.value})
# A move back to handling takes back any earlier confirmation of the result.
BACK_TO_HANDLING = frozenset(
    {Status.ACCEPTED.value, Status.DISPATCHED.value, Status.REGISTERED.value}
)
SATISFIED = frozenset({"satisfied", "basically_satisfied"})
# The orders the ledger is listed in: oldest first (age); most complaints, most recurrences, or
# latest complaint first.
SORTS = ("age", "count", "recurrences", "recent")


class ProblemStatus(StrEnum):
    OPEN = "open"  # 挂号: on the ledger
    WRITTEN_OFF = "written_off"  # 销账
    MERGED = "merged"  # its cases were moved to another problem (merged_into_id)
    VOID = "void"  # its only cases were voided (作废)


PROBLEM_STATUS_LABELS = {
    ProblemStatus.OPEN: "在账",
    ProblemStatus.WRITTEN_OFF: "已销账",
    ProblemStatus.MERGED: "已合并",
    ProblemStatus.VOID: "已作废",
}


@dataclass(frozen=True, slots=True)
class TrailEvent:
    """What the ledger needs of one history event."""

    action: str
    to_status: str | None
    at: datetime
    details: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class CaseState:
    """One linked case: where it stands, when it came in, when its result was last confirmed."""

    status: str
    received_at: datetime
    confirmed_at: datetime | None


def confirmed_at(events: Iterable[TrailEvent]) -> datetime | None:
    """When the case's result was last confirmed, if no later step took it back.

    ``events`` in history order.
    """
    confirmed: datetime | None = None
    for event in events:
        if _confirms(event):
            confirmed = event.at
        elif event.to_status in BACK_TO_HANDLING:
            confirmed = None
    return confirmed


def _confirms(event: TrailEvent) -> bool:
    if event.action == "answer_directly":  # 直办: the operator settled it on the call itself
        return True
    if event.action == "verify":
        return bool(event.details.get("passed"))
    if event.action == "record_callback" and event.to_status == Status.CLOSED.value:
        return event.details.get("result_satisfaction") in SATISFIED
    return False


def write_off_at(cases: Sequence[CaseState]) -> datetime | None:
    """The confirmation that lets the problem be written off, or None while it may not be."""
    if not cases or any(case.status not in FINISHED for case in cases):
        return None
    confirmations = [case.confirmed_at for case in cases if case.confirmed_at is not None]
    if not confirmations:
        return None
    latest = max(confirmations)
    last_complaint = max(case.received_at for case in cases)
    return latest if latest >= last_complaint else None


def is_recurrence(problem_status: str, case_status: str) -> bool:
    """A complaint still being handled, linked to a written-off problem, is a recurrence."""
    return problem_status == ProblemStatus.WRITTEN_OFF and case_status not in FINISHED


def priority_supervision_due(case_count: int, threshold: int, already_at: str | None) -> bool:
    """Repeated ``threshold`` times or more, and not yet under priority (or higher) supervision."""
    return case_count >= threshold and already_at not in ("priority", "head")


# --- Decisions over plain facts (the ORM sink and a bulk sink apply them alike) ---------------
# Each function below reads facts (ORM rows satisfy the protocols as they are; a bulk sink passes
# its in-memory rows) and returns what changes; the services load, lock and write.

UNSEARCHED = "unsearched"  # a link made at 立案 before the repeat search ran
SYSTEM = "system"
WRITTEN_OFF_OUTCOME = "问题已销账，本轮督办随之办结"
RECURRENCE_OUTCOME = "问题复发，上一轮督办办结，另开新一轮"
PRIORITY_SOURCE = "repeat_complaints"
TITLE_CHARS = 60

# The problem columns the ledger's rules set.
ProblemField = Literal[
    "status",
    "title",
    "category_code",
    "district_code",
    "street_code",
    "lead_unit_id",
    "lon",
    "lat",
    "case_count",
    "recurrence_count",
    "first_case_at",
    "last_case_at",
    "written_off_at",
    "written_off_by",
    "supervision_level",
    "reopened_at",
    "merged_into_id",
]
ProblemChanges = dict[ProblemField, Value]


class ProblemRecord(Protocol):
    """A problem on the ledger, as its rules read it."""

    @property
    def id(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def case_count(self) -> int: ...
    @property
    def recurrence_count(self) -> int: ...
    @property
    def lead_unit_id(self) -> int | None: ...
    @property
    def supervision_level(self) -> str | None: ...
    @property
    def district_code(self) -> str | None: ...
    @property
    def street_code(self) -> str | None: ...
    @property
    def category_code(self) -> str | None: ...


class PlaceRecord(Protocol):
    """Where and what a case is about."""

    @property
    def district_code(self) -> str | None: ...
    @property
    def street_code(self) -> str | None: ...
    @property
    def category_code(self) -> str | None: ...


class IntakeCase(PlaceRecord, Protocol):
    """The complaint a new problem is registered (挂号) from, and described by."""

    @property
    def title(self) -> str | None: ...
    @property
    def content(self) -> str: ...
    @property
    def lead_unit_id(self) -> int | None: ...
    @property
    def lon(self) -> float | None: ...
    @property
    def lat(self) -> float | None: ...
    @property
    def created_at(self) -> datetime: ...


class LinkCandidate(Protocol):
    """An earlier case on the ledger the repeat search found (best first), with its problem."""

    @property
    def problem_id(self) -> int: ...
    @property
    def decision(self) -> str: ...  # link | suggest (hotline.repeats.Decision)
    @property
    def score(self) -> float: ...
    @property
    def reasons(self) -> Sequence[Mapping[str, Any]]: ...


@dataclass(frozen=True, slots=True)
class LinkNote:
    """Who or what linked, and on what evidence (kept in problem_links)."""

    by: str
    score: float | None = None
    reasons: tuple[dict[str, Any], ...] = ()


def system_note(code: str, text: str) -> LinkNote:
    return LinkNote(SYSTEM, None, ({"code": code, "text": text},))


def within_window(case_at: datetime, centre: datetime, window_days: float) -> bool:
    """Whether an earlier case lies within the new complaint's channel's time window."""
    return abs(case_at - centre) <= timedelta(days=window_days)


def decided_by_search(problem_id: int | None, last_link_reasons: Sequence[Any] | None) -> bool:
    """Whether a case's place on the ledger was decided by a search (or by a person):
    ``last_link_reasons`` are those of its newest link to its current problem (None: none)."""
    if problem_id is None:
        return False
    first = last_link_reasons[0] if last_link_reasons else None
    return not (isinstance(first, Mapping) and first.get("code") == UNSEARCHED)


def needs_intake_link(
    case_status: str, problem_id: int | None, last_link_reasons: Sequence[Any] | None
) -> bool:
    """The intake search links a case not void whose place no search has decided yet."""
    return case_status != Status.VOID and not decided_by_search(problem_id, last_link_reasons)


@dataclass(frozen=True, slots=True)
class LinkDecision:
    """Where a new complaint goes: ``problem_id`` (None: a new problem is registered for it),
    with the note for the audit, and the other problems suggested to the operator."""

    problem_id: int | None
    note: LinkNote
    decision: str  # linked | registered (recurrence: when joining reopens the problem)
    suggestions: tuple[tuple[int, LinkNote], ...] = ()


def decide_link(
    candidates: Sequence[LinkCandidate], current_problem_id: int | None
) -> LinkDecision:
    """The best candidate at or above the link threshold decides; without one, a case
    registered alone before the search stays so, any other gets a new problem. Candidates
    between the thresholds become suggestions, one per other problem."""
    best = next((c for c in candidates if c.decision == "link"), None)
    if best is not None:
        note = LinkNote(SYSTEM, best.score, tuple(dict(r) for r in best.reasons))
        chosen, decision = best.problem_id, "linked"
    elif current_problem_id is not None:
        chosen, decision = current_problem_id, "registered"
        note = system_note("new", "未找到同一问题，单独挂号")
    else:
        chosen, decision = None, "registered"
        note = system_note("new", "未找到同一问题，新挂号")
    return LinkDecision(chosen, note, decision, _suggestions(candidates, chosen))


def _suggestions(
    candidates: Sequence[LinkCandidate], chosen: int | None
) -> tuple[tuple[int, LinkNote], ...]:
    seen = {chosen}
    found = []
    for candidate in candidates:
        if candidate.decision != "suggest" or candidate.problem_id in seen:
            continue
        seen.add(candidate.problem_id)
        reasons = tuple(dict(r) for r in candidate.reasons)
        found.append((candidate.problem_id, LinkNote(SYSTEM, candidate.score, reasons)))
    return tuple(found)


def registration(case: IntakeCase) -> ProblemChanges:
    """挂号: a new problem's columns, described by its first case (counted when it joins)."""
    return {
        "status": ProblemStatus.OPEN.value,
        "title": (case.title or case.content)[:TITLE_CHARS],
        "category_code": case.category_code,
        "district_code": case.district_code,
        "street_code": case.street_code,
        "lead_unit_id": case.lead_unit_id,
        "lon": case.lon,
        "lat": case.lat,
        "case_count": 0,
        "recurrence_count": 0,
        "first_case_at": case.created_at,
        "last_case_at": case.created_at,
    }


@dataclass(frozen=True, slots=True)
class ProblemChange:
    """What one ledger rule changes on a problem: its columns, and whether its open supervisions
    close (with ``close_supervisions`` as their outcome, closed by the system at ``now``)."""

    changes: ProblemChanges = field(default_factory=dict)
    close_supervisions: str | None = None
    details: Mapping[str, object] = field(default_factory=dict)  # for the case's history event

    def event_details(self, closed_ids: Sequence[int] = ()) -> dict[str, object]:
        """``details`` plus the supervisions the sink closed (their ids), if any."""
        details = dict(self.details)
        if closed_ids:
            details["supervisions_closed"] = list(closed_ids)
        return details


NO_CHANGE = ProblemChange()


def joining(problem: ProblemRecord, case_status: str, now: datetime) -> ProblemChange:
    """A case joins ``problem``: still in handling, it reopens a written-off problem as a
    recurrence, which starts a new round of supervision (a round a write-off left open ends)."""
    if not is_recurrence(problem.status, case_status):
        return NO_CHANGE
    changes: ProblemChanges = {
        "status": ProblemStatus.OPEN.value,
        "recurrence_count": problem.recurrence_count + 1,
        "reopened_at": now,
        "written_off_at": None,
        "written_off_by": None,
        "supervision_level": None,
    }
    return ProblemChange(changes, RECURRENCE_OUTCOME, {"recurrence": True})


def tally(case_count: int, first_at: datetime | None, last_at: datetime | None) -> ProblemChanges:
    """The case count and first/last complaint times, from the problem's cases as they are."""
    changes: ProblemChanges = {"case_count": case_count}
    if first_at is not None:
        changes["first_case_at"], changes["last_case_at"] = first_at, last_at
    return changes


def left_behind(case_count: int, merged_into: int | None) -> ProblemChanges:
    """A problem its last case left: merged (into the problem it went to) or void."""
    if case_count:
        return {}
    status = ProblemStatus.MERGED if merged_into else ProblemStatus.VOID
    return {"status": status.value, "merged_into_id": merged_into}


class LedgerStep(StrEnum):
    """What the ledger does after a lifecycle action."""

    NONE = "none"
    LEAVE = "leave"  # a voided case leaves its problem
    REGISTER_ALONE = "register_alone"  # 立案 before the search: a problem of its own at once
    REVIEW = "review"  # its problem is reviewed with the action's event


def step_after_action(case_status: str, problem_id: int | None) -> LedgerStep:
    """Every registered case is on the ledger; a voided one is not."""
    if case_status == Status.VOID:
        return LedgerStep.LEAVE if problem_id is not None else LedgerStep.NONE
    if problem_id is None:
        return LedgerStep.REGISTER_ALONE if case_status == Status.REGISTERED else LedgerStep.NONE
    return LedgerStep.REVIEW


@dataclass(frozen=True, slots=True)
class ReviewFacts:
    """What a review reads besides the problem: every case of it (a pending event included),
    the lead unit of its latest dispatched case, and its first case (for a missing place)."""

    cases: Sequence[CaseState]
    latest_lead_unit_id: int | None = None
    first_case: PlaceRecord | None = None


@dataclass(frozen=True, slots=True)
class ProblemReview:
    """A review's decision: the problem's changes (lead unit, place, write-off or reopening),
    and a 重点督办 to open of the problem, addressed to ``priority_unit`` (the lead unit after
    ``change``), if due. Opening it sets the problem's level (``level_changes``)."""

    change: ProblemChange
    priority: Escalation | None = None
    priority_unit: TargetUnit | None = None

    @property
    def level_changes(self) -> ProblemChanges:
        """What the 重点督办, once opened, changes on the problem: one per round."""
        return {"supervision_level": self.priority.level.value} if self.priority else {}


def review(
    problem: ProblemRecord,
    facts: ReviewFacts,
    priority_at: int,
    unit_of: Callable[[int], TargetUnit | None],
    now: datetime,
) -> ProblemReview:
    """After a change to one of its cases: the lead unit answering for it, its missing place,
    write-off or reopening, and 重点督办 at ``priority_at`` complaints once per round.
    ``unit_of`` looks a unit up by id (for the supervision's addressee and reason)."""
    if problem.status not in (ProblemStatus.OPEN, ProblemStatus.WRITTEN_OFF):
        return ProblemReview(NO_CHANGE)
    settled = _settle(problem, facts.cases, now)
    change = replace(settled, changes={**_place_and_unit(problem, facts), **settled.changes})
    after = change.changes
    lead = after.get("lead_unit_id", problem.lead_unit_id)
    level = _text(after.get("supervision_level", problem.supervision_level))
    open_now = after.get("status", problem.status) == ProblemStatus.OPEN
    if not (open_now and isinstance(lead, int)):  # once a lead unit answers for it
        return ProblemReview(change)
    if not priority_supervision_due(problem.case_count, priority_at, level):
        return ProblemReview(change)
    unit = unit_of(lead)
    reason = priority_reason(problem, unit)
    return ProblemReview(
        change, Escalation(SupervisionLevel.PRIORITY, reason, PRIORITY_SOURCE), unit
    )


def _text(value: Value) -> str | None:
    return value if isinstance(value, str) else None


def priority_reason(problem: ProblemRecord, unit: TargetUnit | None) -> str:
    """Why a problem goes under 重点督办, naming whom it holds answerable."""
    head = f"{unit.head_title or '负责人'}{unit.head_name or ''}" if unit else "负责人"
    return (
        f"同一问题已被投诉 {problem.case_count} 次（问题 {problem.id}：{problem.title}），"
        f"责任单位{unit.name if unit else ''}，由{head}负责督办落实"
    )


def _place_and_unit(problem: ProblemRecord, facts: ReviewFacts) -> ProblemChanges:
    """The lead unit answering for the problem is that of its latest dispatched case; a place
    or category still missing is taken from its first case."""
    changes: ProblemChanges = {}
    lead = facts.latest_lead_unit_id
    if lead is not None and lead != problem.lead_unit_id:
        changes["lead_unit_id"] = lead
    first = facts.first_case
    if first is not None and (problem.district_code is None or problem.category_code is None):
        changes["district_code"] = problem.district_code or first.district_code
        changes["street_code"] = problem.street_code or first.street_code
        changes["category_code"] = problem.category_code or first.category_code
    return changes


def _settle(problem: ProblemRecord, cases: Sequence[CaseState], now: datetime) -> ProblemChange:
    """销账 when the rules allow it (ending the round of supervision); back on the ledger when
    a case of it was taken back into handling."""
    confirmation = write_off_at(cases)
    if confirmation is not None and problem.status == ProblemStatus.OPEN:
        changes: ProblemChanges = {
            "status": ProblemStatus.WRITTEN_OFF.value,
            "written_off_at": now,
            "written_off_by": SYSTEM,
            "supervision_level": None,  # a recurrence starts a new round of supervision
        }
        details = {"problem_written_off": problem.id, "confirmed_at": confirmation.isoformat()}
        return ProblemChange(changes, WRITTEN_OFF_OUTCOME, details)
    if confirmation is None and problem.status == ProblemStatus.WRITTEN_OFF:
        reopened: ProblemChanges = {
            "status": ProblemStatus.OPEN.value,
            "written_off_at": None,
            "written_off_by": None,
        }
        return ProblemChange(reopened, None, {"problem_reopened": problem.id})
    return NO_CHANGE
