"""GET /api/v1/classifier/report: supervisors, leaders and administrators read it; bad periods
and other roles get problem+json."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from hotline.adapters.db.models import Case
from hotline.services.classifier.deployment import ModelGuess
from hotline.services.classifier.feedback import record_suggestion
from tests.web.conftest import Api, assert_problem, invalid_names

URL = "/api/v1/classifier/report"
DAY = {"from": "2026-11-24", "to": "2026-11-24"}


def _suggest(api: Api, number: str, codes: list[str]) -> None:
    guesses = [ModelGuess(rank, code, code, 0.9 / rank) for rank, code in enumerate(codes, 1)]
    with api.hotline.db.transaction() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        record_suggestion(session, case, "v1", guesses, api.hotline.now())


@pytest.mark.parametrize("user", ["sup", "lead", "lx-lead", "adm"])
def test_readers_get_the_report(api: Api, user: str) -> None:
    kept, overridden = api.create()["number"], api.create()["number"]
    for number in (kept, overridden):
        _suggest(api, number, ["E0301", "E0103", "E0101"])
    api.step(kept, "op", "register", category_code="E0301")
    api.step(overridden, "op", "register", category_code="E0101")
    api.create()  # no suggestion
    response = api.request("GET", URL, user, params=DAY)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["period"] == DAY
    total = body["total"]
    assert total["coverage"] == {"numerator": 2, "denominator": 3, "value": 2 / 3}
    assert total["override_rate"]["numerator"] == 1
    assert total["top3_agreement"] == {"numerator": 2, "denominator": 2, "value": 1.0}
    assert body["per_model_version"][0]["model_version"] == "v1"
    assert kept not in str(body) and "历下区泉城路" not in str(body)  # figures only


@pytest.mark.parametrize("user", ["op", "disp", "lx-h", "insp"])
def test_other_roles_are_forbidden(api: Api, user: str) -> None:
    assert_problem(api.request("GET", URL, user, params=DAY), 403)


def test_without_a_token_401(api: Api) -> None:
    assert_problem(api.request("GET", URL, None, params=DAY), 401)


def test_bad_periods_are_problems(api: Api) -> None:
    assert "to" in invalid_names(api.request("GET", URL, "sup", params={"from": "2026-11-24"}))
    bad_date = {"from": "2026-13-01", "to": "2026-11-24"}
    assert "from" in invalid_names(api.request("GET", URL, "sup", params=bad_date))
    reversed_ = api.request("GET", URL, "lead", params={"from": "2026-11-30", "to": "2026-11-01"})
    assert "结束日期" in assert_problem(reversed_, 422)["detail"]
    too_long = api.request("GET", URL, "lead", params={"from": "2020-01-01", "to": "2026-11-01"})
    assert "统计期" in assert_problem(too_long, 422)["detail"]


def test_dispatch_re_sorts_through_the_api(api: Api) -> None:
    number = api.create()["number"]
    api.step(number, "op", "register", category_code="E0301")
    unknown = api.act(number, "disp", "dispatch", unit="LX-CGJ", category_code="NOPE")
    assert "category_code" in invalid_names(unknown)
    case = api.step(number, "disp", "dispatch", unit="LX-CGJ", category_code="E0303")
    assert case["category_code"] == "E0303"
    assert case["history"][-1]["details"]["previous_category_code"] == "E0301"
