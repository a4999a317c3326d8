"""Every (state, action) pair: allowed or refused exactly as the transition table says."""

from __future__ import annotations

import itertools

import pytest

from hotline.domain.errors import IllegalTransition
from hotline.domain.lifecycle import (
    TERMINAL,
    TRANSITIONS,
    Action,
    Status,
    allowed_actions,
    targets,
    transition,
)

# The closed loop written out independently of the table, so a slip in either one shows.
EXPECTED_ALLOWED = {
    Status.RECEIVED: {Action.REGISTER, Action.ANSWER_DIRECTLY, Action.VOID},
    Status.REGISTERED: {Action.DISPATCH, Action.VOID},
    Status.DISPATCHED: {
        Action.ACCEPT,
        Action.RETURN,
        Action.REQUEST_EXTENSION,
        Action.APPROVE_EXTENSION,
        Action.REFUSE_EXTENSION,
        Action.CO_OPINION,
    },
    Status.ACCEPTED: {
        Action.SUB_DISPATCH,
        Action.RETURN,
        Action.REQUEST_EXTENSION,
        Action.APPROVE_EXTENSION,
        Action.REFUSE_EXTENSION,
        Action.REPLY,
        Action.CO_OPINION,
    },
    Status.RETURNED: {Action.APPROVE_RETURN, Action.REJECT_RETURN},
    Status.REPLIED: {Action.CLOSE, Action.REOPEN},
    Status.VERIFYING: {Action.VERIFY},
    Status.CALLBACK_PENDING: {Action.RECORD_CALLBACK, Action.REOPEN, Action.CLOSE},
    Status.CLOSED: {Action.REOPEN},
    Status.ANSWERED_DIRECTLY: set(),
    Status.VOID: set(),
}


@pytest.mark.parametrize(("status", "action"), list(itertools.product(Status, Action)))
def test_every_pair_is_allowed_or_refused_as_the_table_says(status: Status, action: Action) -> None:
    if action in EXPECTED_ALLOWED[status]:
        assert targets(status, action)
    else:
        with pytest.raises(IllegalTransition) as refused:
            targets(status, action)
        assert status.value in refused.value.detail
        assert action.value in refused.value.detail


def test_table_and_expectation_agree_both_ways() -> None:
    for status in Status:
        assert set(allowed_actions(status)) == EXPECTED_ALLOWED[status]


def test_every_action_and_state_is_used() -> None:
    assert {action for (_, action) in TRANSITIONS} == set(Action)
    reachable = {target for allowed in TRANSITIONS.values() for target in allowed}
    assert reachable | {Status.RECEIVED} == set(Status)


def test_terminal_states_allow_nothing() -> None:
    for status in TERMINAL:
        assert allowed_actions(status) == []


@pytest.mark.parametrize(
    ("status", "action", "target"),
    [
        (Status.ACCEPTED, Action.REPLY, Status.VERIFYING),
        (Status.ACCEPTED, Action.REPLY, Status.CALLBACK_PENDING),
        (Status.VERIFYING, Action.VERIFY, Status.ACCEPTED),
        (Status.CALLBACK_PENDING, Action.RECORD_CALLBACK, Status.REGISTERED),
        (Status.RETURNED, Action.APPROVE_RETURN, Status.ACCEPTED),
    ],
)
def test_chosen_targets_inside_the_table_pass(
    status: Status, action: Action, target: Status
) -> None:
    assert transition(status, action, target) is target


def test_a_target_outside_the_table_is_refused() -> None:
    with pytest.raises(IllegalTransition):
        transition(Status.ACCEPTED, Action.REPLY, Status.CLOSED)
