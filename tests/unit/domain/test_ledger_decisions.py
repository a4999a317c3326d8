"""The problem ledger's decisions over plain facts (domain.ledger): where a complaint is linked,
what joining, leaving and a review change on a problem, when 重点督办 opens. No database: the
problem is a dataclass, changes are applied to it as a sink would."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hotline.domain.ledger import (
    NO_CHANGE,
    RECURRENCE_OUTCOME,
    UNSEARCHED,
    WRITTEN_OFF_OUTCOME,
    CaseState,
    LedgerStep,
    LinkNote,
    ProblemChanges,
    ReviewFacts,
    decide_link,
    decided_by_search,
    joining,
    left_behind,
    needs_intake_link,
    registration,
    review,
    step_after_action,
    tally,
    within_window,
)
from hotline.domain.supervision import (
    Escalation,
    Subject,
    SupervisionLevel,
    TargetUnit,
    open_supervision,
)
from tests.unit.domain.memory import CLOCK, NOW

HOUR = timedelta(hours=1)
UNIT = TargetUnit(1, "LX-CGJ", "历下区城市管理局", "李建华", "局长", "历下区城市管理局局长李建华")
OTHER = TargetUnit(2, "LX-JFL", "解放路街道办事处", None, None, "解放路街道办事处负责人")
UNITS = {UNIT.id: UNIT, OTHER.id: OTHER}


@dataclass
class ProblemRow:
    id: int = 5
    status: str = "open"
    title: str = "经十路井盖缺失"
    case_count: int = 1
    recurrence_count: int = 0
    lead_unit_id: int | None = 1
    supervision_level: str | None = None
    district_code: str | None = "370102"
    street_code: str | None = "370102001"
    category_code: str | None = "E0301"
    written_off_at: datetime | None = None
    written_off_by: str | None = None
    reopened_at: datetime | None = None
    first_case_at: datetime | None = None
    last_case_at: datetime | None = None


@dataclass(frozen=True)
class Candidate:
    problem_id: int
    decision: str
    score: float
    reasons: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class Place:
    district_code: str | None
    street_code: str | None
    category_code: str | None


@dataclass(frozen=True)
class Intake:
    title: str | None
    content: str
    lead_unit_id: int | None = None
    lon: float | None = 117.0
    lat: float | None = 36.6
    created_at: datetime = NOW
    district_code: str | None = "370102"
    street_code: str | None = None
    category_code: str | None = "E0301"


def applied(problem: ProblemRow, changes: ProblemChanges) -> ProblemRow:
    values: dict[str, Any] = {name: value for name, value in changes.items()}
    return replace(problem, **values)


def handling(hours: float) -> CaseState:
    return CaseState("accepted", NOW + hours * HOUR, None)


def closed(hours: float, confirmed: float | None) -> CaseState:
    confirmed_at = None if confirmed is None else NOW + confirmed * HOUR
    return CaseState("closed", NOW + hours * HOUR, confirmed_at)


def reviewed(problem: ProblemRow, cases: list[CaseState], **facts: Any) -> Any:
    return review(problem, ReviewFacts(cases, **facts), 3, UNITS.get, NOW)


# --- linking -------------------------------------------------------------------------------


def test_the_best_candidate_at_the_link_threshold_decides_and_others_are_suggested() -> None:
    text = {"code": "text", "text": "文本相似度 0.82"}
    candidates = [
        Candidate(9, "suggest", 0.4, ({"code": "text", "text": "0.40"},)),
        Candidate(7, "link", 0.82, (text,)),
        Candidate(7, "suggest", 0.3),  # the problem chosen: no suggestion
        Candidate(8, "suggest", 0.35),
        Candidate(9, "suggest", 0.25),  # one suggestion per problem
    ]
    decision = decide_link(candidates, None)
    assert decision.problem_id == 7
    assert decision.decision == "linked"
    assert decision.note == LinkNote("system", 0.82, (text,))
    assert [(pid, note.score) for pid, note in decision.suggestions] == [(9, 0.4), (8, 0.35)]


def test_without_a_link_a_new_problem_or_the_one_registered_alone() -> None:
    fresh = decide_link([Candidate(8, "suggest", 0.3)], None)
    assert (fresh.problem_id, fresh.decision) == (None, "registered")
    assert fresh.note.reasons == ({"code": "new", "text": "未找到同一问题，新挂号"},)
    assert [pid for pid, _ in fresh.suggestions] == [8]
    alone = decide_link([], 4)
    assert (alone.problem_id, alone.decision) == (4, "registered")
    assert alone.note.reasons == ({"code": "new", "text": "未找到同一问题，单独挂号"},)


def test_the_intake_search_runs_once_on_a_case_not_void() -> None:
    unsearched = [{"code": UNSEARCHED, "text": "立案时尚未比对，先单独挂号"}]
    assert needs_intake_link("received", None, None)
    assert needs_intake_link("registered", 4, unsearched)  # registered alone: search still
    assert not needs_intake_link("registered", 4, [{"code": "new", "text": "…"}])
    assert not needs_intake_link("registered", 4, [{"code": "manual", "text": "人工归并"}])
    assert not needs_intake_link("void", None, None)
    assert decided_by_search(4, None)  # on a problem, no link row: not the search's to move
    assert not decided_by_search(None, None)


def test_the_channel_window_includes_its_edge() -> None:
    assert within_window(NOW - timedelta(days=90), NOW, 90)
    assert within_window(NOW + timedelta(days=90), NOW, 90)
    assert not within_window(NOW - timedelta(days=90, minutes=1), NOW, 90)


def test_a_new_problem_is_described_by_its_first_case() -> None:
    values = registration(Intake(None, "井" * 80, lead_unit_id=3))
    assert values == {
        "status": "open",
        "title": "井" * 60,
        "category_code": "E0301",
        "district_code": "370102",
        "street_code": None,
        "lead_unit_id": 3,
        "lon": 117.0,
        "lat": 36.6,
        "case_count": 0,
        "recurrence_count": 0,
        "first_case_at": NOW,
        "last_case_at": NOW,
    }
    assert registration(Intake("井盖缺失", "……"))["title"] == "井盖缺失"


def test_each_action_leaves_the_ledger_its_step() -> None:
    assert step_after_action("void", 4) is LedgerStep.LEAVE
    assert step_after_action("void", None) is LedgerStep.NONE
    assert step_after_action("registered", None) is LedgerStep.REGISTER_ALONE
    assert step_after_action("received", None) is LedgerStep.NONE
    assert step_after_action("dispatched", 4) is LedgerStep.REVIEW


def test_counting_and_leaving() -> None:
    assert tally(2, NOW, NOW + HOUR) == {
        "case_count": 2,
        "first_case_at": NOW,
        "last_case_at": NOW + HOUR,
    }
    assert tally(0, None, None) == {"case_count": 0}
    assert left_behind(1, 7) == {}
    assert left_behind(0, 7) == {"status": "merged", "merged_into_id": 7}
    assert left_behind(0, None) == {"status": "void", "merged_into_id": None}


# --- the review: write-off, reopening, lead unit, 重点督办 ---------------------------------------


def test_write_off_ends_the_round_and_resets_the_supervision_level() -> None:
    problem = ProblemRow(case_count=3, supervision_level="priority")
    decided = reviewed(problem, [closed(0, 5), closed(1, None), closed(2, None)])
    assert decided.change.changes == {
        "status": "written_off",
        "written_off_at": NOW,
        "written_off_by": "system",
        "supervision_level": None,
    }
    assert decided.change.close_supervisions == WRITTEN_OFF_OUTCOME
    assert decided.change.event_details([11, 12]) == {
        "problem_written_off": 5,
        "confirmed_at": (NOW + 5 * HOUR).isoformat(),
        "supervisions_closed": [11, 12],
    }
    assert "supervisions_closed" not in decided.change.event_details([])
    assert decided.priority is None  # written off: no supervision, though 3 complaints


def test_a_confirmation_before_the_last_complaint_does_not_write_off() -> None:
    decided = reviewed(ProblemRow(case_count=2), [closed(0, 1), closed(2, None)])
    assert decided.change == NO_CHANGE


def test_a_case_back_in_handling_puts_a_written_off_problem_back_on_the_ledger() -> None:
    problem = ProblemRow(status="written_off", case_count=2)
    decided = reviewed(problem, [closed(0, 5), handling(1)])
    assert decided.change.changes == {
        "status": "open",
        "written_off_at": None,
        "written_off_by": None,
    }
    assert decided.change.close_supervisions is None
    assert decided.change.event_details() == {"problem_reopened": 5}


def test_priority_supervision_opens_at_the_third_complaint_with_its_exact_due_time() -> None:
    two = reviewed(ProblemRow(case_count=2), [handling(0), handling(1)])
    assert two.priority is None
    problem = ProblemRow(case_count=3)
    decided = reviewed(problem, [handling(0), handling(1), handling(2)])
    assert decided.priority == Escalation(
        SupervisionLevel.PRIORITY,
        "同一问题已被投诉 3 次（问题 5：经十路井盖缺失），责任单位历下区城市管理局，"
        "由局长李建华负责督办落实",
        "repeat_complaints",
        "system",
    )
    assert decided.priority_unit == UNIT
    assert decided.level_changes == {"supervision_level": "priority"}
    subject = Subject.of_problem(problem.id, problem.district_code, 30, "2026112400030", None)
    opening = open_supervision(subject, decided.priority, decided.priority_unit, CLOCK, NOW)
    assert opening is not None
    # NOW is Tuesday 10:00 in Shanghai: three working days → Friday 10:00
    assert opening.due_at == datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
    assert opening.record()["problem_id"] == 5
    assert opening.record()["district_code"] == "370102"


def test_priority_supervision_opens_once_per_round() -> None:
    cases = [handling(0), handling(1), handling(2), handling(3)]
    for level in ("priority", "head"):
        assert reviewed(ProblemRow(case_count=4, supervision_level=level), cases).priority is None
    escalated = reviewed(ProblemRow(case_count=4, supervision_level="supervise"), cases)
    assert escalated.priority is not None


def test_priority_supervision_waits_for_a_unit_answering_for_the_problem() -> None:
    cases = [handling(0), handling(1), handling(2)]
    assert reviewed(ProblemRow(case_count=3, lead_unit_id=None), cases).priority is None
    decided = reviewed(ProblemRow(case_count=3, lead_unit_id=None), cases, latest_lead_unit_id=2)
    assert decided.change.changes == {"lead_unit_id": 2}
    assert decided.priority is not None
    assert decided.priority_unit == OTHER
    assert decided.priority.reason.endswith("责任单位解放路街道办事处，由负责人负责督办落实")


def test_the_latest_dispatched_cases_unit_answers_and_a_missing_place_is_filled() -> None:
    problem = ProblemRow(district_code=None, street_code=None, category_code="E0301")
    first = Place("370103", "370103002", "E0999")
    decided = reviewed(problem, [handling(0)], latest_lead_unit_id=2, first_case=first)
    assert decided.change.changes == {
        "lead_unit_id": 2,
        "district_code": "370103",
        "street_code": "370103002",
        "category_code": "E0301",  # what the problem has, it keeps
    }
    same = reviewed(ProblemRow(), [handling(0)], latest_lead_unit_id=1, first_case=first)
    assert same.change == NO_CHANGE


@pytest.mark.parametrize("status", ["merged", "void"])
def test_a_merged_or_void_problem_is_not_reviewed(status: str) -> None:
    decided = reviewed(ProblemRow(status=status, case_count=3), [closed(0, 1)])
    assert decided.change == NO_CHANGE
    assert decided.priority is None


def test_recurrence_after_write_off_starts_a_new_round() -> None:
    """Three complaints → 重点督办; write-off resets the level; a fourth complaint still in
    handling reopens the problem as a recurrence, and its review opens a new 重点督办."""
    problem = ProblemRow(case_count=3)
    first_round = reviewed(problem, [handling(0), handling(1), handling(2)])
    problem = applied(problem, first_round.level_changes)
    assert problem.supervision_level == "priority"
    written_off = reviewed(problem, [closed(0, 5), closed(1, None), closed(2, None)])
    problem = applied(problem, written_off.change.changes)
    assert (problem.status, problem.supervision_level) == ("written_off", None)

    assert joining(problem, "closed", NOW) == NO_CHANGE  # an old closed case moved onto it
    later = NOW + 24 * HOUR
    recurrence = joining(problem, "registered", later)
    assert recurrence.changes == {
        "status": "open",
        "recurrence_count": 1,
        "reopened_at": later,
        "written_off_at": None,
        "written_off_by": None,
        "supervision_level": None,
    }
    assert recurrence.close_supervisions == RECURRENCE_OUTCOME
    problem = applied(problem, {**recurrence.changes, **tally(4, NOW, later)})
    cases = [closed(0, 5), closed(1, None), closed(2, None), CaseState("registered", later, None)]
    second_round = review(problem, ReviewFacts(cases), 3, UNITS.get, later)
    assert second_round.change == NO_CHANGE
    assert second_round.priority is not None
    assert second_round.priority.reason.startswith("同一问题已被投诉 4 次")
    assert joining(ProblemRow(status="open"), "registered", NOW) == NO_CHANGE
