"""The units' handlers on in-memory facts: sub-dispatch, accept, return and its decisions,
reply, co-unit opinion."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hotline.domain.changes import (
    AssignmentField,
    AssignmentUpdate,
    NewAssignment,
    NewRequest,
    RequestUpdate,
    Value,
)
from hotline.domain.commands import (
    Accept,
    ApproveReturn,
    CoOpinion,
    RejectReturn,
    Reply,
    Return,
    SubDispatch,
)
from hotline.domain.errors import IllegalTransition, InvalidInput
from hotline.domain.vocabulary import AssignmentStatus, RequestStatus
from tests.unit.domain.memory import (
    NOW,
    STREET,
    MemoryAssignment,
    MemoryCase,
    MemoryRequest,
    city_handler,
    co_handler,
    dispatched,
    dispatcher,
    local,
    run,
    street_handler,
)

DUE = local("2026-12-01 10:00")


def accepted_by_city() -> MemoryCase:
    case = dispatched("accepted")
    case.assignments[0].status = "accepted"
    return case


def sub_dispatched(status: str = "dispatched") -> MemoryCase:
    """LX-CGJ accepted and passed the case down to LX-JFL (assignment 12)."""
    case = dispatched(status)
    case.assignments[0].status = "accepted"
    case.assignments.append(MemoryAssignment(12, STREET.id, parent_id=10, due_at=DUE))
    return case


def test_sub_dispatch_hands_the_case_down_with_the_parents_deadline() -> None:
    changes = run(SubDispatch(unit="LX-JFL"), accepted_by_city(), city_handler)
    assert changes.new_assignments == (
        NewAssignment(STREET.id, "lead", AssignmentStatus.PENDING, NOW, "lx-h", DUE, parent_id=10),
    )
    assert changes.event.details == {"unit": "LX-JFL", "from_assignment": 10}
    assert changes.case["status"] == "dispatched"


def test_sub_dispatch_only_below_the_holding_unit() -> None:
    with pytest.raises(InvalidInput) as refused:
        run(SubDispatch(unit="SZ-CGJ"), accepted_by_city(), city_handler)
    assert refused.value.fields == ("unit",)


def test_accept_by_the_lead_settles_the_accept_stage() -> None:
    on_time = run(Accept(), dispatched(), city_handler)
    assert on_time.assignment_updates == (
        AssignmentUpdate(10, {"status": "accepted", "accepted_at": NOW}),
    )
    assert on_time.case["accept_late"] is False
    late = run(Accept(), dispatched(), city_handler, NOW + timedelta(hours=3))
    assert late.case["accept_late"] is True and late.event.details == {"accepted_late": True}


def test_accept_by_a_sub_unit_leaves_the_centres_accept_stage_alone() -> None:
    changes = run(Accept(), sub_dispatched(), street_handler)
    assert changes.assignment_updates[0].assignment_id == 12
    assert "accept_late" not in changes.case


def test_return_asks_the_centre_with_a_known_reason_code() -> None:
    command = Return(reason_code="not_our_duty", reason=" 不归我们 ")
    changes = run(command, dispatched(), city_handler)
    assert changes.new_requests == (
        NewRequest("return", 10, RequestStatus.PENDING, "lx-h", NOW, "不归我们", "not_our_duty"),
    )
    assert changes.event.details == {"reason_code": "not_our_duty", "assignment": 10}
    with pytest.raises(InvalidInput) as refused:
        run(Return(reason_code="nope", reason="x"), dispatched(), city_handler)
    assert refused.value.fields == ("reason_code",)
    with pytest.raises(InvalidInput) as refused:
        run(Return(reason_code="not_our_duty"), dispatched(), city_handler)
    assert refused.value.fields == ("reason",)


def test_an_approved_return_of_the_lead_goes_back_to_the_centre() -> None:
    case = dispatched("returned")
    case.requests = [
        MemoryRequest(1, "extension", 10, requested_due_at=DUE + timedelta(days=2)),
        MemoryRequest(2, "return", 10),
    ]
    changes = run(ApproveReturn(reason="同意"), case, dispatcher, NOW + timedelta(hours=1))
    assert changes.case["lead_unit_id"] is None and changes.case["status"] == "registered"
    assert {u.assignment_id: u.changes["status"] for u in changes.assignment_updates} == {
        10: "returned",
        11: "ended",  # the co-unit's share ends with the dispatch
    }
    # the return is decided; the extension its unit asked lapses with nobody to grant it
    assert changes.request_updates == (
        RequestUpdate(
            2,
            {
                "status": "approved",
                "decided_by": "disp",
                "decided_at": NOW + timedelta(hours=1),
                "decision_note": "同意",
            },
        ),
        RequestUpdate(1, {"status": "withdrawn"}),
    )
    assert changes.event.details == {"back_to": "centre"}


def test_a_sub_units_approved_return_goes_back_to_the_parent_after_the_paused_clock() -> None:
    case = sub_dispatched("returned")
    case.requests = [MemoryRequest(2, "return", 12, requested_at=NOW)]
    # Two working hours later (10:00 → 12:00): the reply deadline moves on by exactly 120.
    changes = run(ApproveReturn(), case, dispatcher, local("2026-11-24 12:00"))
    assert changes.event.details == {"back_to_assignment": 10, "clock_paused_minutes": 120}
    moved = local("2026-12-01 12:00")
    assert changes.case["reply_due_at"] == moved
    assert changes.case["status"] == "accepted"
    updates = {u.assignment_id: u.changes for u in changes.assignment_updates}
    assert updates[12] == {"status": "returned"}
    assert updates[10] == {"due_at": moved}  # the parent holds it again, with the new deadline


def test_a_rejected_return_forces_the_unit_and_pauses_the_clock_exactly() -> None:
    case = dispatched("returned")
    case.requests = [MemoryRequest(2, "return", 10, requested_at=NOW)]
    # 10:00 Tuesday → 14:30 Tuesday: 120 before lunch, 60 after = 180 working minutes.
    later = local("2026-11-24 14:30")
    changes = run(RejectReturn(reason="属地管理"), case, dispatcher, later)
    assert changes.event.details == {"forced_unit_assignment": 10, "clock_paused_minutes": 180}
    moved = local("2026-12-01 13:30") + timedelta(minutes=60)  # 10:00 + 180 → 14:30
    assert changes.case["reply_due_at"] == moved
    updates = {u.assignment_id: u.changes for u in changes.assignment_updates}
    assert updates[10] == {"status": "accepted", "accepted_at": later, "due_at": moved}


def test_no_pending_return_is_nothing_to_decide() -> None:
    with pytest.raises(IllegalTransition, match="没有待审批的退单申请"):
        run(ApproveReturn(), dispatched("returned"), dispatcher)


def test_reply_rolls_up_the_chain_and_goes_to_callback() -> None:
    case = sub_dispatched("accepted")
    case.assignments[2].status = "accepted"
    changes = run(Reply(result_type="solved", reply_text=" 已清理 "), case, street_handler)  # type: ignore[arg-type]
    replied: dict[AssignmentField, Value] = {
        "status": "replied",
        "replied_at": NOW,
        "reply_text": "已清理",
    }
    assert changes.assignment_updates == (
        AssignmentUpdate(12, replied),
        AssignmentUpdate(10, replied),
    )
    assert changes.case["status"] == "callback_pending"
    assert changes.case["needs_callback"] is True and changes.case["needs_verification"] is False
    assert changes.case["callback_due_at"] == local("2026-11-26 10:00")  # 2 working days
    assert changes.case["callback_next_at"] == NOW  # enters the callback queue
    assert changes.case["reply_late"] is False and changes.case["promise_due_at"] is None


def test_a_promise_is_verified_at_the_end_of_the_promised_day() -> None:
    changes = run(
        Reply(result_type="promised", reply_text="下周修", promised_on="2026-11-30"),  # type: ignore[arg-type]
        accepted_by_city(),
        city_handler,
    )
    assert changes.case["status"] == "verifying"
    assert changes.case["promise_due_at"] == local("2026-11-30 23:59:59")
    assert changes.case["verify_due_at"] == changes.case["promise_due_at"]
    assert changes.case["needs_callback"] is True  # verified first, then called back


@pytest.mark.parametrize("promised_on", [None, "2026-11-23"])
def test_a_promise_needs_a_date_from_today_on(promised_on: str | None) -> None:
    with pytest.raises(InvalidInput) as refused:
        run(
            Reply(result_type="promised", reply_text="下周修", promised_on=promised_on),  # type: ignore[arg-type]
            accepted_by_city(),
            city_handler,
        )
    assert refused.value.fields == ("promised_on",)


def test_a_late_reply_is_marked_late_once() -> None:
    changes = run(
        Reply(result_type="explained", reply_text="已解释"),  # type: ignore[arg-type]
        accepted_by_city(),
        city_handler,
        DUE + timedelta(minutes=1),
    )
    assert changes.case["reply_late"] is True and changes.event.details["replied_late"] is True


def test_co_opinion_finishes_the_co_units_share_without_moving_the_case() -> None:
    changes = run(CoOpinion(opinion="同意"), accepted_by_city(), co_handler)
    assert changes.assignment_updates == (
        AssignmentUpdate(11, {"status": "replied", "replied_at": NOW, "reply_text": "同意"}),
    )
    assert changes.case["status"] == "accepted"
    assert changes.event.details == {"unit": "SZ-CGJ", "assignment": 11, "opinion": "同意"}
    with pytest.raises(IllegalTransition):
        run(CoOpinion(opinion="同意"), accepted_by_city(), city_handler)
