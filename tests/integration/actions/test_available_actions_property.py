"""What the case view offers is exactly what the services accept: random walks through the
lifecycle, where at each step someone tries an action — one offered to them or one not — with the
minimal valid input for it.

An offered action must succeed; any other must be refused by the guard — 403, 404 (out of
scope) or 409, never 422: a refusal of the input would mean the view offered something the
case's standing could not take (a sub-dispatch from a unit with no unit below, say).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from hotline.adapters.db.models import Unit
from hotline.domain.commands import command_for
from hotline.domain.errors import DomainError, Forbidden, IllegalTransition, NotFound
from hotline.domain.lifecycle import Action
from hotline.domain.roles import Actor, Role
from hotline.services.actions.perform import perform_action
from hotline.services.cases.views import get_case
from hotline.services.context import Hotline
from hotline.services.reference.units import subtree_ids
from tests.conftest import FakeClock, unit_id
from tests.integration.helpers import new_case

GUARD_REFUSALS = (Forbidden, IllegalTransition, NotFound)
START = FakeClock().current
ENDINGS = (Action.VOID, Action.ANSWER_DIRECTLY)  # terminal: the walk would stop there
SLOW_DB = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


def _walkers(hotline: Hotline, actors: dict[str, Actor]) -> list[Actor]:
    """Everyone who might act: the centre's roles, and handlers of a lead unit, its sub-units
    (one a leaf with nobody below), a sibling and a co-unit in another district."""
    handlers = [
        Actor(f"{code}-h", Role.HANDLER, unit_id=unit_id(hotline, code))
        for code in ("LX-JFL-01", "SZ-CGJ")
    ]
    centre = [a for name, a in actors.items() if name not in ("admin",)]
    return [*centre, *handlers, Actor("lx-lead", Role.LEADER, district_code="370102")]


def _unit_below(hotline: Hotline, actor: Actor) -> str:
    """An active unit below the actor's own (where a sub-dispatch from it could go)."""
    if actor.unit_id is None:
        return "LX-JFL"
    with hotline.db.transaction() as session:
        below = subtree_ids(session, actor.unit_id) - {actor.unit_id}
        stmt = select(Unit.code).where(Unit.id.in_(below), Unit.active).order_by(Unit.code)
        return session.scalars(stmt).first() or "LX-JFL"


def _minimal_input(
    hotline: Hotline, action: Action, actor: Actor, data: st.DataObject
) -> dict[str, Any]:
    """The least an action needs to be valid (the reason travels as a field too)."""
    if action is Action.DISPATCH:
        unit = data.draw(st.sampled_from(["LX-CGJ", "LX-JFL"]))
        return {"unit": unit, "co_units": data.draw(st.sampled_from([[], ["SZ-CGJ"]]))}
    if action is Action.SUB_DISPATCH:
        return {"unit": _unit_below(hotline, actor)}
    reason = "需要"
    return {
        Action.ANSWER_DIRECTLY: {"reply_text": "已解答"},
        Action.VOID: {"reason": reason},
        Action.RETURN: {"reason_code": "not_our_duty", "reason": reason},
        Action.REQUEST_EXTENSION: {"extra_working_days": 1, "reason": reason},
        Action.REFUSE_EXTENSION: {"reason": reason},
        Action.REPLY: {"result_type": "solved", "reply_text": "已处理"},
        Action.VERIFY: {"passed": True},
        Action.RECORD_CALLBACK: {
            "outcome": "reached",
            "process_satisfaction": "satisfied",
            "result_satisfaction": "satisfied",
        },
        Action.REOPEN: {"reason": reason},
        Action.CO_OPINION: {"opinion": "同意主办单位意见"},
    }.get(action, {})


def _offered(hotline: Hotline, number: str, actor: Actor) -> list[Action]:
    try:
        view = get_case(hotline, number, actor, hotline.now())
    except NotFound:  # out of scope: nothing to offer, and every action reads as not found
        return []
    return [Action(name) for name in view["allowed_actions"]]


def _try(
    hotline: Hotline, number: str, action: Action, actor: Actor, fields: dict[str, Any]
) -> None:
    perform_action(hotline, number, command_for(action, **fields), actor, hotline.now())


def _someone_offered(
    hotline: Hotline, number: str, walkers: list[Actor], data: st.DataObject
) -> tuple[Actor, list[Action]]:
    """Mostly someone who has an action on offer (so the walk moves on), else anyone."""
    order = data.draw(st.permutations(walkers), label="who")
    if data.draw(st.integers(0, 3), label="anyone") == 0:
        return order[0], _offered(hotline, number, order[0])
    for actor in order:
        offered = _offered(hotline, number, actor)
        if offered:
            return actor, offered
    return order[0], []


def _pick(offered: list[Action], data: st.DataObject) -> Action:
    """An offered action (rarely one that ends the walk at once), or one not offered."""
    if offered and data.draw(st.integers(0, 4), label="take offered") > 0:
        lasting = [a for a in offered if a not in ENDINGS]
        if lasting and data.draw(st.integers(0, 7), label="end now") > 0:
            return data.draw(st.sampled_from(lasting), label="action")
        return data.draw(st.sampled_from(offered), label="action")
    return data.draw(st.sampled_from([a for a in Action if a not in offered]), label="refused")


def _walk(
    hotline: Hotline, actors: dict[str, Actor], clock: FakeClock, data: st.DataObject
) -> None:
    clock.current = START  # every walk from the same moment, so a failing one replays the same
    walkers = _walkers(hotline, actors)
    number = new_case(hotline, actors["operator"])
    for _ in range(data.draw(st.integers(8, 30), label="steps")):
        clock.advance(minutes=data.draw(st.integers(0, 600), label="minutes"))
        actor, offered = _someone_offered(hotline, number, walkers, data)
        action = _pick(offered, data)
        fields = _minimal_input(hotline, action, actor, data)
        if action in offered:
            _try(hotline, number, action, actor, fields)  # must not raise
            continue
        with pytest.raises(DomainError) as refused:
            _try(hotline, number, action, actor, fields)
        assert isinstance(refused.value, GUARD_REFUSALS), (action, actor, refused.value.detail)


# A walk costs a few seconds on a busy machine: the per-test limit is raised to match.
@pytest.mark.timeout(600)
@settings(max_examples=6, deadline=None, suppress_health_check=SLOW_DB)
@given(data=st.data())
def test_offered_actions_succeed_and_others_are_refused_by_the_guard(
    hotline: Hotline, actors: dict[str, Actor], clock: FakeClock, data: st.DataObject
) -> None:
    _walk(hotline, actors, clock, data)


@pytest.mark.slow
@pytest.mark.timeout(3600)
@settings(max_examples=100, deadline=None, suppress_health_check=SLOW_DB)
@given(data=st.data())
def test_many_walks(
    hotline: Hotline, actors: dict[str, Actor], clock: FakeClock, data: st.DataObject
) -> None:
    _walk(hotline, actors, clock, data)
