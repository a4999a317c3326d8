"""Closing the loop on in-memory facts: verify, record callback, reopen, close."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hotline.domain.changes import NewCallback, SupervisionOpening
from hotline.domain.commands import Close, RecordCallback, Reopen, Verify
from hotline.domain.errors import IllegalTransition, InvalidInput
from hotline.domain.supervision import SupervisionLevel
from tests.unit.domain.memory import (
    CITY,
    NOW,
    MemoryCase,
    dispatched,
    dispatcher,
    local,
    operator,
    run,
)


def replied(status: str, **facts: object) -> MemoryCase:
    """LX-CGJ replied (assignment 10); the co-unit SZ-CGJ never gave its opinion."""
    case = dispatched(status, result_type="solved", **facts)
    case.assignments[0].status = "replied"
    return case


def test_a_passed_verification_goes_to_the_callback() -> None:
    changes = run(Verify(passed=True, note="属实"), replied("verifying"), operator)
    assert changes.case["status"] == "callback_pending"
    assert changes.case["callback_due_at"] == local("2026-11-26 10:00")
    assert changes.event.details == {"passed": True, "note": "属实"}


def test_a_passed_verification_without_a_callback_closes_and_ends_the_co_unit() -> None:
    changes = run(Verify(passed=True), replied("verifying", caller_phone=None), operator)
    assert changes.case["status"] == "closed" and changes.case["closed_as"] == "verified"
    assert changes.assignment_updates[0].assignment_id == 11
    assert changes.assignment_updates[0].changes == {"status": "closed"}


def test_a_failed_verification_is_rework_for_the_same_unit() -> None:
    with pytest.raises(InvalidInput) as refused:
        run(Verify(passed=False), replied("verifying"), operator)
    assert refused.value.fields == ("reason",)
    changes = run(Verify(passed=False, note="现场未清理"), replied("verifying"), operator)
    assert changes.case["status"] == "accepted"
    assert changes.case["reopen_count"] == 1 and changes.case["replied_at"] is None
    assert changes.assignment_updates[0].changes == {"status": "accepted"}


def test_a_satisfied_callback_closes_the_case() -> None:
    command = RecordCallback(
        outcome="reached",  # type: ignore[arg-type]
        process_satisfaction="satisfied",  # type: ignore[arg-type]
        result_satisfaction="basically_satisfied",  # type: ignore[arg-type]
        comment=" 谢谢 ",
    )
    changes = run(command, replied("callback_pending"), operator)
    assert changes.callbacks == (
        NewCallback(1, CITY.id, "reached", "satisfied", "basically_satisfied", None, "谢谢", NOW,
                    "op"),
    )  # fmt: skip
    assert changes.case["closed_as"] == "satisfied" and changes.case["callback_attempts"] == 1
    assert changes.case["callback_next_at"] is None  # leaves the queue


def test_an_unreachable_citizen_is_called_again_later_then_the_case_closes() -> None:
    command = RecordCallback(outcome="unreachable")  # type: ignore[arg-type]
    again = run(command, replied("callback_pending"), operator)
    assert again.case["status"] == "callback_pending"
    assert again.case["callback_next_at"] == NOW + timedelta(minutes=120)
    third = run(command, replied("callback_pending", callback_attempts=2), operator)
    assert third.case["closed_as"] == "unreachable" and third.case["callback_next_at"] is None


def test_a_reached_callback_needs_both_satisfactions() -> None:
    with pytest.raises(InvalidInput) as refused:
        run(RecordCallback(outcome="reached"), replied("callback_pending"), operator)  # type: ignore[arg-type]
    assert refused.value.fields == ("process_satisfaction", "result_satisfaction")


def test_an_unsatisfied_callback_supervises_the_unit_then_reopens_it_there() -> None:
    command = RecordCallback(
        outcome="reached",  # type: ignore[arg-type]
        process_satisfaction="satisfied",  # type: ignore[arg-type]
        result_satisfaction="unsatisfied",  # type: ignore[arg-type]
    )
    changes = run(command, replied("callback_pending", callback_attempts=1), operator)
    assert changes.supervisions == (
        SupervisionOpening(
            level=SupervisionLevel.SUPERVISE,
            source="callback_unsatisfied",
            reason="回访不满意，重办督办",
            actor="op",
            target_unit_id=CITY.id,
            due_at=local("2026-11-26 10:00"),  # 督办: answered within 2 working days
        ),
    )
    assert changes.case["status"] == "dispatched"
    assert changes.case["reopen_count"] == 1 and changes.case["callback_attempts"] == 0
    assert changes.case["result_type"] is None and changes.case["lead_unit_id"] == CITY.id
    assert changes.new_assignments[0].unit_id == CITY.id
    assert changes.event.details["attempt"] == 2  # the attempt recorded, not the reset count
    assert changes.event.details["target"] == "same_unit"
    assert changes.event.details["reply_due_at"] == local("2026-12-01 10:00").isoformat()
    statuses = {u.assignment_id: u.changes["status"] for u in changes.assignment_updates}
    assert statuses == {10: "ended", 11: "ended"}


def test_reopen_to_the_centre_for_re_sorting() -> None:
    changes = run(Reopen(reason="市民再次来电", target="resort"), replied("closed"), dispatcher)  # type: ignore[arg-type]
    assert changes.case["status"] == "registered" and changes.case["lead_unit_id"] is None
    assert changes.case["closed_at"] is None and not changes.new_assignments
    assert changes.event.details == {"target": "resort"}


def test_reopen_needs_a_reason_and_a_unit_to_go_back_to() -> None:
    with pytest.raises(InvalidInput) as refused:
        run(Reopen(), replied("closed"), dispatcher)
    assert refused.value.fields == ("reason",)
    with pytest.raises(IllegalTransition):
        run(Reopen(reason="x"), replied("closed", lead_unit_id=None), dispatcher)


def test_close_by_the_centre() -> None:
    changes = run(Close(), replied("replied"), dispatcher)
    assert changes.case["closed_as"] == "closed_by_centre" and changes.case["closed_at"] == NOW
