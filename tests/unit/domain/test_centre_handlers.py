"""The centre's handlers on in-memory facts: register, answer directly, void, dispatch."""

from __future__ import annotations

import pytest

from hotline.domain.changes import NewAssignment
from hotline.domain.commands import AnswerDirectly, Dispatch, Register, Void
from hotline.domain.errors import IllegalTransition, InvalidInput
from hotline.domain.vocabulary import AssignmentStatus
from tests.unit.domain.memory import (
    CITY,
    NOW,
    OTHER,
    STREET,
    MemoryCase,
    dispatcher,
    local,
    operator,
    run,
)


def test_register_confirms_category_district_urgency_and_records_the_choice() -> None:
    changes = run(
        Register(category_code="E0302", district_code="370103", urgency="urgent"),
        MemoryCase(),
        operator,
    )
    assert changes.case == {
        "category_code": "E0302",
        "district_code": "370103",
        "urgency": "urgent",
        "status": "registered",
        "updated_at": NOW,
        "callback_next_at": None,
    }
    assert changes.classifier_registration
    assert changes.event.details == {
        "category_code": "E0302",
        "district_code": "370103",
        "urgency": "urgent",
    }
    assert (changes.event.from_status, changes.event.to_status) == ("received", "registered")


def test_register_keeps_what_was_not_given() -> None:
    changes = run(Register(), MemoryCase(district_code="370102"), operator)
    assert changes.event.details == {
        "category_code": "E0301",
        "district_code": "370102",
        "urgency": "normal",
    }


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (Register(category_code="NOPE"), "category_code"),
        (Register(district_code="999999"), "district_code"),
    ],
)
def test_register_refuses_unknown_codes(command: Register, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        run(command, MemoryCase(), operator)
    assert refused.value.fields == (field,)


def test_register_refuses_an_unknown_urgency_on_construction() -> None:
    with pytest.raises(InvalidInput, match="紧急程度"):
        Register(urgency="whenever")  # type: ignore[arg-type]


def test_answer_directly_closes_the_case_with_an_explanation() -> None:
    changes = run(AnswerDirectly(reply_text="  营业时间为九点  "), MemoryCase(), operator)
    assert changes.case["reply_text"] == "营业时间为九点"
    assert changes.case["result_type"] == "explained"
    assert changes.case["closed_as"] == "answered_directly"
    assert changes.case["closed_at"] == changes.case["replied_at"] == NOW
    assert changes.event.to_status == "answered_directly"


def test_answer_directly_needs_a_text() -> None:
    with pytest.raises(InvalidInput) as refused:
        run(AnswerDirectly(reply_text="   "), MemoryCase(), operator)
    assert refused.value.fields == ("reply_text",)


def test_void_needs_a_reason_and_closes_as_void() -> None:
    with pytest.raises(InvalidInput) as refused:
        run(Void(reason=" "), MemoryCase(), operator)
    assert refused.value.fields == ("reason",)
    changes = run(Void(reason="测试电话"), MemoryCase(status="registered"), operator)
    assert changes.case["closed_as"] == "void" and changes.event.reason == "测试电话"


def test_an_action_the_table_does_not_allow_is_refused() -> None:
    with pytest.raises(IllegalTransition):
        run(Void(reason="x"), MemoryCase(status="dispatched"), operator)


def test_dispatch_gives_the_case_to_the_lead_and_co_units_with_fresh_deadlines() -> None:
    case = MemoryCase(status="registered")
    changes = run(Dispatch(unit="LX-CGJ", co_units=("SZ-CGJ",), rule="R7"), case, dispatcher)
    # E0301: accept within 2 working hours, reply within 5 working days (420-minute days).
    accept_due, reply_due = local("2026-11-24 12:00"), local("2026-12-01 10:00")
    assert changes.case["accept_due_at"] == accept_due
    assert changes.case["reply_due_at"] == reply_due
    # Warning at 75 %: 90 of 120 minutes; 1575 of 2100 minutes: Tue 360, Wed 420, Thu 420,
    # Fri 180 in the morning and 195 from 13:30.
    assert changes.case["accept_warn_at"] == local("2026-11-24 11:30")
    assert changes.case["reply_warn_at"] == local("2026-11-27 16:45")
    assert changes.case["lead_unit_id"] == CITY.id
    assert changes.case["district_code"] == "370102"  # from the lead unit's region
    assert changes.case["accept_late"] is None and changes.case["reply_warned_at"] is None
    assert changes.new_assignments == (
        NewAssignment(CITY.id, "lead", AssignmentStatus.PENDING, NOW, "disp", reply_due),
        NewAssignment(OTHER.id, "co", AssignmentStatus.PENDING, NOW, "disp", reply_due),
    )
    assert changes.event.details == {
        "unit": "LX-CGJ",
        "co_units": ["SZ-CGJ"],
        "accept_due_at": accept_due.isoformat(),
        "reply_due_at": reply_due.isoformat(),
        "head": CITY.contact,
        "rule": "R7",
    }


def test_dispatch_with_a_new_category_re_sorts_and_takes_its_limits() -> None:
    case = MemoryCase(status="registered", district_code="370103")
    changes = run(Dispatch(unit="LX-JFL", category_code="E0302"), case, dispatcher)
    assert changes.case["category_code"] == "E0302"
    assert changes.case["reply_due_at"] == local("2026-11-27 10:00")  # 3 working days
    assert changes.case.get("district_code") is None  # the case already had one
    assert changes.event.details["previous_category_code"] == "E0301"
    assert changes.new_assignments[0].unit_id == STREET.id


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (Dispatch(unit="NO-SUCH"), "unit"),
        (Dispatch(unit="LX-CGJ", co_units=("NO-SUCH",)), "co_units"),
        (Dispatch(unit="LX-CGJ", co_units=("LX-CGJ",)), "co_units"),
        (Dispatch(unit="LX-CGJ", category_code="NOPE"), "category_code"),
    ],
)
def test_dispatch_refuses_what_it_cannot_give_the_case_to(command: Dispatch, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        run(command, MemoryCase(status="registered"), dispatcher)
    assert refused.value.fields == (field,)


def test_an_emergency_runs_on_the_wall_clock() -> None:
    case = MemoryCase(status="registered", urgency="emergency")
    changes = run(Dispatch(unit="LX-CGJ"), case, dispatcher)
    assert changes.case["accept_due_at"] == local("2026-11-24 10:30")
    assert changes.case["reply_due_at"] == local("2026-11-24 12:00")
