"""Input that used to fail as a 500 deep in a service is a 422 problem naming the field.

Each case was found by tests/web/test_api_schema_fuzz; the same request is a 500 without the fix.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from hotline.entrypoints.web.text_guard import REASON
from tests.web.conftest import Api, assert_problem, invalid_names

BEYOND_ANY_ID = 2**63  # past SQLite's integers, let alone PostgreSQL's 32-bit keys


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/indicators?from=0001-01-01&to=2026-11-30", "from"),
        ("/api/v1/indicators/on_time_rate/cases?from=2026-11-01&to=9999-12-31", "to"),
        ("/api/v1/hotspots?date=0001-01-01", "date"),
        ("/api/v1/reports/daily?date=9999-12-31", "date"),
        ("/api/v1/reports/weekly?week=0001-W01", "week"),
        ("/api/v1/reports/monthly?month=9999-12", "month"),
        ("/api/v1/evaluation?month=0001-01", "month"),
        ("/api/v1/cases?created_from=0001-01-01T00:00:00%2B14:00", "created_from"),
    ],
)
def test_dates_outside_the_supported_span_are_refused_by_name(
    api: Api, url: str, field: str
) -> None:
    response = api.request("GET", url, "disp")
    assert invalid_names(response) == {field}
    assert "2000-01-01 至 2099-12-31" in response.json()["detail"]


def test_the_first_and_last_supported_days_are_answered(api: Api) -> None:
    span = {"from": "2000-01-01", "to": "2000-01-31"}
    assert api.request("GET", "/api/v1/indicators", "disp", params=span).status_code == 200
    last = {"date": "2099-12-31"}
    assert api.request("GET", "/api/v1/hotspots", "disp", params=last).status_code == 200


@pytest.mark.parametrize(
    ("method", "url", "body", "field"),
    [
        ("GET", "/api/v1/problems/{id}", None, "problem_id"),
        ("POST", "/api/v1/supervisions/{id}/close", {}, "supervision_id"),
        ("POST", "/api/v1/supervisions/{id}/response", {"response": "已处理"}, "supervision_id"),
        ("POST", "/api/v1/evaluation/adjustments/{id}/reject", {"note": "不符"}, "adjustment_id"),
        ("GET", "/api/v1/reports/editions/{id}/content", None, "edition_id"),
        ("GET", "/api/v1/cases/20261124-000001/attachments/{id}", None, "attachment_id"),
        ("GET", "/api/v1/supervisions?problem={id}", None, "problem"),
        ("GET", "/api/v1/problems?min_complaints={id}", None, "min_complaints"),
        ("GET", "/api/v1/problems?min_age_days=238778851", None, "min_age_days"),
        ("GET", "/api/v1/cases?page={id}", None, "page"),
    ],
)
def test_numbers_beyond_what_the_database_holds_are_refused_by_name(
    api: Api, method: str, url: str, body: Any, field: str
) -> None:
    api.create()
    response = api.request(method, url.format(id=BEYOND_ANY_ID), "disp", json=body)
    assert invalid_names(response) == {field}


def test_an_unknown_coordinate_system_is_refused_by_name(api: Api) -> None:
    draft = {"lon": 117.02, "lat": 36.67, "crs": "bd09"}
    assert invalid_names(api.request("POST", "/api/v1/route", "disp", json=draft)) == {"crs"}


def test_a_json_body_that_is_not_utf8_is_a_422_naming_the_body(api: Api) -> None:
    response = api.request(
        "POST",
        "/api/v1/cases",
        "op",
        content=b'{"channel": "12345", "content": "\xff\xfe"}',
        headers={"Content-Type": "application/json"},
    )
    assert invalid_names(response) == {"body"}


@pytest.mark.parametrize(
    ("method", "url", "body", "field"),
    [
        ("POST", "/api/v1/auth/login", {"name": "disp\x00", "password": "x"}, "name"),
        ("POST", "/api/v1/cases", {"channel": "12345", "content": "噪音\x00"}, "content"),
        ("GET", "/api/v1/supervisions?status=open%00", None, "status"),
        ("GET", "/api/v1/cases/20261124%00-000001", None, "number"),
        (
            "POST",
            "/api/v1/cases/20261124-000001/actions",
            {"action": "dispatch", "unit": "LX-CGJ", "co_units": ["LX-JFL", "LX\x00"]},
            "co_units.1",
        ),
    ],
)
def test_text_with_a_nul_is_refused_by_name(
    api: Api, method: str, url: str, body: Any, field: str
) -> None:
    """PostgreSQL can neither store nor compare a NUL (a 500 there); SQLite kept it."""
    api.create()
    content = None if body is None else _json_with_escapes(body)
    headers = {"Content-Type": "application/json", "If-Match": "*"}
    response = api.request(method, url, "disp", content=content, headers=headers)
    assert invalid_names(response) == {field}


def test_a_key_with_a_lone_surrogate_is_named_in_a_form_the_answer_can_carry(api: Api) -> None:
    content = _json_with_escapes({"channel": "12345", "content": "噪音", "\ud800": "\x00"})
    headers = {"Content-Type": "application/json"}
    response = api.request("POST", "/api/v1/cases", "op", content=content, headers=headers)
    problem = assert_problem(response, 422)
    assert problem["invalid_params"] == [{"name": "\\ud800", "reason": REASON}]


def _json_with_escapes(body: Any) -> bytes:
    return json.dumps(body).encode("ascii")  # NUL and surrogates as \u0000, \ud800


def test_a_lone_surrogate_in_a_text_field_is_explained_in_chinese(api: Api) -> None:
    content = _json_with_escapes({"channel": "12345", "content": "噪音\ud800"})
    headers = {"Content-Type": "application/json"}
    response = api.request("POST", "/api/v1/cases", "op", content=content, headers=headers)
    problem = assert_problem(response, 422)
    assert problem["invalid_params"] == [
        {"name": "content", "reason": "含有无效的 Unicode 字符（不成对的代理字符）"}
    ]
