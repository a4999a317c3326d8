"""GET /api/v1/evaluation, the adjustments (剔除/申诉) and GET /api/v1/reports/editions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from hotline.services.context import Hotline
from hotline.services.reporting.editions import produce_edition
from tests.conftest import FakeClock
from tests.web.conftest import Api, assert_problem, invalid_names

URL = "/api/v1/evaluation"


def test_every_district_with_score_rank_and_explanation(api: Api) -> None:
    response = api.request("GET", URL, "lead", params={"month": "2026-10"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["scheme"]["version"] == "2026.2" and len(body["results"]) == 15
    first = body["results"][0]
    assert {"entity", "name", "score", "rank", "baseline_passed", "lists", "amount", "rated",
            "explanation", "baseline_passed_all", "status_label"} <= first.keys()  # fmt: skip
    # a month without cases: every district listed, none rated, nothing ranked or paid
    assert body["rated_count"] == 0
    assert (first["rank"], first["score"], first["lists"], first["amount"]) == (None,) * 4
    assert first["explanation"][-1].startswith("无考核数据（样本不足）")


def test_what_if_and_entity_kinds(api: Api) -> None:
    params = {"month": "2026-10", "entity": "unit", "compare": "jinan-2026"}
    body = api.request("GET", URL, "disp", params=params).json()
    assert body["entity"] == "unit" and body["what_if"]["differences"]
    assert all(d["score_change"] is None for d in body["what_if"]["differences"])


def test_bad_requests_are_problems(api: Api) -> None:
    assert "month" in invalid_names(api.request("GET", URL, "lead", params={"month": "10/2026"}))
    path = api.request("GET", URL, "lead", params={"month": "2026-10", "scheme": "/etc/x.yaml"})
    assert "内置考评方案" in assert_problem(path, 422, "invalid_input")["detail"]
    missing = api.request("GET", URL, "lead", params={"month": "2026-10", "scheme": "nope"})
    assert "nope" in assert_problem(missing, 422)["detail"]
    assert_problem(api.request("GET", URL, None, params={"month": "2026-10"}), 401)


def _exclusion(api: Api, user: str = "lx-disp") -> dict[str, Any]:
    number = api.create(district_code="370102")["number"]
    body = {"month": "2026-11", "kind": "exclude", "reason": "非本区职责的误派",
            "case": number, "target": "reply_rate"}  # fmt: skip
    response = api.request("POST", f"{URL}/adjustments", user, json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_adjustments_are_requested_approved_once_and_audited(api: Api) -> None:
    created = _exclusion(api)
    assert created["status"] == "pending" and created["requested_by"] == "lx-disp"
    decision = {"note": "同意", "version": created["version"]}
    approve = f"{URL}/adjustments/{created['id']}/approve"
    assert_problem(api.request("POST", approve, "lx-lead", json=decision), 403)
    approved = api.request("POST", approve, "lead", json=decision)
    assert approved.status_code == 200, approved.text
    assert [e["action"] for e in approved.json()["audit"]] == ["request", "approve"]
    again = api.request("POST", f"{URL}/adjustments/{created['id']}/reject", "adm", json=decision)
    assert_problem(again, 409, "concurrent_change")  # the version it saw is gone
    stale_free = api.request("POST", f"{URL}/adjustments/{created['id']}/reject", "adm",
                             json={"note": "驳回"})  # fmt: skip
    assert_problem(stale_free, 409, "conflict")
    listed = api.request("GET", f"{URL}/adjustments", "lx-disp", params={"month": "2026-11"})
    assert [row["status"] for row in listed.json()["items"]] == ["approved"]


def test_bad_adjustments_are_refused(api: Api) -> None:
    number = api.create()["number"]
    body = {"month": "2026-11", "kind": "exclude", "reason": "x", "case": number,
            "target": "joy"}  # fmt: skip
    response = api.request("POST", f"{URL}/adjustments", "disp", json=body)
    assert "剔除对象" in assert_problem(response, 422)["detail"]
    assert_problem(api.request("POST", f"{URL}/adjustments", "lx-h", json=body), 403)
    missing = api.request("POST", f"{URL}/adjustments/999/approve", "lead", json={"note": "好"})
    assert_problem(missing, 404)


def test_editions_are_listed_and_downloadable(api: Api, hotline: Hotline, clock: FakeClock) -> None:
    def producer(
        _h: Hotline, kind: str, key: str, districts: Sequence[str], _now: datetime
    ) -> dict[str, dict[str, bytes]]:
        page = {"html": f"<p>{kind} {key}</p>".encode(), "xlsx": b"PK\x03\x04"}
        return {scope: page for scope in ("", *districts)}

    produce_edition(hotline, "daily", "2026-11-24", producer, clock())
    response = api.request("GET", "/api/v1/reports/editions", "lead", params={"kind": "daily"})
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert {item["format"] for item in items} == {"html", "xlsx"}
    html = next(item for item in items if (item["format"], item["district"]) == ("html", None))
    assert {d["status"] for d in html["deliveries"]} == {"skipped"}  # no SMTP in tests
    content = api.request("GET", f"/api/v1/reports/editions/{html['id']}/content", "lead")
    assert content.content == b"<p>daily 2026-11-24</p>"
    assert "daily-2026-11-24.html" in content.headers["content-disposition"]
    assert_problem(api.request("GET", "/api/v1/reports/editions", "lx-h"), 403)
