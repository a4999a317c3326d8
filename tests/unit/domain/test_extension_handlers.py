"""Extensions on in-memory facts: asked by the holding unit, decided by the right level."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from hotline.domain.changes import NewRequest
from hotline.domain.commands import ApproveExtension, RefuseExtension, RequestExtension
from hotline.domain.errors import Forbidden, IllegalTransition, InvalidInput
from hotline.domain.roles import Actor, Role
from hotline.domain.vocabulary import RequestStatus
from tests.unit.domain.memory import (
    NOW,
    MemoryCase,
    MemoryRequest,
    city_handler,
    dispatched,
    dispatcher,
    leader,
    local,
    run,
)

DUE = local("2026-12-01 10:00")


def accepted() -> MemoryCase:
    case = dispatched("accepted")
    case.assignments[0].status = "accepted"
    return case


def asking(due: datetime) -> MemoryCase:
    case = accepted()
    case.requests = [MemoryRequest(5, "extension", 10, requested_due_at=due)]
    return case


def test_a_request_in_working_days_counts_from_the_current_deadline() -> None:
    changes = run(RequestExtension(extra_working_days=3, reason="需协调"), accepted(), city_handler)
    three_days_later = local("2026-12-04 10:00")
    assert changes.new_requests == (
        NewRequest(
            "extension",
            10,
            RequestStatus.PENDING,
            "lx-h",
            NOW,
            "需协调",
            requested_due_at=three_days_later,
        ),
    )
    assert changes.event.details == {
        "requested_due_at": three_days_later.isoformat(),
        "approval_level": "duty_chief",  # up to 3 working days
    }
    assert changes.case["status"] == "accepted" and "reply_due_at" not in changes.case


def test_a_requested_time_without_an_offset_is_local_time() -> None:
    command = RequestExtension(requested_due_at="2026-12-14T17:00:00", reason="x")  # type: ignore[arg-type]
    changes = run(command, accepted(), city_handler)
    assert changes.new_requests[0].requested_due_at == local("2026-12-14 17:00")
    # From Tue 12-01 10:00: 360 + 3 × 420 + 5 × 420 + 390 = 4110 minutes, 9.8 working days.
    assert changes.event.details["approval_level"] == "section_head"


@pytest.mark.parametrize(
    ("command", "fields"),
    [
        (RequestExtension(reason="x"), ("requested_due_at", "extra_working_days")),
        (RequestExtension(extra_working_days=61, reason="x"), ("extra_working_days",)),
        (RequestExtension(requested_due_at=DUE, reason="x"), ("requested_due_at",)),
        (RequestExtension(extra_working_days=1), ("reason",)),
    ],
)
def test_a_request_must_name_one_later_deadline_and_a_reason(
    command: RequestExtension, fields: tuple[str, ...]
) -> None:
    with pytest.raises(InvalidInput) as refused:
        run(command, accepted(), city_handler)
    assert refused.value.fields == fields


def test_a_time_outside_the_supported_span_is_refused_on_construction() -> None:
    with pytest.raises(InvalidInput) as refused:
        RequestExtension(requested_due_at="9999-12-31T00:00:00+08:00", reason="x")  # type: ignore[arg-type]
    assert refused.value.fields == ("requested_due_at",)


def test_approval_moves_the_case_and_the_holding_units_deadline() -> None:
    wanted = local("2026-12-03 10:00")
    changes = run(ApproveExtension(reason="同意"), asking(wanted), dispatcher)
    assert changes.case["reply_due_at"] == wanted
    assert changes.case["extension_count"] == 1
    assert changes.assignment_updates[0].changes == {"due_at": wanted}
    assert changes.request_updates[0].changes["status"] == "approved"
    assert changes.event.details == {
        "previous_due_at": DUE.isoformat(),
        "reply_due_at": wanted.isoformat(),
        "approval_level": "duty_chief",
    }


def test_the_approver_may_grant_another_later_deadline() -> None:
    granted = local("2026-12-02 17:30")
    changes = run(ApproveExtension(granted_due_at=granted), asking(DUE + timedelta(days=2)), leader)
    assert changes.case["reply_due_at"] == granted
    with pytest.raises(InvalidInput) as refused:
        run(ApproveExtension(granted_due_at=DUE), asking(DUE + timedelta(days=2)), leader)
    assert refused.value.fields == ("granted_due_at",)


def test_a_long_extension_needs_a_higher_level() -> None:
    eleven_days = local("2026-12-16 10:00")
    with pytest.raises(Forbidden, match="中心领导"):
        run(ApproveExtension(), asking(eleven_days), dispatcher)
    district_leader = Actor("lx-lead", Role.LEADER, district_code="370102")
    with pytest.raises(Forbidden):
        run(ApproveExtension(), asking(eleven_days), district_leader)
    assert run(ApproveExtension(), asking(eleven_days), leader).case["reply_due_at"] == eleven_days


def test_refusal_keeps_the_deadline_and_needs_a_reason() -> None:
    with pytest.raises(InvalidInput):
        run(RefuseExtension(), asking(DUE + timedelta(days=1)), dispatcher)
    changes = run(RefuseExtension(reason="理由不足"), asking(DUE + timedelta(days=1)), dispatcher)
    assert "reply_due_at" not in changes.case
    assert changes.request_updates[0].changes["status"] == "refused"
    assert changes.request_updates[0].changes["decision_note"] == "理由不足"


def test_nothing_pending_is_nothing_to_decide() -> None:
    with pytest.raises(IllegalTransition):
        run(ApproveExtension(), accepted(), dispatcher)
