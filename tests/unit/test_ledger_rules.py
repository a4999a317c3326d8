"""The ledger's rules (domain.ledger): confirmation, write-off, recurrence, priority supervision."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hotline.domain.ledger import (
    CaseState,
    TrailEvent,
    confirmed_at,
    is_recurrence,
    priority_supervision_due,
    write_off_at,
)

T0 = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def event(action: str, to_status: str, hours: float, **details: object) -> TrailEvent:
    return TrailEvent(action, to_status, at(hours), details)


def test_a_passed_verification_or_a_satisfied_callback_confirms() -> None:
    assert confirmed_at([event("verify", "callback_pending", 1, passed=True)]) == at(1)
    satisfied = event("record_callback", "closed", 2, result_satisfaction="basically_satisfied")
    assert confirmed_at([satisfied]) == at(2)
    assert confirmed_at([event("verify", "accepted", 1, passed=False)]) is None
    unsatisfied = event("record_callback", "dispatched", 2, result_satisfaction="unsatisfied")
    assert confirmed_at([unsatisfied]) is None
    assert confirmed_at([event("record_callback", "closed", 2, outcome="unreachable")]) is None
    assert confirmed_at([event("answer_directly", "answered_directly", 3)]) == at(3)


def test_a_later_move_back_to_handling_takes_a_confirmation_back() -> None:
    trail = [
        event("verify", "callback_pending", 1, passed=True),
        event("record_callback", "dispatched", 2, result_satisfaction="unsatisfied"),
        event("reply", "callback_pending", 3),
        event("record_callback", "closed", 4, outcome="unreachable"),
    ]
    assert confirmed_at(trail) is None
    assert confirmed_at([*trail[:1], event("record_callback", "closed", 2)]) == at(1)


def test_write_off_needs_every_case_finished_and_a_confirmation_after_the_last_complaint() -> None:
    closed = CaseState("closed", at(0), at(5))
    assert write_off_at([closed]) == at(5)
    assert write_off_at([closed, CaseState("accepted", at(1), None)]) is None
    assert write_off_at([closed, CaseState("closed", at(1), None)]) == at(5)  # one visit settles
    assert write_off_at([closed, CaseState("closed", at(6), None)]) is None  # came in after it
    assert write_off_at([CaseState("closed", at(0), None)]) is None
    assert write_off_at([]) is None


def test_recurrence_and_priority_supervision() -> None:
    assert is_recurrence("written_off", "received")
    assert not is_recurrence("written_off", "closed")  # an old case moved by an operator
    assert not is_recurrence("open", "received")
    assert priority_supervision_due(3, 3, None)
    assert priority_supervision_due(3, 3, "supervise")
    assert not priority_supervision_due(2, 3, None)
    assert not priority_supervision_due(4, 3, "priority")
    assert not priority_supervision_due(4, 3, "head")
