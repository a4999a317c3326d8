"""One day of a city centre through the JSON API, so that every JSON route answers with data.

``run_scenario`` drives the closed loop, the problem ledger, supervision, the callback queue,
evaluation adjustments, a stored edition, a classifier suggestion and a hotspot, then calls every
``/api/v1`` JSON route at least once and returns each answer. tests/web/test_openapi_doc.py
checks each body against the route's documented model: an empty list would prove nothing about
the model of its items, so the data is built to fill them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select, update

from hotline.adapters.db.models import Case
from hotline.entrypoints.worker import run_worker
from hotline.services.accounts.users import NewUser, create_user
from hotline.services.classifier.deployment import ModelGuess
from hotline.services.classifier.feedback import record_suggestion
from hotline.services.reporting.editions import produce_edition
from tests.conftest import FakeClock
from tests.integration.ledger_corpus import store_archive_model
from tests.web.conftest import PNG_PHOTO, Api

BBQ = "历下区山大路东方小区门口烧烤摊每天晚上营业到凌晨两点，油烟很大，噪音扰民，居民无法休息。"
BBQ_AGAIN = (
    "历下区山大路东方小区门口烧烤摊每天晚上营业到凌晨一点，油烟很大，噪音扰民，居民无法休息。"
)
QCL = "370102004"  # 泉城路街道
NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}


@dataclass(frozen=True)
class Answer:
    """One call: the route as OpenAPI names it, and what came back."""

    method: str
    route: str
    response: httpx.Response


class Scenario:
    def __init__(self, api: Api, clock: FakeClock) -> None:
        self.api, self.clock = api, clock
        self.answers: list[Answer] = []

    def call(self, method: str, route: str, user: str | None, url: str | None = None,
             **kwargs: Any) -> httpx.Response:  # fmt: skip
        response = self.api.request(method, url or route, user, **kwargs)
        assert response.status_code < 300, (method, url or route, response.text)
        self.answers.append(Answer(method, route, response))
        return response

    def json(self, method: str, route: str, user: str, url: str | None = None,
             **kwargs: Any) -> Any:  # fmt: skip
        return self.call(method, route, user, url, **kwargs).json()


def _suggest(api: Api, number: str) -> None:
    codes = ["E0301", "E0103", "E0101"]
    guesses = [ModelGuess(rank, code, code, 0.9 / rank) for rank, code in enumerate(codes, 1)]
    with api.hotline.db.transaction() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        record_suggestion(session, case, "v1", guesses, api.hotline.now())


def _closed_loop(s: Scenario) -> str:
    """A complaint from intake to a callback, with a photo and a revealed caller."""
    api = s.api
    number = str(s.json("POST", "/api/v1/cases", "op", json={
        "channel": "12345", "content": BBQ, "address": "历下区山大路123号",
        "caller_name": "张三丰", "caller_phone": "13812345678"})["number"])  # fmt: skip
    _suggest(api, number)
    run_worker(api.hotline, once=True)
    api.to_accepted(number)
    api.step(number, "lx-h", "request_extension", extra_working_days=2, reason="需协调")
    api.step(number, "disp", "approve_extension")
    s.call("POST", "/api/v1/cases/{number}/attachments", "lx-h",
           f"/api/v1/cases/{number}/attachments", data={"kind": "after"},
           files={"file": ("after.png", PNG_PHOTO, "image/png")})  # fmt: skip
    api.step(number, "lx-h", "reply", result_type="solved", reply_text="已取缔")
    return number


def _ledger_and_supervision(s: Scenario, number: str) -> int:
    """A second complaint about the stall joins its problem; the problem is supervised."""
    again = str(s.api.create(content=BBQ_AGAIN, address="历下区山大路125号")["number"])
    run_worker(s.api.hotline, once=True)
    problem_id = int(s.api.case(number)["problem_id"])
    etag = f'"{s.api.case(again)["version"]}"'
    s.call("DELETE", "/api/v1/problems/{problem_id}/cases/{number}", "disp",
           f"/api/v1/problems/{problem_id}/cases/{again}", headers={"If-Match": etag})  # fmt: skip
    etag = f'"{s.api.case(again)["version"]}"'
    s.call("POST", "/api/v1/problems/{problem_id}/cases", "disp",
           f"/api/v1/problems/{problem_id}/cases", json={"case": again, "reason": "同一烧烤摊"},
           headers={"If-Match": etag})  # fmt: skip
    opened = s.json("POST", "/api/v1/supervisions", "sup",
                    json={"case": number, "level": "priority", "reason": "多次投诉"})  # fmt: skip
    path = f"/api/v1/supervisions/{opened['id']}"
    s.call("POST", "/api/v1/supervisions/{supervision_id}/response", "lx-h", f"{path}/response",
           json={"response": "已整改"})  # fmt: skip
    s.call("POST", "/api/v1/supervisions/{supervision_id}/close", "sup", f"{path}/close",
           json={"outcome": "核实已整改"})  # fmt: skip
    s.call("POST", "/api/v1/supervisions", "sup",
           json={"case": number, "level": "urge", "reason": "再催"})  # fmt: skip
    return problem_id


def _hotspot(s: Scenario) -> None:
    """Five complaints about street vending in one street on one day, none before: a jump."""
    numbers = [str(s.api.create(category_code="E0401", district_code="370102")["number"])
               for _ in range(5)]  # fmt: skip
    with s.api.hotline.db.transaction() as session:  # what the locator step writes
        session.execute(update(Case).where(Case.number.in_(numbers)).values(street_code=QCL))


def _adjustments(s: Scenario, number: str) -> None:
    url = "/api/v1/evaluation/adjustments"
    exclusion = s.json("POST", url, "lx-disp", json={
        "month": "2026-11", "kind": "exclude", "reason": "误派", "case": number,
        "target": "reply_rate"})  # fmt: skip
    s.call("POST", url + "/{adjustment_id}/approve", "lead", f"{url}/{exclusion['id']}/approve",
           json={"note": "同意", "version": exclusion["version"]})  # fmt: skip
    points = s.json("POST", url, "disp", json={
        "month": "2026-11", "kind": "points", "reason": "专项工作", "entity_kind": "district",
        "entity_code": "370102", "points": 1.5})  # fmt: skip
    s.call("POST", url + "/{adjustment_id}/reject", "lead", f"{url}/{points['id']}/reject",
           json={"note": "不同意"})  # fmt: skip
    s.call("GET", url, "disp", params={"month": "2026-11"})


def _edition(s: Scenario) -> None:
    def producer(_h: Any, kind: str, key: str, cuts: Any, _now: Any) -> dict[str, dict[str, bytes]]:
        page = {"html": f"<p>{kind} {key}</p>".encode(), "xlsx": b"PK\x03\x04"}
        return {scope: page for scope in ("", *cuts)}

    produce_edition(s.api.hotline, "daily", "2026-11-24", producer, s.clock())
    s.call("GET", "/api/v1/reports/editions", "lead")


def _reads(s: Scenario, number: str, problem_id: int) -> None:
    """Every read of the API, once the data is there."""
    case_url = f"/api/v1/cases/{number}"
    s.call("GET", "/api/v1/cases", "disp")
    s.call("GET", "/api/v1/cases/{number}", "disp", case_url)
    s.call("POST", "/api/v1/cases/{number}/reveal", "op", f"{case_url}/reveal",
           json={"purpose": "回访联系来电人"})  # fmt: skip
    s.call("GET", "/api/v1/access-log", "adm")
    s.call("GET", "/api/v1/cases/{number}/attachments", "disp", f"{case_url}/attachments")
    s.call("POST", "/api/v1/intake/suggestions", "op",
           json={"channel": "12345", "content": BBQ, "address": "历下区山大路123号"})  # fmt: skip
    s.call("GET", "/api/v1/supervisions", "sup", params={"status": "closed"})
    s.call("GET", "/api/v1/supervisions", "sup")
    s.call("GET", "/api/v1/problems", "disp", params={"status": "all"})
    s.call("GET", "/api/v1/problems/{problem_id}", "disp", f"/api/v1/problems/{problem_id}")
    s.call("GET", "/api/v1/categories", "op", params={"level": "minor"})
    s.call("GET", "/api/v1/units", "op")
    s.call("POST", "/api/v1/route", "disp", json={"category_code": "E0301", "district": "历下区",
                                                  "address": "历下区泉城路 188 号"})  # fmt: skip
    s.call("POST", "/api/v1/route", "disp", json={})
    for group_by in ("district", "day"):
        s.call("GET", "/api/v1/indicators", "lead", params={**NOVEMBER, "group_by": group_by})
    s.call(
        "GET",
        "/api/v1/indicators/{indicator}/cases",
        "disp",
        "/api/v1/indicators/on_time_rate/cases",
        params={**NOVEMBER, "part": "denominator"},
    )
    s.call("GET", "/api/v1/classifier/report", "sup", params=NOVEMBER)
    for entity in ("district", "unit", "street"):
        s.call(
            "GET",
            "/api/v1/evaluation",
            "lead",
            params={"month": "2026-11", "entity": entity, "compare": "jinan-2026"},
        )
    s.call("GET", "/api/v1/hotspots", "lead", params={"date": "2026-11-24"})


def run_scenario(api: Api, clock: FakeClock) -> list[Answer]:
    store_archive_model(api.hotline)
    s = Scenario(api, clock)
    create_user(api.hotline, NewUser("pw", "operator", password="口令-2026"), clock())
    s.call("POST", "/api/v1/auth/login", None, json={"name": "pw", "password": "口令-2026"})
    number = _closed_loop(s)
    problem_id = _ledger_and_supervision(s, number)
    _hotspot(s)
    _adjustments(s, number)
    _edition(s)
    clock.advance(hours=2)
    s.call("GET", "/api/v1/callbacks/queue", "op")
    api.step(number, "op", "record_callback", outcome="reached",
             process_satisfaction="satisfied", result_satisfaction="basically_satisfied",
             solved=True)  # fmt: skip
    _reads(s, number, problem_id)
    return s.answers
