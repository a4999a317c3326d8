"""Personal data: masked in every case response, revealed only on purpose and logged; retention."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from typer.testing import CliRunner

from hotline.config import Settings
from hotline.entrypoints.cli.main import app as cli_app
from hotline.services.accounts.users import new_token
from tests.conftest import FakeClock
from tests.web.conftest import Api, assert_problem, invalid_names

MASKED = {"caller_name": "张**", "caller_phone": "138****5678"}


def _caller(case: dict[str, Any]) -> dict[str, Any]:
    return {"caller_name": case["caller_name"], "caller_phone": case["caller_phone"]}


@pytest.mark.parametrize("user", ["op", "disp", "sup", "adm", "lx-h"])
def test_every_response_carrying_a_case_is_masked(api: Api, user: str) -> None:
    created = api.create()
    number = created["number"]
    assert _caller(created) == MASKED
    api.to_dispatched(number)
    for item in api.request("GET", "/api/v1/cases", user).json()["items"]:
        assert _caller(item) == MASKED
    assert _caller(api.case(number, user)) == MASKED
    assert _caller(api.step(number, "lx-h", "accept")) == MASKED
    assert "13812345678" not in api.get(number, user).text
    assert "张三丰" not in api.get(number, user).text


def test_reveal_returns_the_caller_and_writes_the_access_log(api: Api, clock: FakeClock) -> None:
    number = api.create()["number"]
    clock.advance(minutes=10)
    url = f"/api/v1/cases/{number}/reveal"
    response = api.request("POST", url, "op", json={"purpose": "回访联系来电人"})
    assert response.status_code == 200, response.text
    assert response.json() == {
        "number": number,
        "caller_name": "张三丰",
        "caller_phone": "13812345678",
    }
    assert response.headers["cache-control"] == "no-store"
    log = api.request("GET", "/api/v1/access-log", "adm", params={"case": number}).json()
    assert log["items"] == [
        {
            "user": "op",
            "case_number": number,
            "at": "2026-11-24T02:10:00+00:00",
            "purpose": "回访联系来电人",
            "fields": ["caller_name", "caller_phone"],
        }
    ]


def test_reveal_needs_a_purpose_the_right_and_the_scope(api: Api) -> None:
    number = api.create()["number"]
    url = f"/api/v1/cases/{number}/reveal"
    assert invalid_names(api.request("POST", url, "op", json={})) == {"purpose"}
    assert invalid_names(api.request("POST", url, "op", json={"purpose": "x" * 301})) == {"purpose"}
    assert_problem(api.request("POST", url, "insp", json={"purpose": "看看"}), 403, "forbidden")
    assert_problem(api.request("POST", url, "lx-disp", json={"purpose": "看看"}), 404)
    unknown = "/api/v1/cases/20261124-009999/reveal"
    assert_problem(api.request("POST", unknown, "op", json={"purpose": "看看"}), 404)
    assert api.request("GET", "/api/v1/access-log", "adm").json()["items"] == []


def test_only_administrators_read_the_access_log(api: Api) -> None:
    for user in ("op", "disp", "sup", "lead"):
        assert_problem(api.request("GET", "/api/v1/access-log", user), 403)


def _close_directly(api: Api, content: str) -> str:
    number: str = api.create(content=content)["number"]
    api.step(number, "op", "answer_directly", reply_text="已答复")
    return number


def test_retention_anonymises_callers_of_cases_closed_long_ago(
    api: Api, clock: FakeClock, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock.current = datetime(2020, 3, 2, 2, 0, tzinfo=UTC)
    old = _close_directly(api, "2020 年的咨询")
    clock.current = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    for user in api.tokens:  # the tokens of 2020 have expired
        api.tokens[user] = new_token(api.hotline, user, clock())
    recent = _close_directly(api, "最近的咨询")
    monkeypatch.setenv("HOTLINE_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("HOTLINE_VAR_DIR", str(settings.var_dir))
    result = CliRunner().invoke(cli_app, ["retention", "run", "--years", "3", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"anonymised": 1, "years": 3}
    assert _caller(api.case(old)) == {"caller_name": "已匿名", "caller_phone": None}
    revealed = api.request("POST", f"/api/v1/cases/{old}/reveal", "op", json={"purpose": "核对"})
    assert (revealed.json()["caller_name"], revealed.json()["caller_phone"]) == ("已匿名", None)
    assert _caller(api.case(recent)) == MASKED
