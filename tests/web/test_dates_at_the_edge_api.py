"""Dates and times in commands: bounded to 2000–2099, and local time when sent without an offset.

Each refused value used to answer 500 (year 1 or 9999 overflowing on the way to UTC or while
adding working days, a naive media time stored as it came) or was accepted (a promise in 9999).
"""

from __future__ import annotations

from typing import Any

import pytest

from hotline.domain.errors import InvalidInput
from hotline.domain.lifecycle import Action
from hotline.domain.roles import Actor
from hotline.services.context import Hotline
from tests.integration.helpers import act, new_case, to_accepted
from tests.web.conftest import DEFAULT_CASE, Api, assert_problem

SPAN = "2000-01-01 至 2099-12-31"
OUTSIDE = [
    "0001-01-01T00:00:00",
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00-12:00",
    "1999-12-31T23:59:59+08:00",
    "2100-01-01T00:00:00",
    "9999-12-31T23:59:59",
    "9999-12-31T23:59:59-14:00",
    "9999-12-31T23:59:59+14:00",
]


def _refused(response: Any, field: str) -> None:
    body = assert_problem(response, 422, "invalid_input")
    assert {p["name"] for p in body["invalid_params"]} == {field}
    assert any(SPAN in p["reason"] for p in body["invalid_params"]), body


def _cases(api: Api) -> int:
    total: int = api.request("GET", "/api/v1/cases", "disp").json()["total"]
    return total


def test_a_media_time_without_an_offset_is_local_time(api: Api) -> None:
    case = api.create(channel="media", media_published_at="2026-11-24T10:00:00")
    assert case["media_published_at"] == "2026-11-24T02:00:00+00:00"  # Asia/Shanghai is +08:00
    case = api.create(channel="media", media_published_at="2026-11-24T10:00:00+09:00")
    assert case["media_published_at"] == "2026-11-24T01:00:00+00:00"


@pytest.mark.parametrize("moment", OUTSIDE)
def test_a_media_time_outside_the_span_is_refused_by_name(api: Api, moment: str) -> None:
    response = api.post_case("op", {**DEFAULT_CASE, "media_published_at": moment})
    _refused(response, "media_published_at")
    assert _cases(api) == 0


def test_the_first_and_last_moments_of_the_span_are_taken(api: Api) -> None:
    for moment in ("2000-01-01T00:00:00", "2099-12-31T23:59:59+14:00"):
        assert api.create(media_published_at=moment)["media_published_at"]


@pytest.mark.parametrize("moment", OUTSIDE)
def test_a_requested_extension_outside_the_span_is_refused_by_name(api: Api, moment: str) -> None:
    number = api.create()["number"]
    api.to_accepted(number)
    response = api.act(
        number, "lx-h", "request_extension", requested_due_at=moment, reason="需协调"
    )
    _refused(response, "requested_due_at")
    assert api.case(number)["requests"] == []


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59"])
def test_a_granted_extension_outside_the_span_is_refused_by_name(api: Api, moment: str) -> None:
    number = api.create()["number"]
    api.to_accepted(number)
    api.step(number, "lx-h", "request_extension", extra_working_days=2, reason="需协调")
    response = api.act(number, "lead", "approve_extension", granted_due_at=moment)
    _refused(response, "granted_due_at")
    assert [r["status"] for r in api.case(number)["requests"]] == ["pending"]


def test_an_extension_to_the_last_day_of_the_span_is_taken(api: Api) -> None:
    number = api.create()["number"]
    api.to_accepted(number)
    due = "2099-12-31T17:00:00"
    case = api.step(number, "lx-h", "request_extension", requested_due_at=due, reason="长期")
    assert case["requests"][0]["requested_due_at"] == "2099-12-31T09:00:00+00:00"


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "2100-01-01", "9999-12-31"])
def test_a_promise_date_outside_the_span_is_refused_by_name(api: Api, day: str) -> None:
    number = api.create()["number"]
    api.to_accepted(number)
    response = api.act(
        number, "lx-h", "reply", result_type="promised", reply_text="承诺整改", promised_on=day
    )
    _refused(response, "promised_on")
    assert api.case(number)["status"] == "accepted"


def test_a_promise_on_the_last_day_of_the_span_is_taken(api: Api) -> None:
    number = api.create()["number"]
    api.to_accepted(number)
    case = api.step(
        number,
        "lx-h",
        "reply",
        result_type="promised",
        reply_text="纳入远期规划",
        promised_on="2099-12-31",
    )
    assert case["promised_on"] == "2099-12-31"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"requested_due_at": "9999-12-31T00:00:00"}, "requested_due_at"),
        ({"requested_due_at": "0001-01-01T00:00:00+14:00"}, "requested_due_at"),
    ],
)
def test_the_services_refuse_the_same_without_the_web_schemas(
    hotline: Hotline, actors: dict[str, Actor], fields: dict[str, str], field: str
) -> None:
    number = new_case(hotline, actors["operator"])
    to_accepted(hotline, actors, number)
    with pytest.raises(InvalidInput) as refused:
        act(hotline, number, Action.REQUEST_EXTENSION, actors["handler"], "需协调", **fields)
    assert refused.value.fields == (field,)
    assert SPAN in refused.value.detail


def test_the_services_refuse_a_promise_outside_the_span(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    number = new_case(hotline, actors["operator"])
    to_accepted(hotline, actors, number)
    with pytest.raises(InvalidInput) as refused:
        act(
            hotline,
            number,
            Action.REPLY,
            actors["handler"],
            result_type="promised",
            reply_text="承诺",
            promised_on="9999-12-31",
        )
    assert refused.value.fields == ("promised_on",)
