"""The case view and the case list are read as of the moment they are given: their SLA states
do not come from the context's clock (a service reads no clock; the entry point passes ``now``)."""

from __future__ import annotations

from datetime import timedelta

from hotline.domain.lifecycle import Action
from hotline.domain.roles import Actor
from hotline.services.cases.lists import CaseListQuery, list_cases
from hotline.services.cases.views import get_case
from hotline.services.context import Hotline
from tests.integration.helpers import act, new_case


def test_the_sla_states_are_those_of_the_given_moment(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    number = new_case(hotline, actors["operator"])
    act(hotline, number, Action.REGISTER, actors["operator"], category_code="E0301")
    act(hotline, number, Action.DISPATCH, actors["dispatcher"], unit="LX-CGJ")
    operator, dispatched_at = actors["operator"], hotline.now()

    def sla(days_later: float) -> dict[str, str | None]:
        view = get_case(hotline, number, operator, dispatched_at + timedelta(days=days_later))
        return view["sla"]  # type: ignore[no-any-return]

    assert sla(0) == {"accept": "on_track", "reply": "on_track"}
    assert sla(30) == {"accept": "overdue", "reply": "overdue"}
    assert hotline.now() == dispatched_at  # the context's clock never moved


def test_the_overdue_filter_is_that_of_the_given_moment(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    number = new_case(hotline, actors["operator"])
    act(hotline, number, Action.REGISTER, actors["operator"], category_code="E0301")
    act(hotline, number, Action.DISPATCH, actors["dispatcher"], unit="LX-CGJ")
    dispatcher, dispatched_at = actors["dispatcher"], hotline.now()

    def overdue(days_later: float) -> list[str]:
        moment = dispatched_at + timedelta(days=days_later)
        page = list_cases(hotline, dispatcher, CaseListQuery(sla=("overdue",)), moment)
        return [item["number"] for item in page["items"]]

    assert overdue(0) == []
    assert overdue(30) == [number]
