"""``escalate``: one way to open a supervision, of a case or of a ledger problem."""

from __future__ import annotations

from sqlalchemy import select

from hotline.adapters.db.models import Case, CaseEvent, Problem, Supervision, Unit
from hotline.domain.lifecycle import Action
from hotline.domain.roles import Actor
from hotline.domain.supervision import SupervisionLevel, SupervisionStatus
from hotline.services.context import Hotline
from hotline.services.ledger.supervision import escalate
from tests.integration.helpers import act, new_case


def _problem_led_by(hotline: Hotline, unit_code: str) -> int:
    now = hotline.now()
    with hotline.db.transaction() as session:
        unit_id = session.scalars(select(Unit.id).where(Unit.code == unit_code)).one()
        problem = Problem(
            status="open", title="泉城路夜间施工噪音", district_code="370102",
            lead_unit_id=unit_id, first_case_at=now, last_case_at=now, case_count=1,
        )  # fmt: skip
        session.add(problem)
        session.flush()
        return problem.id


def _escalate(hotline: Hotline, number: str, problem_id: int | None) -> tuple[int, int | None]:
    """Open a 督办 of the case (or of the problem, the case as its trigger): (id, target unit)."""
    now = hotline.now()
    with hotline.db.transaction() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        problem = session.get(Problem, problem_id) if problem_id is not None else None
        level, source = SupervisionLevel.SUPERVISE, "manual"
        record = escalate(
            hotline, session, case, level, "群众反复反映", source, "sup", now, problem=problem
        )
        return record.id, record.target_unit_id


def test_a_problem_supervision_goes_to_the_problem_lead_and_stands_beside_the_case_one(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    number = new_case(hotline, actors["operator"])
    act(hotline, number, Action.REGISTER, actors["operator"], category_code="E0301")
    act(hotline, number, Action.DISPATCH, actors["dispatcher"], unit="LX-CGJ")
    problem_id = _problem_led_by(hotline, "SZ-CGJ")

    of_case, case_target = _escalate(hotline, number, None)
    of_problem, problem_target = _escalate(hotline, number, problem_id)
    assert of_problem != of_case  # the same level and source, another owner
    assert _escalate(hotline, number, problem_id) == (of_problem, problem_target)
    assert _escalate(hotline, number, None) == (of_case, case_target)

    with hotline.db.transaction() as session:
        codes = {u.id: u.code for u in session.scalars(select(Unit))}
        assert (codes[case_target or 0], codes[problem_target or 0]) == ("LX-CGJ", "SZ-CGJ")
        record = session.get(Supervision, of_problem)
        assert record is not None and record.problem_id == problem_id
        assert record.status == SupervisionStatus.OPEN and record.head_name == "王志刚"
        case_id = session.scalars(select(Case.id).where(Case.number == number)).one()
        events = session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.action == "supervise")
        ).all()
        assert [event.details["supervision"] for event in events] == [of_case, of_problem]
        assert events[1].details["problem"] == problem_id
