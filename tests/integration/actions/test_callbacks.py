"""The callback queue and what callbacks lead to (回访)."""

from __future__ import annotations

from sqlalchemy import select

from hotline.adapters.db.models import Callback, Supervision
from hotline.domain.lifecycle import Action
from hotline.domain.roles import Actor
from hotline.services.actions.callbacks import callback_queue
from hotline.services.context import Hotline
from tests.conftest import FakeClock
from tests.integration.helpers import act, new_case, to_accepted


def _replied(hotline: Hotline, actors: dict[str, Actor], **overrides: object) -> str:
    number = new_case(hotline, actors["operator"], **overrides)
    to_accepted(hotline, actors, number)
    act(hotline, number, Action.REPLY, actors["handler"], result_type="solved", reply_text="已办")
    return number


def test_replied_cases_enter_the_queue_and_retries_are_spaced(
    hotline: Hotline, actors: dict[str, Actor], clock: FakeClock
) -> None:
    number = _replied(hotline, actors)
    _replied(hotline, actors, caller_phone=None, caller_name=None)  # no contact: no callback
    queue = callback_queue(hotline, actors["operator"], clock())
    assert [item["number"] for item in queue["due_now"]] == [number]
    assert queue["due_now"][0]["caller_phone"] == "138****5678"
    act(hotline, number, Action.RECORD_CALLBACK, actors["operator"], outcome="unreachable")
    assert callback_queue(hotline, actors["operator"], clock())["due_now"] == []
    clock.advance(minutes=121)
    assert [
        i["number"] for i in callback_queue(hotline, actors["operator"], clock())["due_now"]
    ] == [number]
    act(
        hotline,
        number,
        Action.RECORD_CALLBACK,
        actors["operator"],
        outcome="reached",
        process_satisfaction="satisfied",
        result_satisfaction="satisfied",
        solved=True,
    )
    assert callback_queue(hotline, actors["operator"], clock())["pending_total"] == 0


def test_unsatisfied_result_opens_a_supervision_of_the_unit(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    number = _replied(hotline, actors)
    act(
        hotline,
        number,
        Action.RECORD_CALLBACK,
        actors["operator"],
        outcome="reached",
        process_satisfaction="basically_satisfied",
        result_satisfaction="unsatisfied",
        solved=False,
    )
    with hotline.db.transaction() as session:
        supervision = session.scalars(select(Supervision)).one()
        callback = session.scalars(select(Callback)).one()
        assert (supervision.level, supervision.source) == ("supervise", "callback_unsatisfied")
        assert supervision.target_unit_id == callback.unit_id is not None


def test_handlers_have_no_callback_queue(
    hotline: Hotline, actors: dict[str, Actor], clock: FakeClock
) -> None:
    import pytest

    from hotline.domain.errors import Forbidden

    with pytest.raises(Forbidden):
        callback_queue(hotline, actors["handler"], clock())
