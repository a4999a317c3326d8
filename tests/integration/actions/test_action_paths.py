"""The side paths of the lifecycle on a real database: returns, extensions, sub-dispatch,
rework, callbacks, reopening; and refusals that leave nothing behind."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hotline.domain.errors import Forbidden, IllegalTransition, InvalidInput
from hotline.domain.lifecycle import Action
from hotline.domain.roles import Actor
from hotline.services.cases.views import get_case
from hotline.services.context import Hotline
from tests.integration.helpers import act, new_case, status_of, to_accepted


def test_return_approved_goes_back_to_the_centre_for_redispatch(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    number = new_case(hotline, actors["operator"])
    to_accepted(hotline, actors, number)
    act(
        hotline,
        number,
        Action.RETURN,
        actors["handler"],
        reason="属园林部门职责",
        reason_code="not_our_duty",
    )
    act(hotline, number, Action.APPROVE_RETURN, actors["dispatcher"], reason="同意")
    case = get_case(hotline, number, actors["operator"], hotline.now())
    assert case["status"] == "registered" and case["lead_unit"] is None
    act(hotline, number, Action.DISPATCH, actors["dispatcher"], unit="JN-YLJ")
    assert get_case(hotline, number, actors["operator"], hotline.now())["lead_unit"] == "JN-YLJ"


def test_return_rejected_forces_the_unit_to_handle_it(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    number = new_case(hotline, actors["operator"])
    act(hotline, number, Action.REGISTER, actors["operator"])
    act(hotline, number, Action.DISPATCH, actors["dispatcher"], unit="LX-CGJ")
    act(
        hotline,
        number,
        Action.RETURN,
        actors["handler"],
        reason="不归我们管",
        reason_code="not_our_duty",
    )
    act(hotline, number, Action.REJECT_RETURN, actors["dispatcher"], reason="属地管理")
    assert status_of(hotline, number, actors["operator"]) == "accepted"
    act(hotline, number, Action.REPLY, actors["handler"], result_type="solved", reply_text="已办")


def test_unknown_return_reason_code_is_refused(hotline: Hotline, actors: dict[str, Actor]) -> None:
    number = new_case(hotline, actors["operator"])
    to_accepted(hotline, actors, number)
    with pytest.raises(InvalidInput) as refused:
        act(hotline, number, Action.RETURN, actors["handler"], reason="x", reason_code="nope")
    assert refused.value.fields == ("reason_code",)


def test_extension_moves_the_deadline_only_on_approval(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    number = new_case(hotline, actors["operator"])
    to_accepted(hotline, actors, number)
    before = get_case(hotline, number, actors["operator"], hotline.now())["reply_due_at"]
    act(
        hotline,
        number,
        Action.REQUEST_EXTENSION,
        actors["handler"],
        reason="需协调产权单位",
        extra_working_days=3,
    )
    assert get_case(hotline, number, actors["operator"], hotline.now())["reply_due_at"] == before
    with pytest.raises(IllegalTransition):  # one pending request at a time
        act(
            hotline,
            number,
            Action.REQUEST_EXTENSION,
            actors["handler"],
            reason="再延",
            extra_working_days=1,
        )
    act(hotline, number, Action.APPROVE_EXTENSION, actors["leader"], reason="同意")
    after = get_case(hotline, number, actors["operator"], hotline.now())
    assert after["reply_due_at"] > before and after["extension_count"] == 1
    act(
        hotline,
        number,
        Action.REQUEST_EXTENSION,
        actors["handler"],
        reason="再延",
        extra_working_days=1,
    )
    act(hotline, number, Action.REFUSE_EXTENSION, actors["leader"], reason="不予延期")
    assert (
        get_case(hotline, number, actors["operator"], hotline.now())["reply_due_at"]
        == after["reply_due_at"]
    )


def test_deciding_without_a_pending_request_is_refused(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    number = new_case(hotline, actors["operator"])
    to_accepted(hotline, actors, number)
    with pytest.raises(IllegalTransition):
        act(hotline, number, Action.APPROVE_EXTENSION, actors["leader"])


def test_sub_dispatch_and_the_reply_rolls_up(hotline: Hotline, actors: dict[str, Actor]) -> None:
    number = new_case(hotline, actors["operator"])
    to_accepted(hotline, actors, number)
    act(hotline, number, Action.SUB_DISPATCH, actors["handler"], unit="LX-JFL")
    assert status_of(hotline, number, actors["operator"]) == "dispatched"
    with pytest.raises(Forbidden):  # the district bureau no longer holds it
        act(hotline, number, Action.ACCEPT, actors["handler"])
    act(hotline, number, Action.ACCEPT, actors["street_handler"])
    act(
        hotline,
        number,
        Action.REPLY,
        actors["street_handler"],
        result_type="solved",
        reply_text="街道已整改",
    )
    case = get_case(hotline, number, actors["operator"], hotline.now())
    assert case["status"] == "callback_pending"
    assert {a["unit"]: a["status"] for a in case["assignments"]} == {
        "LX-CGJ": "replied",
        "LX-JFL": "replied",
    }


def test_sub_dispatch_only_below_the_holding_unit(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    number = new_case(hotline, actors["operator"])
    to_accepted(hotline, actors, number)
    with pytest.raises(InvalidInput):
        act(hotline, number, Action.SUB_DISPATCH, actors["handler"], unit="SZ-DS")


def test_sub_unit_return_goes_back_to_the_parent_unit(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    number = new_case(hotline, actors["operator"])
    to_accepted(hotline, actors, number)
    act(hotline, number, Action.SUB_DISPATCH, actors["handler"], unit="LX-JFL")
    act(
        hotline,
        number,
        Action.RETURN,
        actors["street_handler"],
        reason="不在辖区",
        reason_code="wrong_location",
    )
    act(hotline, number, Action.APPROVE_RETURN, actors["dispatcher"])
    assert status_of(hotline, number, actors["operator"]) == "accepted"
    act(hotline, number, Action.REPLY, actors["handler"], result_type="solved", reply_text="已办")


def test_failed_verification_is_rework_for_the_same_unit(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    number = new_case(
        hotline, actors["operator"], channel="patrol", caller_phone=None, caller_name=None
    )
    to_accepted(hotline, actors, number)
    act(hotline, number, Action.REPLY, actors["handler"], result_type="solved", reply_text="已办")
    act(hotline, number, Action.VERIFY, actors["inspector"], passed=False, note="现场仍有垃圾")
    case = get_case(hotline, number, actors["operator"], hotline.now())
    assert case["status"] == "accepted" and case["reopen_count"] == 1
    act(hotline, number, Action.REPLY, actors["handler"], result_type="solved", reply_text="重办")
    act(hotline, number, Action.VERIFY, actors["inspector"], passed=True)
    assert status_of(hotline, number, actors["operator"]) == "closed"


def _to_callback(hotline: Hotline, actors: dict[str, Actor]) -> str:
    number = new_case(hotline, actors["operator"])
    to_accepted(hotline, actors, number)
    act(hotline, number, Action.REPLY, actors["handler"], result_type="solved", reply_text="已办")
    return number


def test_unreachable_callback_is_retried_then_closes(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    number = _to_callback(hotline, actors)
    for _ in range(2):
        act(hotline, number, Action.RECORD_CALLBACK, actors["operator"], outcome="unreachable")
        assert status_of(hotline, number, actors["operator"]) == "callback_pending"
    act(hotline, number, Action.RECORD_CALLBACK, actors["operator"], outcome="unreachable")
    case = get_case(hotline, number, actors["operator"], hotline.now())
    assert case["status"] == "closed" and case["closed_as"] == "unreachable"


def test_unsatisfied_result_reopens_to_the_same_unit(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    number = _to_callback(hotline, actors)
    act(
        hotline,
        number,
        Action.RECORD_CALLBACK,
        actors["operator"],
        outcome="reached",
        process_satisfaction="satisfied",
        result_satisfaction="unsatisfied",
        solved=False,
    )
    case = get_case(hotline, number, actors["operator"], hotline.now())
    assert case["status"] == "dispatched" and case["lead_unit"] == "LX-CGJ"
    assert case["reopen_count"] == 1
    act(hotline, number, Action.ACCEPT, actors["handler"])


def test_unsatisfied_result_can_go_back_for_resorting(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    number = _to_callback(hotline, actors)
    act(
        hotline,
        number,
        Action.RECORD_CALLBACK,
        actors["operator"],
        outcome="reached",
        process_satisfaction="satisfied",
        result_satisfaction="unsatisfied",
        solved=False,
        reopen_to="resort",
    )
    assert status_of(hotline, number, actors["operator"]) == "registered"


def test_closed_case_can_be_reopened_by_the_centre(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    number = _to_callback(hotline, actors)
    act(hotline, number, Action.RECORD_CALLBACK, actors["operator"], outcome="refused")
    with pytest.raises(InvalidInput):
        act(hotline, number, Action.REOPEN, actors["dispatcher"])  # a reason is required
    act(
        hotline,
        number,
        Action.REOPEN,
        actors["dispatcher"],
        reason="市民再次来电",
        target="same_unit",
    )
    case = get_case(hotline, number, actors["operator"], hotline.now())
    assert case["status"] == "dispatched" and case["closed_at"] is None


def test_an_illegal_action_changes_nothing(hotline: Hotline, actors: dict[str, Actor]) -> None:
    number = new_case(hotline, actors["operator"])
    before = get_case(hotline, number, actors["operator"], hotline.now())
    with pytest.raises(IllegalTransition) as refused:
        act(hotline, number, Action.CLOSE, actors["dispatcher"])
    assert "received" in refused.value.detail
    assert get_case(hotline, number, actors["operator"], hotline.now()) == before


def test_a_failing_step_leaves_no_trace(hotline: Hotline, actors: dict[str, Actor]) -> None:
    """Dispatch validates co-units after the lead assignment is built: all of it rolls back."""
    number = new_case(hotline, actors["operator"])
    act(hotline, number, Action.REGISTER, actors["operator"])
    before = get_case(hotline, number, actors["operator"], hotline.now())
    with pytest.raises(InvalidInput):
        act(
            hotline,
            number,
            Action.DISPATCH,
            actors["dispatcher"],
            unit="LX-CGJ",
            co_units=["NO-SUCH-UNIT"],
        )
    assert get_case(hotline, number, actors["operator"], hotline.now()) == before


def test_promise_must_name_a_future_date(hotline: Hotline, actors: dict[str, Actor]) -> None:
    number = new_case(hotline, actors["operator"])
    to_accepted(hotline, actors, number)
    with pytest.raises(InvalidInput) as refused:
        act(
            hotline,
            number,
            Action.REPLY,
            actors["handler"],
            result_type="promised",
            reply_text="下周处理",
        )
    assert refused.value.fields == ("promised_on",)
    with pytest.raises(InvalidInput):
        act(
            hotline,
            number,
            Action.REPLY,
            actors["handler"],
            result_type="promised",
            reply_text="下周处理",
            promised_on="2020-01-01",
        )


def test_wrong_role_is_forbidden_and_wrong_unit_too(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    number = new_case(hotline, actors["operator"])
    with pytest.raises(Forbidden):
        act(hotline, number, Action.DISPATCH, actors["operator"], unit="LX-CGJ")
    act(hotline, number, Action.REGISTER, actors["operator"])
    act(hotline, number, Action.DISPATCH, actors["dispatcher"], unit="LX-JFL")
    from hotline.domain.errors import NotFound

    with pytest.raises(NotFound):  # another street's handler does not even see it
        act(hotline, number, Action.ACCEPT, actors["other_street_handler"])


def test_media_fields_and_aware_times_round_trip(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    published = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
    number = new_case(
        hotline,
        actors["operator"],
        channel="media",
        media_outlet="济南日报",
        media_link="https://example.invalid/a",
        media_published_at=published,
    )
    case = get_case(hotline, number, actors["operator"], hotline.now())
    assert datetime.fromisoformat(case["media_published_at"]) == published
