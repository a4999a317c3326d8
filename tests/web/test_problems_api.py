"""The problem ledger through the API: lists and filters, one problem, link edits with 409,
scope, masking, supervision by problem, and the intake suggestions."""

from __future__ import annotations

from typing import Any

import pytest

from hotline.entrypoints.worker import run_worker
from hotline.services.context import Hotline
from tests.integration.ledger_corpus import store_archive_model
from tests.web.conftest import Api, assert_problem

BBQ = "历下区山大路东方小区门口烧烤摊每天晚上营业到凌晨两点，油烟很大，噪音扰民，居民无法休息。"
BBQ_EDITED = "山大路东方小区门口烧烤摊每天晚上营业到凌晨三点，油烟很大，噪音扰民，居民无法休息。"
BBQ_AGAIN = (
    "历下区山大路东方小区门口烧烤摊每天晚上营业到凌晨一点，油烟很大，噪音扰民，居民无法休息。"
)
SZ_LAMP = "市中区经四路纬二路口的路灯坏了一个多月，晚上一片漆黑，行人看不清路。"


@pytest.fixture(autouse=True)
def archive_model(hotline: Hotline) -> None:
    store_archive_model(hotline)


def _intake(api: Api, content: str, address: str = "历下区山大路123号") -> str:
    number = str(api.create(content=content, address=address)["number"])
    run_worker(api.hotline, once=True)
    return number


def _list(api: Api, user: str = "disp", **params: Any) -> dict[str, Any]:
    response = api.request("GET", "/api/v1/problems", user, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _problem(api: Api, problem_id: int, user: str = "disp") -> dict[str, Any]:
    response = api.request("GET", f"/api/v1/problems/{problem_id}", user)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _ledger(api: Api) -> tuple[list[str], str]:
    """Three complaints about one barbecue stall in 历下, one lamp in 市中."""
    bbq = [_intake(api, text) for text in (BBQ, BBQ_EDITED, BBQ_AGAIN)]
    lamp = _intake(api, SZ_LAMP, "市中区经四路 100 号")
    return bbq, lamp


def test_lists_filter_sort_and_page(api: Api) -> None:
    _bbq, _lamp = _ledger(api)
    everything = _list(api)
    assert everything["total"] == 2
    assert [item["case_count"] for item in _list(api, sort="count")["items"]] == [3, 1]
    repeated = _list(api, min_complaints=2)["items"]
    assert len(repeated) == 1 and repeated[0]["title"].startswith("历下区山大路东方小区")
    assert _list(api, district="370103")["items"][0]["district_code"] == "370103"
    assert _list(api, min_age_days=1)["total"] == 0
    api.hotline.now.advance(days=3)  # type: ignore[attr-defined]
    aged = _list(api, min_age_days=2)["items"]
    assert len(aged) == 2 and all(item["age_days"] == 3 for item in aged)
    page = _list(api, page=2, page_size=1, sort="count")
    assert page["total"] == 2 and page["items"][0]["case_count"] == 1
    assert _list(api, status="written_off")["total"] == 0
    assert next(i["id"] for i in _list(api, sort="recurrences")["items"]) == repeated[0]["id"]


def test_bad_filters_are_problem_json(api: Api) -> None:
    bad_sort = api.request("GET", "/api/v1/problems", "disp", params={"sort": "size"})
    assert "sort" in assert_problem(bad_sort, 422, "invalid_input")["detail"]
    bad_status = api.request("GET", "/api/v1/problems", "disp", params={"status": "gone"})
    assert_problem(bad_status, 422)
    assert_problem(api.request("GET", "/api/v1/problems/999", "disp"), 404, "not_found")
    assert_problem(api.request("GET", "/api/v1/problems", None), 401)


def test_one_problem_with_cases_masked_links_and_supervision(api: Api) -> None:
    bbq, _ = _ledger(api)
    problem_id = api.case(bbq[0])["problem_id"]
    api.to_dispatched(bbq[0])  # the lead unit is known: 3 complaints → 重点督办
    shown = _problem(api, problem_id)
    assert shown["case_count"] == 3 and shown["lead_unit"] == "LX-CGJ"
    assert [case["number"] for case in shown["cases"]] == bbq
    assert {case["caller_phone"] for case in shown["cases"]} == {"138****5678"}
    assert "13812345678" not in str(shown)
    linked = [link for link in shown["links"] if link["action"] == "link"]
    assert {link["case"] for link in linked} == set(bbq)
    assert shown["supervision_level"] == "priority"
    [record] = shown["supervisions"]
    assert record["level"] == "priority" and record["unit"] == "LX-CGJ"
    assert record["head_title"] == "局长"
    listed = api.request("GET", "/api/v1/supervisions", "sup", params={"problem": problem_id})
    assert [item["problem_id"] for item in listed.json()["items"]] == [problem_id]
    other = api.request("GET", "/api/v1/supervisions", "sup", params={"problem": problem_id + 1})
    assert other.json()["items"] == []


def test_district_users_see_their_district_only(api: Api) -> None:
    _bbq, lamp = _ledger(api)
    lamp_problem = api.case(lamp)["problem_id"]
    seen = _list(api, "lx-disp", status="all")
    assert [item["district_code"] for item in seen["items"]] == ["370102"]
    assert_problem(
        api.request("GET", f"/api/v1/problems/{lamp_problem}", "lx-disp"), 404, "not_found"
    )


def _link(api: Api, problem_id: int, number: str, if_match: str | None, user: str = "disp") -> Any:
    headers = {"If-Match": if_match} if if_match is not None else {}
    return api.request("POST", f"/api/v1/problems/{problem_id}/cases", user,
                       json={"case": number, "reason": "同一烧烤摊"}, headers=headers)  # fmt: skip


def test_link_and_unlink_are_audited_and_a_stale_edit_gets_409(api: Api) -> None:
    bbq, lamp = _ledger(api)
    bbq_problem = api.case(bbq[0])["problem_id"]
    lamp_problem = api.case(lamp)["problem_id"]
    seen = f'"{api.case(lamp)["version"]}"'
    moved = _link(api, bbq_problem, lamp, seen)
    assert moved.status_code == 200, moved.text
    assert moved.json()["problem"] == bbq_problem
    assert moved.json()["previous_problem"] == lamp_problem
    stale = _link(api, lamp_problem, lamp, seen)  # a second operator, same version seen
    assert_problem(stale, 409, "concurrent_change")
    assert_problem(_link(api, lamp_problem, lamp, None), 428)
    assert _problem(api, bbq_problem)["case_count"] == 4
    gone = api.request("GET", f"/api/v1/problems/{lamp_problem}", "disp").json()
    assert gone["status"] == "merged" and gone["merged_into"] == bbq_problem
    history = [event["action"] for event in api.case(lamp)["history"]]
    assert history[-1] == "link_problem"
    version = f'"{api.case(lamp)["version"]}"'
    unlinked = api.request("DELETE", f"/api/v1/problems/{bbq_problem}/cases/{lamp}", "disp",
                           headers={"If-Match": version})  # fmt: skip
    assert unlinked.status_code == 200, unlinked.text
    assert unlinked.json()["problem"] not in (bbq_problem, lamp_problem)
    assert _problem(api, bbq_problem)["case_count"] == 3
    audit = [(link["case"], link["action"], link["by"])
             for link in _problem(api, bbq_problem)["links"] if link["case"] == lamp]  # fmt: skip
    assert audit == [(lamp, "link", "disp"), (lamp, "unlink", "disp")]


def test_link_edits_are_refused_with_clear_errors(api: Api) -> None:
    bbq, lamp = _ledger(api)
    version = f'"{api.case(lamp)["version"]}"'
    assert_problem(_link(api, 999, lamp, version), 404, "not_found")
    assert_problem(_link(api, api.case(bbq[0])["problem_id"], lamp, version, "lx-h"), 403)
    alone = api.case(lamp)["problem_id"]
    refused = api.request("DELETE", f"/api/v1/problems/{alone}/cases/{lamp}", "disp",
                          headers={"If-Match": version})  # fmt: skip
    assert_problem(refused, 409, "illegal_transition")


def test_suggestions_name_the_earlier_case(api: Api) -> None:
    first = _intake(api, BBQ)
    draft = {"channel": "12345", "content": BBQ_EDITED, "caller_phone": "13812345678"}
    response = api.request("POST", "/api/v1/intake/suggestions", "op", json=draft)
    assert response.status_code == 200, response.text
    [problem] = [s for s in response.json()["suggestions"] if s["field"] == "problem"]
    assert problem["value"]["decision"] == "link"
    best = problem["value"]["candidates"][0]
    assert best["case"] == first and best["score"] >= 0.5
    assert "same_caller" in {reason["code"] for reason in best["reasons"]}
