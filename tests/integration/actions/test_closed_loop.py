"""A case walks the whole closed loop through the services on a real database."""

from __future__ import annotations

from datetime import UTC, datetime

from hotline.domain.lifecycle import Action
from hotline.domain.roles import Actor
from hotline.services.cases.views import get_case
from hotline.services.context import Hotline
from tests.conftest import FakeClock
from tests.integration.helpers import act, new_case, status_of, to_accepted


def test_full_loop_with_verification_and_callback(
    hotline: Hotline, actors: dict[str, Actor], clock: FakeClock
) -> None:
    number = new_case(hotline, actors["operator"])
    assert number == "20261124-000001"
    clock.advance(minutes=5)
    act(hotline, number, Action.REGISTER, actors["operator"], category_code="E0301")
    act(hotline, number, Action.DISPATCH, actors["dispatcher"], unit="LX-CGJ", co_units=["JN-ZFZD"])
    clock.advance(minutes=30)
    act(hotline, number, Action.ACCEPT, actors["handler"])
    clock.advance(hours=3)
    act(
        hotline,
        number,
        Action.REPLY,
        actors["handler"],
        result_type="promised",
        reply_text="已责令施工单位停止夜间施工，承诺本周内整改",
        promised_on="2026-11-27",
    )
    assert status_of(hotline, number, actors["operator"]) == "verifying"  # promises are checked
    act(hotline, number, Action.VERIFY, actors["inspector"], passed=True, note="现场已停工")
    assert status_of(hotline, number, actors["operator"]) == "callback_pending"
    act(
        hotline,
        number,
        Action.RECORD_CALLBACK,
        actors["operator"],
        outcome="reached",
        process_satisfaction="satisfied",
        result_satisfaction="basically_satisfied",
        solved=True,
    )
    case = get_case(hotline, number, actors["operator"], hotline.now())
    assert case["status"] == "closed" and case["closed_as"] == "satisfied"
    steps = [(e["action"], e["actor"], e["from_status"], e["to_status"]) for e in case["history"]]
    assert steps == [
        ("receive", "op", None, "received"),
        ("register", "op", "received", "registered"),
        ("dispatch", "disp", "registered", "dispatched"),
        ("accept", "lx-h", "dispatched", "accepted"),
        ("reply", "lx-h", "accepted", "verifying"),
        ("verify", "insp", "verifying", "callback_pending"),
        ("record_callback", "op", "callback_pending", "closed"),
    ]
    assert all(datetime.fromisoformat(e["at"]).tzinfo is not None for e in case["history"])
    assert case["co_units"] == ["JN-ZFZD"]


def test_deadlines_follow_the_working_calendar(
    hotline: Hotline, actors: dict[str, Actor], clock: FakeClock
) -> None:
    # Friday 2026-11-27 16:30 Beijing; 夜间施工噪音 must be replied within 2 working days.
    clock.current = datetime(2026, 11, 27, 8, 30, tzinfo=UTC)
    number = new_case(hotline, actors["operator"])
    act(hotline, number, Action.REGISTER, actors["operator"], category_code="E0301")
    act(hotline, number, Action.DISPATCH, actors["dispatcher"], unit="LX-CGJ")
    case = get_case(hotline, number, actors["operator"], hotline.now())
    # Accept within 1 working hour: 60 min → Friday 17:30 is the end of the day (60 min left).
    assert case["accept_due_at"] == "2026-11-27T09:30:00+00:00"
    # 2 working days = 840 working minutes: 60 on Friday, 420 on Monday, 360 on Tuesday
    # → Tuesday 2026-12-01 16:30 Beijing.
    assert case["reply_due_at"] == "2026-12-01T08:30:00+00:00"


def test_a_case_without_callback_or_verification_waits_for_the_centre(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    number = new_case(hotline, actors["operator"], caller_name=None, caller_phone=None)
    to_accepted(hotline, actors, number)
    act(hotline, number, Action.REPLY, actors["handler"], result_type="solved", reply_text="已处理")
    assert status_of(hotline, number, actors["operator"]) == "replied"
    act(hotline, number, Action.CLOSE, actors["dispatcher"])
    assert (
        get_case(hotline, number, actors["operator"], hotline.now())["closed_as"]
        == "closed_by_centre"
    )


def test_patrol_case_closes_after_verification(hotline: Hotline, actors: dict[str, Actor]) -> None:
    number = new_case(
        hotline, actors["operator"], channel="patrol", caller_name=None, caller_phone=None
    )
    to_accepted(hotline, actors, number)
    act(hotline, number, Action.REPLY, actors["handler"], result_type="solved", reply_text="已清理")
    act(hotline, number, Action.VERIFY, actors["inspector"], passed=True)
    case = get_case(hotline, number, actors["operator"], hotline.now())
    assert case["status"] == "closed" and case["closed_as"] == "verified"


def test_answer_directly_and_void(hotline: Hotline, actors: dict[str, Actor]) -> None:
    consult = new_case(hotline, actors["operator"], content="请问垃圾分类投放时间？")
    act(
        hotline,
        consult,
        Action.ANSWER_DIRECTLY,
        actors["operator"],
        reply_text="每日 6:00–9:00、18:00–21:00",
    )
    assert status_of(hotline, consult, actors["operator"]) == "answered_directly"
    junk = new_case(hotline, actors["operator"], content="测试来电")
    act(hotline, junk, Action.VOID, actors["operator"], reason="骚扰电话")
    assert status_of(hotline, junk, actors["operator"]) == "void"


def test_enrichment_job_is_queued_and_history_starts_in_the_create(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    from sqlalchemy import select

    from hotline.adapters.db.models import OutboxItem

    new_case(hotline, actors["operator"])
    with hotline.db.transaction() as session:
        jobs = session.scalars(select(OutboxItem)).all()
    assert [(job.kind, job.status) for job in jobs] == [("enrich", "pending")]
    assert jobs[0].created_at.tzinfo is UTC or jobs[0].created_at.utcoffset().total_seconds() == 0
