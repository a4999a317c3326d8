"""Random walks through the lifecycle on in-memory facts: every action the guard offers is taken
by its handler with minimal valid input, and the change set, applied, leaves a case the guard
reads consistently (one lead unit holding it at most; the status the table allows).

The database version of this walk is tests/integration/actions/test_available_actions_property.py;
this one needs no database, so it walks further and more often.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.domain.availability import available_actions
from hotline.domain.changes import ChangeSet
from hotline.domain.commands import command_for
from hotline.domain.handlers.standing import case_standing
from hotline.domain.lifecycle import TERMINAL, Action, Status
from hotline.domain.roles import Actor, Role
from hotline.domain.vocabulary import ASSIGNMENT_AT_WORK
from tests.unit.domain.memory import (
    CITY,
    NOW,
    PARENTS,
    RULES,
    UNITS,
    MemoryAssignment,
    MemoryCase,
    MemoryRequest,
    co_handler,
    dispatcher,
    leader,
    operator,
    run,
    street_handler,
)

ENDINGS = (Action.VOID, Action.ANSWER_DIRECTLY)
WALKERS = [
    operator,
    dispatcher,
    leader,
    Actor("lx-h", Role.HANDLER, unit_id=CITY.id),
    street_handler,
    co_handler,
]
MINIMAL: dict[Action, dict[str, Any]] = {
    Action.ANSWER_DIRECTLY: {"reply_text": "已解答"},
    Action.VOID: {"reason": "测试"},
    Action.DISPATCH: {"unit": "LX-CGJ", "co_units": ["SZ-CGJ"]},
    Action.RETURN: {"reason_code": "not_our_duty", "reason": "不归我们"},
    Action.REQUEST_EXTENSION: {"extra_working_days": 1, "reason": "需协调"},
    Action.REFUSE_EXTENSION: {"reason": "理由不足"},
    Action.REPLY: {"result_type": "solved", "reply_text": "已处理"},
    Action.VERIFY: {"passed": True},
    Action.RECORD_CALLBACK: {
        "outcome": "reached",
        "process_satisfaction": "satisfied",
        "result_satisfaction": "unsatisfied",
    },
    Action.REOPEN: {"reason": "再次来电"},
    Action.CO_OPINION: {"opinion": "同意"},
}


def _minimal(action: Action, actor: Actor) -> dict[str, Any]:
    """The least the action needs; a sub-dispatch goes to a unit right below the actor's."""
    if action is Action.SUB_DISPATCH:
        below = [u.code for u in UNITS.values() if PARENTS.get(u.id) == actor.unit_id]
        return {"unit": below[0]}
    return MINIMAL.get(action, {})


def _apply(case: MemoryCase, changes: ChangeSet, ids: list[int]) -> None:
    """Apply a change set to the in-memory case, as a sink would."""
    for name, value in changes.case.items():
        setattr(case, name, value)
    assignments = {a.id: a for a in case.assignments}
    for update in changes.assignment_updates:
        for column, value in update.changes.items():
            setattr(assignments[update.assignment_id], column, value)
    for new in changes.new_assignments:
        ids[0] += 1
        case.assignments.append(
            MemoryAssignment(
                ids[0], new.unit_id, new.role, new.parent_id, new.status, new.dispatched_at,
                None, new.due_at,
            )
        )  # fmt: skip
    requests = {r.id: r for r in case.requests}
    for request_update in changes.request_updates:
        for request_column, value in request_update.changes.items():
            setattr(requests[request_update.request_id], request_column, value)
    for request in changes.new_requests:
        ids[0] += 1
        case.requests.append(
            MemoryRequest(
                ids[0], request.kind, request.assignment_id, request.status,
                request.requested_at, request.requested_due_at,
            )
        )  # fmt: skip
    if changes.supervisions:
        case.supervised = True


def _offered(case: MemoryCase, actor: Actor, now: datetime) -> list[Action]:
    has_subunits = any(parent == actor.unit_id for parent in PARENTS.values())
    standing = case_standing(case, RULES, now, holding_has_subunits=has_subunits)
    return available_actions(standing, actor)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_every_offered_action_succeeds_and_leaves_a_consistent_case(data: st.DataObject) -> None:
    case, ids, now = MemoryCase(), [100], NOW
    for _ in range(30):
        if Status(case.status) in TERMINAL:
            break
        choices = [(a, act) for a in WALKERS for act in _offered(case, a, now)]
        if not choices:
            break
        lasting = [c for c in choices if c[1] not in ENDINGS]  # mostly walk on
        walk_on = data.draw(st.integers(0, 9), label="end") > 0
        pool = lasting if lasting and walk_on else choices
        actor, action = data.draw(st.sampled_from(pool), label="step")
        before = Status(case.status)
        changes = run(command_for(action, **_minimal(action, actor)), case, actor, now)
        assert changes.event.from_status == before
        _apply(case, changes, ids)
        holding = [
            a for a in case.assignments if a.role == "lead" and a.status in ASSIGNMENT_AT_WORK
        ]
        assert len({a.id for a in holding if not any(b.parent_id == a.id for b in holding)}) <= 1
        if case.status in (Status.REGISTERED, Status.CLOSED):
            assert not holding  # nobody works on a case the centre or nobody holds
        # in the callback queue exactly while awaiting a callback
        queued = getattr(case, "callback_next_at", None) is not None
        assert queued == (case.status == Status.CALLBACK_PENDING)
        now += timedelta(minutes=data.draw(st.integers(1, 600), label="minutes later"))
