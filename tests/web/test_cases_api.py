"""Creating, reading and listing cases through the API; validation as problem+json."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hotline.entrypoints.web.app import create_app
from hotline.entrypoints.web.docs_ui import install_docs
from hotline.services.context import Hotline
from tests.conftest import FakeClock
from tests.web.conftest import DEFAULT_CASE, Api, assert_problem, invalid_names


def test_create_returns_the_case_with_history_etag_and_location(api: Api) -> None:
    response = api.post_case("op", {**DEFAULT_CASE, "title": "夜间施工", "urgency": "urgent"})
    assert response.status_code == 201, response.text
    case = response.json()
    assert case["number"] == "20261124-000001"
    assert case["status"] == "received"
    assert case["version"] == 1
    assert response.headers["etag"] == '"1"'
    assert response.headers["location"] == "/api/v1/cases/20261124-000001"
    assert response.headers["cache-control"] == "no-store"
    assert (case["channel"], case["title"], case["urgency"]) == ("12345", "夜间施工", "urgent")
    [event] = case["history"]
    assert {"action", "actor", "at", "from_status", "to_status", "reason", "details"} <= set(event)
    assert (event["action"], event["actor"], event["to_status"]) == ("receive", "op", "received")


def test_get_returns_the_same_case_and_etag(api: Api) -> None:
    number = api.create()["number"]
    response = api.get(number, "op")
    assert response.status_code == 200
    assert response.headers["etag"] == '"1"'
    assert response.json()["number"] == number


@pytest.mark.parametrize("number", ["20991231-000001", "not-a-number", "2026", "x" * 40])
def test_unknown_or_malformed_number_is_404(api: Api, number: str) -> None:
    assert_problem(api.get(number), 404, "not_found")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"channel": "fax"}, "channel"),
        ({"content": ""}, "content"),
        ({"content": "长" * 4001}, "content"),
        ({"coord_system": "bd09"}, "coord_system"),
        ({"lon": 117.0}, "lat"),
        ({"lon": 500, "lat": 36.6}, "lon"),
        ({"urgency": "asap"}, "urgency"),
        ({"category_code": "Z9999"}, "category_code"),
        ({"caller_phone": "call me maybe"}, "caller_phone"),
        ({"confidential": "perhaps"}, "confidential"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_invalid_create_is_422_naming_the_field(
    api: Api, overrides: dict[str, Any], field: str
) -> None:
    response = api.post_case("op", {**DEFAULT_CASE, **overrides})
    assert field in invalid_names(response)
    assert response.json()["code"] == "invalid_input"


def test_missing_fields_and_broken_json_are_422(api: Api) -> None:
    assert invalid_names(api.post_case("op", {})) == {"channel", "content"}
    broken = api.request(
        "POST",
        "/api/v1/cases",
        "op",
        content=b'{"channel": ',
        headers={"Content-Type": "application/json"},
    )
    assert invalid_names(broken) == {"body"}


def test_unknown_channel_names_channel_in_chinese(api: Api) -> None:
    body = assert_problem(api.post_case("op", {**DEFAULT_CASE, "channel": "fax"}), 422)
    assert body["invalid_params"] == [{"name": "channel", "reason": "未知的来源渠道「fax」"}]
    assert "fax" in body["detail"]


def test_list_filters_and_pages(api: Api, clock: FakeClock) -> None:
    first = api.create()["number"]
    clock.advance(hours=1)
    second = api.create(channel="wechat")["number"]
    api.to_dispatched(second)
    clock.advance(days=1)
    third = api.create(channel="wechat", content="槐荫区垃圾堆放")["number"]

    def numbers(**params: Any) -> list[str]:
        response = api.request("GET", "/api/v1/cases", "disp", params=params)
        assert response.status_code == 200, response.text
        return [item["number"] for item in response.json()["items"]]

    assert numbers() == [third, second, first]
    assert numbers(channel="wechat") == [third, second]
    assert numbers(status="dispatched") == [second]
    assert numbers(unit="LX-CGJ") == [second]
    assert numbers(district="370102") == [second]
    assert numbers(category="E0301") == [second]
    assert numbers(created_from="2026-11-24T11:00:00", created_to="2026-11-25T00:00:00") == [second]
    assert numbers(created_from="2026-11-25T00:00:00+08:00") == [third]
    page = api.request("GET", "/api/v1/cases", "disp", params={"page": 2, "page_size": 2}).json()
    assert (page["total"], page["page"], [i["number"] for i in page["items"]]) == (3, 2, [first])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "lost"}, "status"),
        ({"page": 0}, "page"),
        ({"page_size": 501}, "page_size"),
        ({"created_from": "yesterday"}, "created_from"),
    ],
)
def test_bad_list_parameters_are_422(api: Api, params: dict[str, Any], field: str) -> None:
    assert field in invalid_names(api.request("GET", "/api/v1/cases", "disp", params=params))


def test_suggestions_run_the_enrichment_steps_without_creating(api: Api) -> None:
    draft = {"channel": "12345", "content": "小区门口夜间施工噪音扰民", "address": "历下区泉城路"}
    response = api.request("POST", "/api/v1/intake/suggestions", "op", json=draft)
    assert response.status_code == 200, response.text
    suggestions = response.json()["suggestions"]
    found = {(s["field"], s["value"]) for s in suggestions if isinstance(s["value"], str)}
    assert ("district_code", "370102") in found
    assert ("category_code", "E0301") in found
    route = next(s["value"] for s in suggestions if s["field"] == "route")
    assert route["lead"]  # the routing rules name a lead unit for the draft
    assert api.request("GET", "/api/v1/cases", "disp").json()["total"] == 0
    assert "content" in invalid_names(
        api.request("POST", "/api/v1/intake/suggestions", "op", json={"channel": "12345"})
    )
    assert_problem(
        api.request("POST", "/api/v1/intake/suggestions", "insp", json=draft), 403, "forbidden"
    )


def test_health_openapi_and_docs(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}
    schema = api.client.get("/openapi.json").json()
    actions = schema["paths"]["/api/v1/cases/{number}/actions"]["post"]
    body_schema = actions["requestBody"]["content"]["application/json"]["schema"]
    assert body_schema["discriminator"]["propertyName"] == "action"
    assert len(body_schema["oneOf"]) == 18  # one body per lifecycle action
    assert "428" in actions["responses"] and "412" in actions["responses"]
    docs = api.client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_docs_are_served_from_local_assets_when_installed(hotline: Hotline, tmp_path: Path) -> None:
    (tmp_path / "swagger-ui-bundle.js").write_text("/* swagger */")
    (tmp_path / "swagger-ui.css").write_text("/* css */")
    app = create_app(hotline)
    replaced = {"/docs", "/static/swagger-ui"}  # whatever create_app found installed
    app.router.routes = [r for r in app.router.routes if getattr(r, "path", "") not in replaced]
    kept = list(app.router.routes)
    install_docs(app, tmp_path)
    # The docs go before the workbench's catch-all page route, as create_app places them.
    added = [route for route in app.router.routes if route not in kept]
    app.router.routes = added + kept
    client = TestClient(app)
    page = client.get("/docs").text
    assert "/static/swagger-ui/swagger-ui-bundle.js" in page and "cdn" not in page
    assert client.get("/static/swagger-ui/swagger-ui-bundle.js").text == "/* swagger */"


def test_unknown_route_and_method_are_problems(api: Api) -> None:
    assert_problem(api.client.get("/api/v1/nowhere"), 404, "not_found")
    assert_problem(api.client.delete("/api/v1/cases"), 405, "method_not_allowed")
