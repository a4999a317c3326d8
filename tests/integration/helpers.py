"""Small builders for integration tests: create a case and walk it to a given state."""

from __future__ import annotations

from typing import Any

from hotline.domain.commands import command_for
from hotline.domain.lifecycle import Action
from hotline.domain.roles import Actor
from hotline.services.actions.perform import perform_action
from hotline.services.cases.intake import NewCase, create_case
from hotline.services.cases.views import get_case
from hotline.services.context import Hotline


def new_case(hotline: Hotline, actor: Actor, **overrides: Any) -> str:
    data: dict[str, Any] = dict(
        channel="12345",
        content="历下区泉城路夜间施工噪音扰民，凌晨两点还在施工",
        address="历下区泉城路 188 号",
        caller_name="张三丰",
        caller_phone="13812345678",
    )
    data.update(overrides)
    return create_case(hotline, NewCase(**data), actor, hotline.now())


def act(
    hotline: Hotline,
    number: str,
    action: Action,
    actor: Actor,
    reason: str | None = None,
    **fields: Any,
) -> int:
    command = command_for(action, reason=reason, **fields)
    return perform_action(hotline, number, command, actor, hotline.now())


def status_of(hotline: Hotline, number: str, actor: Actor) -> str:
    return str(get_case(hotline, number, actor, hotline.now())["status"])


def to_accepted(
    hotline: Hotline, actors: dict[str, Actor], number: str, unit: str = "LX-CGJ"
) -> None:
    act(hotline, number, Action.REGISTER, actors["operator"], category_code="E0301")
    act(hotline, number, Action.DISPATCH, actors["dispatcher"], unit=unit)
    handler = actors["handler"] if unit == "LX-CGJ" else actors["street_handler"]
    act(hotline, number, Action.ACCEPT, handler)
