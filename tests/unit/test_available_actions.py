"""Which actions are available, decided from a case's standing alone (no database)."""

from __future__ import annotations

import pytest

from hotline.domain.availability import (
    CaseStanding,
    PendingExtension,
    available_actions,
    check_action,
)
from hotline.domain.errors import Forbidden, IllegalTransition
from hotline.domain.lifecycle import Action, Status
from hotline.domain.roles import Actor, Role
from hotline.domain.sla import DEFAULT_LEVELS, ExtensionLevel

A = Action
LEAD, CO, OTHER = 10, 20, 30
DUTY_CHIEF, SECTION_HEAD, CENTRE_LEADER = DEFAULT_LEVELS
lead_handler = Actor("lx-h", Role.HANDLER, unit_id=LEAD)
co_handler = Actor("co-h", Role.HANDLER, unit_id=CO)
other_handler = Actor("qcl-h", Role.HANDLER, unit_id=OTHER)
dispatcher = Actor("disp", Role.DISPATCHER)
leader = Actor("lead", Role.LEADER)
district_leader = Actor("lx-lead", Role.LEADER, district_code="370102")


def held(status: Status = Status.ACCEPTED, **facts: object) -> CaseStanding:
    defaults: dict[str, object] = {
        "holding_unit_id": LEAD,
        "co_units_awaiting_opinion": frozenset({CO}),
    }
    return CaseStanding(status, **{**defaults, **facts})  # type: ignore[arg-type]


def test_the_holding_units_handler_gets_its_unit_actions() -> None:
    assert available_actions(held(holding_unit_has_subunits=True), lead_handler) == [
        A.SUB_DISPATCH,
        A.RETURN,
        A.REQUEST_EXTENSION,
        A.REPLY,
    ]
    assert available_actions(held(Status.DISPATCHED), lead_handler) == [
        A.ACCEPT,
        A.RETURN,
        A.REQUEST_EXTENSION,
    ]


def test_another_units_handler_gets_nothing_and_is_told_it_is_not_the_holder() -> None:
    assert available_actions(held(), other_handler) == []
    with pytest.raises(Forbidden, match="只有当前承办单位"):
        check_action(held(), other_handler, A.REPLY)


def test_a_leaf_unit_is_not_offered_a_sub_dispatch() -> None:
    assert A.SUB_DISPATCH not in available_actions(held(), lead_handler)
    with pytest.raises(IllegalTransition, match="没有下级单位"):
        check_action(held(), lead_handler, A.SUB_DISPATCH)


def test_no_decision_is_offered_without_a_pending_extension() -> None:
    assert available_actions(held(), leader) == []
    assert available_actions(held(), dispatcher) == []
    with pytest.raises(IllegalTransition, match="没有待审批的延期申请"):
        check_action(held(), leader, A.APPROVE_EXTENSION)
    with pytest.raises(IllegalTransition, match="没有待审批的延期申请"):
        check_action(held(), leader, A.REFUSE_EXTENSION)


def test_a_pending_extension_is_decided_not_requested_again() -> None:
    standing = held(pending_extension=PendingExtension(DUTY_CHIEF))
    assert A.REQUEST_EXTENSION not in available_actions(standing, lead_handler)
    with pytest.raises(IllegalTransition, match="已有待审批的延期申请"):
        check_action(standing, lead_handler, A.REQUEST_EXTENSION)
    assert available_actions(standing, dispatcher) == [A.APPROVE_EXTENSION, A.REFUSE_EXTENSION]
    assert available_actions(standing, leader) == [A.APPROVE_EXTENSION, A.REFUSE_EXTENSION]


@pytest.mark.parametrize(
    ("level", "deciders"),
    [
        (DUTY_CHIEF, {"disp", "lead", "lx-lead"}),
        (SECTION_HEAD, {"lead", "lx-lead"}),
        (CENTRE_LEADER, {"lead"}),  # city level only
    ],
)
def test_only_the_approval_level_decides(level: ExtensionLevel, deciders: set[str]) -> None:
    standing = held(pending_extension=PendingExtension(level))
    offered = {
        actor.name
        for actor in (dispatcher, leader, district_leader)
        if A.APPROVE_EXTENSION in available_actions(standing, actor)
    }
    assert offered == deciders
    if "disp" not in deciders:
        with pytest.raises(Forbidden, match=f"「{level.label}」审批"):
            check_action(standing, dispatcher, A.REFUSE_EXTENSION)


def test_an_overtaken_request_can_only_be_refused() -> None:
    standing = held(pending_extension=PendingExtension(DUTY_CHIEF, extends_deadline=False))
    assert available_actions(standing, leader) == [A.REFUSE_EXTENSION]
    with pytest.raises(IllegalTransition, match="只能不批准"):
        check_action(standing, leader, A.APPROVE_EXTENSION)


def test_the_maximum_of_extensions_stops_requests() -> None:
    standing = held(extension_count=2, max_extensions=2)
    assert A.REQUEST_EXTENSION not in available_actions(standing, lead_handler)
    with pytest.raises(IllegalTransition, match="已延期 2 次，最多 2 次"):
        check_action(standing, lead_handler, A.REQUEST_EXTENSION)
    assert A.REQUEST_EXTENSION in available_actions(held(extension_count=1), lead_handler)


@pytest.mark.parametrize("status", [Status.DISPATCHED, Status.ACCEPTED])
def test_a_co_unit_gives_its_opinion_once_while_the_lead_unit_holds_the_case(
    status: Status,
) -> None:
    assert available_actions(held(status), co_handler) == [A.CO_OPINION]
    answered = held(
        status, co_units_awaiting_opinion=frozenset(), co_units_with_opinion=frozenset({CO})
    )
    assert available_actions(answered, co_handler) == []
    with pytest.raises(IllegalTransition, match="已提交协办意见"):
        check_action(answered, co_handler, A.CO_OPINION)


def test_the_lead_unit_and_strangers_give_no_co_opinion() -> None:
    for actor in (lead_handler, other_handler):
        with pytest.raises(Forbidden, match="协办单位"):
            check_action(held(), actor, A.CO_OPINION)


@pytest.mark.parametrize(
    "status", [Status.REGISTERED, Status.RETURNED, Status.REPLIED, Status.CLOSED]
)
def test_no_co_opinion_once_the_lead_unit_no_longer_holds_the_case(status: Status) -> None:
    assert available_actions(held(status), co_handler) == []
    with pytest.raises(IllegalTransition):
        check_action(held(status), co_handler, A.CO_OPINION)


def test_the_role_is_checked_before_the_state() -> None:
    with pytest.raises(Forbidden, match="leader"):
        check_action(CaseStanding(Status.RECEIVED), leader, A.CLOSE)
    with pytest.raises(IllegalTransition):
        check_action(CaseStanding(Status.RECEIVED), dispatcher, A.CLOSE)


def test_centre_actions_follow_state_and_role() -> None:
    operator = Actor("op", Role.OPERATOR)
    inspector = Actor("insp", Role.INSPECTOR)
    assert available_actions(CaseStanding(Status.RECEIVED), operator) == [
        A.REGISTER,
        A.ANSWER_DIRECTLY,
        A.VOID,
    ]
    assert available_actions(CaseStanding(Status.REGISTERED), dispatcher) == [A.VOID, A.DISPATCH]
    assert available_actions(CaseStanding(Status.RETURNED), dispatcher) == [
        A.APPROVE_RETURN,
        A.REJECT_RETURN,
    ]
    assert available_actions(CaseStanding(Status.VERIFYING), inspector) == [A.VERIFY]
    assert available_actions(CaseStanding(Status.CALLBACK_PENDING), dispatcher) == [
        A.RECORD_CALLBACK,
        A.REOPEN,
        A.CLOSE,
    ]
    assert available_actions(CaseStanding(Status.VOID), dispatcher) == []


def test_every_available_action_passes_the_guard_and_no_other() -> None:
    standing = held(
        pending_extension=PendingExtension(SECTION_HEAD), holding_unit_has_subunits=True
    )
    for actor in (lead_handler, co_handler, other_handler, dispatcher, leader, district_leader):
        offered = available_actions(standing, actor)
        for action in Action:
            if action in offered:
                check_action(standing, actor, action)
            else:
                with pytest.raises((Forbidden, IllegalTransition)):
                    check_action(standing, actor, action)
