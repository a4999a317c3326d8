"""GET /api/v1/indicators and its drill-down, with real tokens on the real app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from hotline.entrypoints.web import routes_indicators
from hotline.entrypoints.web.app import create_app
from hotline.services.context import Hotline
from tests.conftest import FakeClock
from tests.web.conftest import Api, assert_problem, invalid_names

URL = "/api/v1/indicators"
NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}


@pytest.fixture
def client(hotline: Hotline) -> Iterator[TestClient]:
    """The app as served, with the indicator router mounted if the app does not yet do it."""
    app = create_app(hotline)
    if not any(getattr(route, "path", "") == URL for route in app.routes):
        app.include_router(routes_indicators.router)
    with TestClient(app) as test_client:
        yield test_client


def _replied(api: Api, unit: str = "LX-CGJ", handler: str = "lx-h") -> str:
    number: str = api.create()["number"]
    api.to_accepted(number, unit, handler)
    api.step(number, handler, "reply", result_type="solved", reply_text="已处理")
    return number


def test_indicators_by_district_with_formula_and_comparisons(api: Api, clock: FakeClock) -> None:
    _replied(api)
    clock.advance(hours=1)
    response = api.request("GET", URL, "lead", params={**NOVEMBER, "group_by": "district"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["period"] == NOVEMBER and body["timezone"] == "Asia/Shanghai"
    on_time = body["total"]["on_time_rate"]
    assert (on_time["numerator"], on_time["denominator"], on_time["percent"]) == (1, 1, 100.0)
    assert on_time["formula"].startswith("按期办结率 = ")
    assert on_time["pop_pp"] is None and on_time["pop_reason"] == "上期无值"
    assert [(g["key"], g["label"]) for g in body["groups"]] == [("370102", "历下区")]
    assert body["total"]["solved_rate"]["value"] is None  # no callback yet
    assert "历下区" in response.text  # characters, not escapes


def test_the_drill_down_shows_only_cases_in_the_callers_scope(api: Api) -> None:
    mine = _replied(api, "LX-JFL", "jfl-h")
    _replied(api)
    params = {**NOVEMBER, "part": "denominator"}
    everyone = api.request("GET", f"{URL}/on_time_rate/cases", "disp", params=params).json()
    assert everyone["count"] == everyone["visible"] == 2
    street = api.request("GET", f"{URL}/on_time_rate/cases", "jfl-h", params=params)
    assert street.status_code == 200, street.text
    body = street.json()
    assert (body["count"], body["hidden"]) == (2, 1)
    assert [item["number"] for item in body["items"]] == [mine]
    grouped = {**params, "group_by": "unit"}
    units = api.request("GET", URL, "disp", params={**NOVEMBER, "group_by": "unit"}).json()
    jfl = next(g["key"] for g in units["groups"] if g["label"] == "历下区解放路街道办事处")
    one = api.request("GET", f"{URL}/on_time_rate/cases", "disp", params={**grouped, "group": jfl})
    assert [item["number"] for item in one.json()["items"]] == [mine]


def test_authentication_and_bad_input_are_problems(api: Api) -> None:
    assert_problem(api.request("GET", URL, None, params=NOVEMBER), 401, "unauthenticated")
    assert invalid_names(api.request("GET", URL, "lead", params={"from": "2026-11-01"})) == {"to"}
    bad_group = api.request("GET", URL, "lead", params={**NOVEMBER, "group_by": "planet"})
    assert "group_by" in invalid_names(bad_group)
    backwards = api.request("GET", URL, "lead", params={"from": "2026-11-30", "to": "2026-11-01"})
    assert_problem(backwards, 422, "invalid_input")
    unknown = api.request("GET", f"{URL}/happiness/cases", "lead", params=NOVEMBER)
    assert_problem(unknown, 422, "invalid_input")
    bad_day = api.request(
        "GET", f"{URL}/reply_rate/cases", "lead",
        params={**NOVEMBER, "group_by": "day", "group": "2026-12-01"},
    )  # fmt: skip
    assert_problem(bad_day, 422)
