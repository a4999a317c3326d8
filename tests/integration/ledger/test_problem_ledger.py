"""The problem ledger on a real database: linking at intake, the time window and radius,
concurrent intake, write-off and recurrence, priority supervision, void, several processes."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from hotline.adapters.db.database import Database
from hotline.adapters.db.models import Case, Problem, ProblemLink, Supervision, Unit
from hotline.domain.ledger import write_off_at
from hotline.domain.lifecycle import Action
from hotline.domain.roles import Actor
from hotline.entrypoints.worker import run_worker
from hotline.services.cases.enrichment import IntakeDraft, enrich_case
from hotline.services.cases.suggestions import suggest_for_draft
from hotline.services.context import Hotline
from hotline.services.ledger.candidates import find_candidates
from hotline.services.ledger.problems import case_states
from hotline.services.ledger.repeat_index import document_of
from tests.conftest import FakeClock
from tests.integration.helpers import act, new_case
from tests.integration.ledger_corpus import store_archive_model

BBQ = "历下区山大路东方小区门口烧烤摊每天晚上营业到凌晨两点，油烟很大，噪音扰民，居民无法休息。"
BBQ_REWORDED = "山大路东方小区门口的烧烤摊天天开到半夜两点，烟熏火燎又吵，住户没法睡觉，请管一管。"
BBQ_EDITED = "山大路东方小区门口烧烤摊每天晚上营业到凌晨三点，油烟很大，噪音扰民，居民无法休息。"
MANHOLE = "历下区山大路东方小区门口的井盖破损塌陷，行人差点掉进去，请尽快维修。"
STALLS = "历下区山大路中段有商户占道经营，把货物堆在人行道上，行人只能走机动车道。"
ADDRESS = "历下区山大路123号"


@pytest.fixture(autouse=True)
def archive_model(hotline: Hotline) -> None:
    store_archive_model(hotline)


def _take(hotline: Hotline, actor: Actor, content: str, **fields: Any) -> str:
    """Intake and the enrichment job, as the worker runs it after the create commits."""
    number = new_case(hotline, actor, content=content, address=ADDRESS, **fields)
    run_worker(hotline, once=True)
    return number


def _problem_of(hotline: Hotline, number: str) -> int | None:
    with hotline.db.transaction() as session:
        return session.scalar(select(Case.problem_id).where(Case.number == number))


def _problem(hotline: Hotline, number: str) -> Problem:
    with hotline.db.transaction() as session:
        problem = session.scalars(
            select(Problem).join(Case, Case.problem_id == Problem.id).where(Case.number == number)
        ).one()
        session.expunge(problem)
        return problem


def _problems(hotline: Hotline) -> int:
    with hotline.db.transaction() as session:
        return (
            session.scalar(select(func.count()).select_from(Problem).where(Problem.case_count > 0))
            or 0
        )


def test_rewordings_and_small_edits_join_the_problem_and_other_problems_on_the_street_do_not(
    hotline: Hotline, actors: dict[str, Actor], clock: FakeClock
) -> None:
    first = _take(hotline, actors["operator"], BBQ, caller_phone="13800000001")
    clock.advance(days=2)
    reworded = _take(hotline, actors["operator"], BBQ_REWORDED, caller_phone="13900000002")
    edited = _take(hotline, actors["operator"], BBQ_EDITED, caller_phone="13700000003")
    manhole = _take(hotline, actors["operator"], MANHOLE, caller_phone="13600000004")
    stalls = _take(hotline, actors["operator"], STALLS, caller_phone="13500000005")
    problem = _problem_of(hotline, first)
    assert problem is not None
    assert _problem_of(hotline, reworded) == problem
    assert _problem_of(hotline, edited) == problem
    assert _problem_of(hotline, manhole) not in (None, problem)
    assert _problem_of(hotline, stalls) not in (None, problem, _problem_of(hotline, manhole))
    with hotline.db.transaction() as session:
        links = session.scalars(select(ProblemLink).order_by(ProblemLink.id)).all()
        reworded_link = next(
            link
            for link in links
            if link.action == "link"
            and link.problem_id == problem
            and link.by == "system"
            and link.score is not None
        )
        assert reworded_link.score is not None and reworded_link.score >= 0.5
        assert {reason["code"] for reason in reworded_link.reasons} >= {"text"}


def test_the_enrich_event_records_the_decision_and_its_candidates(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    _take(hotline, actors["operator"], BBQ)
    second = _take(hotline, actors["operator"], BBQ_REWORDED)
    with hotline.db.transaction() as session:
        case = session.scalars(select(Case).where(Case.number == second)).one()
        enrich = next(event for event in case.events if event.action == "enrich")
        decision = enrich.details["problem"]
    assert decision["decision"] == "linked" and decision["problem"] == case.problem_id
    best = decision["candidates"][0]
    assert best["decision"] == "link" and best["score"] >= 0.5
    assert best["reasons"][0]["code"] == "text"


def test_suggestions_show_earlier_cases_with_score_and_reasons_without_linking(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    first = _take(hotline, actors["operator"], BBQ, caller_phone="13800000001")
    draft = IntakeDraft(channel="12345", content=BBQ_REWORDED, caller_phone="13800000001")
    found = suggest_for_draft(hotline, draft, actors["operator"], hotline.now())
    problem = [s for s in found if s.field == "problem"]
    assert len(problem) == 1
    candidates = problem[0].value["candidates"]
    assert candidates[0]["case"] == first and candidates[0]["decision"] == "link"
    assert "same_caller" in {reason["code"] for reason in candidates[0]["reasons"]}
    assert _problems(hotline) == 1  # nothing was stored


def test_an_earlier_case_outside_the_time_window_is_not_a_candidate(
    hotline: Hotline, actors: dict[str, Actor], clock: FakeClock
) -> None:
    old = _take(hotline, actors["operator"], BBQ)
    clock.advance(days=89)
    within = _take(hotline, actors["operator"], BBQ_REWORDED)
    assert _problem_of(hotline, within) == _problem_of(hotline, old)
    clock.advance(days=92)  # 181 days after the first, 92 after the second
    later = _take(hotline, actors["operator"], BBQ_EDITED)
    assert _problem_of(hotline, later) not in (None, _problem_of(hotline, old))


def test_the_window_is_configured_per_channel(
    hotline: Hotline, actors: dict[str, Actor], clock: FakeClock
) -> None:
    assert hotline.profile.ledger.window_for("patrol") == 30
    first = _take(hotline, actors["operator"], BBQ)
    clock.advance(days=40)
    by_phone = _take(hotline, actors["operator"], BBQ_REWORDED)  # 90 days for 12345
    by_patrol = _take(hotline, actors["operator"], BBQ_EDITED, channel="patrol")
    assert _problem_of(hotline, by_phone) == _problem_of(hotline, first)
    assert _problem_of(hotline, by_patrol) not in (None, _problem_of(hotline, first))


def _candidate_near(hotline: Hotline, lon: float, lat: float, number: str) -> dict[str, float]:
    with hotline.db.transaction() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        session.expunge(case)
    case.number, case.lon, case.lat = "draft", lon, lat
    case.street_code = case.community_code = None  # the distance alone locates it
    with hotline.db.transaction() as session:
        found = find_candidates(hotline, session, document_of(case), "12345", hotline.now())
    return {reason["code"]: reason["factor"] for reason in found[0].reasons}


def test_the_radius_is_respected(hotline: Hotline, actors: dict[str, Actor]) -> None:
    first = _take(hotline, actors["operator"], BBQ, lon=117.0400, lat=36.6700)
    # about 110 m north: within the 300 m radius, the closer the stronger
    near = _candidate_near(hotline, 117.0400, 36.6710, first)
    assert 1.0 < near["near"] <= 1.3
    # about 1.1 km: no longer near; about 5.5 km: far, which lowers the score
    assert "near" not in _candidate_near(hotline, 117.0400, 36.6800, first)
    assert _candidate_near(hotline, 117.0400, 36.7200, first)["far"] < 1.0
    hotline.profile.ledger.radius_m = 2000  # a city may widen it
    from hotline.services.ledger.repeat_index import forget_index

    forget_index(hotline)
    assert "near" in _candidate_near(hotline, 117.0400, 36.6800, first)


def test_register_before_the_search_puts_the_case_alone_and_the_search_then_moves_it(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    first = _take(hotline, actors["operator"], BBQ)
    number = new_case(hotline, actors["operator"], content=BBQ_EDITED, address=ADDRESS)
    assert _problem_of(hotline, number) is None
    act(hotline, number, Action.REGISTER, actors["operator"])
    alone = _problem(hotline, number)
    assert alone.case_count == 1 and alone.id != _problem_of(hotline, first)
    run_worker(hotline, once=True)  # the enrichment job searches and moves it
    assert _problem_of(hotline, number) == _problem_of(hotline, first)
    with hotline.db.transaction() as session:
        left = session.get(Problem, alone.id)
        assert left is not None and left.status == "merged" and left.case_count == 0
    lonely = new_case(hotline, actors["operator"], content=STALLS, address=ADDRESS)
    act(hotline, lonely, Action.REGISTER, actors["operator"])
    kept = _problem_of(hotline, lonely)
    run_worker(hotline, once=True)  # nothing to join: it keeps its own problem
    assert _problem_of(hotline, lonely) == kept is not None


def _concurrent_enrich(hotline: Hotline, numbers: list[str]) -> None:
    with hotline.db.transaction() as session:
        ids = list(session.scalars(select(Case.id).where(Case.number.in_(numbers))))
    barrier = threading.Barrier(len(ids))
    errors: list[BaseException] = []

    def enrich(case_id: int) -> None:
        try:
            barrier.wait()
            enrich_case(hotline, case_id, hotline.now())
        except BaseException as exc:  # re-raised in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=enrich, args=(case_id,)) for case_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


@pytest.mark.parametrize("round_", range(3))
def test_concurrent_intake_of_one_new_problem_yields_one_problem(
    hotline: Hotline, actors: dict[str, Actor], round_: int
) -> None:
    numbers = [
        new_case(hotline, actors["operator"], content=text, address=ADDRESS)
        for text in (BBQ, BBQ_EDITED, BBQ.replace("两点", "一点"))
    ]
    _concurrent_enrich(hotline, numbers)
    problems = {_problem_of(hotline, number) for number in numbers}
    assert len(problems) == 1 and None not in problems
    assert _problem(hotline, numbers[0]).case_count == 3


def test_a_second_process_sees_the_first_ones_links(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    first = _take(hotline, actors["operator"], BBQ)  # this process builds its index
    other = Hotline(hotline.settings, Database(hotline.settings.resolved_database_url),
                    hotline.clock, hotline.now)  # fmt: skip
    try:
        second = new_case(other, actors["operator"], content=BBQ_REWORDED, address=ADDRESS)
        run_worker(other, once=True)  # the other process: its own index, built now
        third = new_case(hotline, actors["operator"], content=BBQ_EDITED, address=ADDRESS)
        run_worker(hotline, once=True)  # caught up from the link log: sees the second case
        with hotline.db.transaction() as session:
            third_case = session.scalars(select(Case).where(Case.number == third)).one()
            found = find_candidates(
                hotline, session, document_of(third_case), "12345", hotline.now()
            )
        assert {candidate.case for candidate in found} >= {first, second}
        assert _problem_of(hotline, third) == _problem_of(hotline, first)
        assert _problem_of(other, second) == _problem_of(hotline, first)
    finally:
        other.db.dispose()


def _register_and_dispatch(hotline: Hotline, actors: dict[str, Actor], number: str) -> None:
    """Registered in the category the enrichment suggested (a different one would weaken the
    match of later complaints: other_category_factor)."""
    act(hotline, number, Action.REGISTER, actors["operator"])
    act(hotline, number, Action.DISPATCH, actors["dispatcher"], unit="LX-CGJ")


def _close_satisfied(hotline: Hotline, actors: dict[str, Actor], number: str) -> None:
    _register_and_dispatch(hotline, actors, number)
    act(hotline, number, Action.ACCEPT, actors["handler"])
    act(hotline, number, Action.REPLY, actors["handler"], result_type="solved", reply_text="已取缔")
    with hotline.db.transaction() as session:
        status = session.scalars(select(Case.status).where(Case.number == number)).one()
    if status == "verifying":  # a supervised case is verified first
        act(hotline, number, Action.VERIFY, actors["inspector"], passed=True)
    _callback(hotline, actors, number, "satisfied")


def _callback(hotline: Hotline, actors: dict[str, Actor], number: str, result: str) -> None:
    act(hotline, number, Action.RECORD_CALLBACK, actors["operator"], outcome="reached",
        process_satisfaction="satisfied", result_satisfaction=result, solved=True)  # fmt: skip


def test_write_off_when_all_cases_are_closed_and_confirmed_and_recurrence_reopens(
    hotline: Hotline, actors: dict[str, Actor], clock: FakeClock
) -> None:
    first = _take(hotline, actors["operator"], BBQ)
    second = _take(hotline, actors["operator"], BBQ_REWORDED)
    _close_satisfied(hotline, actors, first)
    assert _problem(hotline, first).status == "open"  # the second case is still open
    _close_satisfied(hotline, actors, second)
    written_off = _problem(hotline, first)
    assert written_off.status == "written_off" and written_off.written_off_at == clock.current
    clock.advance(days=10)
    again = _take(hotline, actors["operator"], BBQ_EDITED)
    reopened = _problem(hotline, again)
    assert reopened.id == written_off.id
    assert reopened.status == "open" and reopened.recurrence_count == 1
    assert reopened.reopened_at == clock.current and reopened.written_off_at is None
    _close_satisfied(hotline, actors, again)
    assert _problem(hotline, again).status == "written_off"
    assert _problem(hotline, again).recurrence_count == 1


def test_no_write_off_without_a_confirmed_result(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    number = _take(hotline, actors["operator"], BBQ)
    _register_and_dispatch(hotline, actors, number)
    act(hotline, number, Action.ACCEPT, actors["handler"])
    act(
        hotline, number, Action.REPLY, actors["handler"], result_type="explained", reply_text="解释"
    )
    for _ in range(3):  # unreachable three times: closed, but nobody confirmed the result
        act(hotline, number, Action.RECORD_CALLBACK, actors["operator"], outcome="unreachable")
    with hotline.db.transaction() as session:
        assert session.scalars(select(Case.status).where(Case.number == number)).one() == "closed"
    assert _problem(hotline, number).status == "open"


def test_a_reopened_case_takes_its_problem_back_onto_the_ledger(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    number = _take(hotline, actors["operator"], BBQ)
    _close_satisfied(hotline, actors, number)
    assert _problem(hotline, number).status == "written_off"
    act(
        hotline,
        number,
        Action.REOPEN,
        actors["supervisor"],
        reason="群众再次反映",
        target="same_unit",
    )
    problem = _problem(hotline, number)
    assert problem.status == "open" and problem.recurrence_count == 0


def test_priority_supervision_at_three_complaints_exactly_once(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    first = _take(hotline, actors["operator"], BBQ)
    _register_and_dispatch(hotline, actors, first)
    _take(hotline, actors["operator"], BBQ_REWORDED)
    with hotline.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Supervision)) == 0
    third = _take(hotline, actors["operator"], BBQ_EDITED)
    _take(hotline, actors["operator"], BBQ_REWORDED + "再次反映")
    problem = _problem(hotline, first)
    assert problem.case_count == 4 and problem.supervision_level == "priority"
    with hotline.db.transaction() as session:
        records = session.scalars(select(Supervision)).all()
        assert len(records) == 1
        record = records[0]
        assert record.level == "priority" and record.problem_id == problem.id
        assert record.source == "repeat_complaints"
        assert record.target_unit_id == problem.lead_unit_id is not None
        unit = session.get(Unit, problem.lead_unit_id)
        assert unit is not None and unit.code == "LX-CGJ"
        assert record.head_title == unit.head_title == "局长"
        assert (
            unit.name in record.reason and "局长" in record.reason and "4 次" not in record.reason
        )
        trigger = session.get(Case, record.case_id)
        assert trigger is not None and trigger.number == third and trigger.supervised


def test_priority_supervision_waits_for_a_lead_unit(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    numbers = [_take(hotline, actors["operator"], text) for text in (BBQ, BBQ_REWORDED, BBQ_EDITED)]
    with hotline.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Supervision)) == 0
    _register_and_dispatch(hotline, actors, numbers[1])
    with hotline.db.transaction() as session:
        record = session.scalars(select(Supervision)).one()
        assert record.level == "priority" and record.target_unit_id is not None


def test_a_voided_case_leaves_the_ledger(hotline: Hotline, actors: dict[str, Actor]) -> None:
    first = _take(hotline, actors["operator"], BBQ)
    second = _take(hotline, actors["operator"], BBQ_REWORDED)
    act(hotline, second, Action.VOID, actors["operator"], reason="重复来电，误登记")
    assert _problem_of(hotline, second) is None
    assert _problem(hotline, first).case_count == 1
    with hotline.db.transaction() as session:
        actions = [
            link.action
            for link in session.scalars(
                select(ProblemLink).join(Case).where(Case.number == second).order_by(ProblemLink.id)
            )
        ]
    assert actions[-1] == "unlink"


def test_two_operators_relinking_one_case_at_once_one_wins_the_other_is_told(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    from hotline.domain.errors import ConcurrentChange
    from hotline.services.ledger.edits import link_case

    first = _take(hotline, actors["operator"], BBQ)
    other = _take(hotline, actors["operator"], STALLS)
    moving = _take(hotline, actors["operator"], MANHOLE)
    targets = [_problem_of(hotline, first), _problem_of(hotline, other)]
    with hotline.db.transaction() as session:
        version = session.scalars(select(Case.version).where(Case.number == moving)).one()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def relink(problem_id: int | None) -> None:
        assert problem_id is not None
        barrier.wait()
        try:
            link_case(hotline, moving, problem_id, actors["dispatcher"], hotline.now(),
                      expected_version=version)  # fmt: skip
            outcomes.append("linked")
        except ConcurrentChange:
            outcomes.append("conflict")

    threads = [threading.Thread(target=relink, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "linked"]
    assert _problem_of(hotline, moving) in targets
    with hotline.db.transaction() as session:
        counts = {p.id: p.case_count for p in session.scalars(select(Problem))}
    assert sum(counts[target] for target in targets if target is not None) == 3


def test_a_stored_direct_answer_still_confirms_its_problem(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    """Reviewed later (another case's action, an operator's relink), the ledger reads the stored
    history: a direct answer (直办) confirms as it did when it was the event being written."""
    number = _take(hotline, actors["operator"], "小区门口垃圾桶满溢，气味很大，请尽快清运")
    act(hotline, number, Action.ANSWER_DIRECTLY, actors["operator"], reply_text="已告知清运时间")
    problem_id = _problem_of(hotline, number)
    assert problem_id is not None
    with hotline.db.transaction() as session:
        assert write_off_at(case_states(session, problem_id)) is not None


def test_a_write_off_ends_the_round_of_supervision_and_a_recurrence_starts_a_new_one(
    hotline: Hotline, actors: dict[str, Actor], clock: FakeClock
) -> None:
    numbers = [_take(hotline, actors["operator"], text) for text in (BBQ, BBQ_REWORDED, BBQ_EDITED)]
    for number in numbers:
        _close_satisfied(hotline, actors, number)
    first = _problem(hotline, numbers[0])
    assert first.status == "written_off" and first.supervision_level is None
    with hotline.db.transaction() as session:
        [old] = session.scalars(select(Supervision)).all()
        assert (old.level, old.status, old.closed_by) == ("priority", "closed", "system")
        assert old.outcome == "问题已销账，本轮督办随之办结"
    clock.advance(days=10)
    fourth = _take(hotline, actors["operator"], BBQ_REWORDED + "又开始了")
    problem = _problem(hotline, fourth)
    assert problem.id == first.id and problem.recurrence_count == 1
    assert problem.supervision_level == "priority"
    with hotline.db.transaction() as session:
        records = session.scalars(select(Supervision).order_by(Supervision.id)).all()
        assert [(r.level, r.status) for r in records] == [
            ("priority", "closed"),
            ("priority", "open"),
        ]
        assert records[1].problem_id == problem.id and records[1].created_at == clock.current
        case = session.scalars(select(Case).where(Case.number == fourth)).one()
        assert case.supervised and records[1].case_id == case.id


def test_a_recurrence_resets_a_level_that_an_old_write_off_kept(
    hotline: Hotline, actors: dict[str, Actor], clock: FakeClock
) -> None:
    """A problem written off before write-offs ended the round kept its level and an open
    supervision: its recurrence closes that round and starts a new one at 重点督办 — a level kept
    past the write-off would count the new round as already supervised and open nothing."""
    numbers = [_take(hotline, actors["operator"], text) for text in (BBQ, BBQ_REWORDED, BBQ_EDITED)]
    for number in numbers:
        _close_satisfied(hotline, actors, number)
    with hotline.db.transaction() as session:  # the state such a write-off left behind
        problem = session.get(Problem, _problem(hotline, numbers[0]).id)
        assert problem is not None and problem.status == "written_off"
        problem.supervision_level = "priority"
        [old] = session.scalars(select(Supervision)).all()
        old.status, old.closed_at, old.closed_by, old.outcome = "open", None, None, None
    clock.advance(days=10)
    fourth = _take(hotline, actors["operator"], BBQ_REWORDED + "又开始了")
    recurred = _problem(hotline, fourth)
    assert recurred.id == problem.id and recurred.recurrence_count == 1
    assert recurred.supervision_level == "priority"
    with hotline.db.transaction() as session:
        records = session.scalars(select(Supervision).order_by(Supervision.id)).all()
        assert [(r.level, r.status) for r in records] == [
            ("priority", "closed"),
            ("priority", "open"),
        ]
        assert records[0].outcome == "问题复发，上一轮督办办结，另开新一轮"
        assert records[1].created_at == clock.current
