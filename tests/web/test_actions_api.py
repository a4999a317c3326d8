"""Every action of the closed loop through POST /cases/{number}/actions, and its refusals."""

from __future__ import annotations

import threading
from datetime import datetime

import httpx
import pytest
from fastapi.testclient import TestClient

from hotline.domain.errors import ConcurrentChange
from hotline.domain.lifecycle import Action
from hotline.entrypoints.web.etags import concurrency_problem
from hotline.services.context import Hotline
from tests.web.conftest import Api, assert_problem, invalid_names


def test_answer_directly_and_void(api: Api) -> None:
    consult = api.create(content="请问垃圾分类投放时间？")["number"]
    case = api.step(consult, "op", "answer_directly", reply_text="每日 6:00–9:00、18:00–21:00")
    assert (case["status"], case["closed_as"]) == ("answered_directly", "answered_directly")
    junk = api.create(content="测试来电")["number"]
    assert_problem(api.act(junk, "op", "void"), 422)  # the reason is required
    case = api.step(junk, "op", "void", reason="骚扰电话")
    assert case["status"] == "void"
    assert case["history"][-1]["reason"] == "骚扰电话"


def test_register_and_dispatch_with_co_units(api: Api) -> None:
    number = api.create()["number"]
    case = api.step(number, "op", "register", category_code="E0301", urgency="urgent")
    assert (case["status"], case["category_code"], case["urgency"]) == (
        "registered",
        "E0301",
        "urgent",
    )
    case = api.step(number, "disp", "dispatch", unit="LX-CGJ", co_units=["JN-ZFZD"])
    assert (case["status"], case["lead_unit"], case["co_units"]) == (
        "dispatched",
        "LX-CGJ",
        ["JN-ZFZD"],
    )
    assert case["reply_due_at"] is not None
    event = case["history"][-1]
    assert (event["action"], event["actor"], event["from_status"], event["to_status"]) == (
        "dispatch",
        "disp",
        "registered",
        "dispatched",
    )
    assert event["details"]["unit"] == "LX-CGJ"


def test_return_approved_goes_back_to_the_centre(api: Api) -> None:
    number = api.create()["number"]
    api.to_dispatched(number)
    case = api.step(number, "lx-h", "return", reason_code="not_our_duty", reason="属园林部门职责")
    assert case["status"] == "returned"
    case = api.step(number, "disp", "approve_return", reason="改派园林")
    assert (case["status"], case["lead_unit"]) == ("registered", None)


def test_return_rejected_stays_with_the_unit(api: Api) -> None:
    number = api.create()["number"]
    api.to_accepted(number)
    api.step(number, "lx-h", "return", reason_code="wrong_location", reason="不在辖区")
    case = api.step(number, "disp", "reject_return", reason="经核实属于辖区")
    assert (case["status"], case["lead_unit"]) == ("accepted", "LX-CGJ")


def test_sub_dispatch_and_a_return_to_the_parent_unit(api: Api) -> None:
    number = api.create()["number"]
    api.to_accepted(number)
    assert api.step(number, "lx-h", "sub_dispatch", unit="LX-JFL")["status"] == "dispatched"
    assert api.step(number, "jfl-h", "accept")["status"] == "accepted"
    api.step(number, "jfl-h", "return", reason_code="not_our_duty", reason="非本街道")
    case = api.step(number, "disp", "approve_return")
    assert case["status"] == "accepted"  # back to 历下区城管局, which sub-dispatched it
    assert api.step(number, "lx-h", "reply", result_type="solved", reply_text="已处理")


def test_extension_requested_approved_and_refused(api: Api) -> None:
    number = api.create()["number"]
    api.to_accepted(number)
    due = datetime.fromisoformat(api.case(number)["reply_due_at"])
    api.step(number, "lx-h", "request_extension", extra_working_days=2, reason="需协调施工方")
    case = api.step(number, "lead", "approve_extension")
    moved = datetime.fromisoformat(case["reply_due_at"])
    assert moved > due and case["extension_count"] == 1
    api.step(
        number,
        "lx-h",
        "request_extension",
        requested_due_at="2026-12-31T17:00:00",
        reason="仍需时间",
    )
    case = api.step(number, "lead", "refuse_extension", reason="不符合延期条件")
    assert datetime.fromisoformat(case["reply_due_at"]) == moved
    assert [r["status"] for r in case["requests"]] == ["approved", "refused"]


def test_reply_verify_rework_callback_reopen_and_close(api: Api) -> None:
    number = api.create()["number"]
    api.to_accepted(number)
    case = api.step(
        number,
        "lx-h",
        "reply",
        result_type="promised",
        reply_text="承诺本周内整改",
        promised_on="2026-11-27",
    )
    assert case["status"] == "verifying"  # promises are verified
    case = api.step(number, "insp", "verify", passed=False, note="现场仍在施工")
    assert case["status"] == "accepted"  # rework by the same unit
    api.step(number, "lx-h", "reply", result_type="solved", reply_text="已停工")
    case = api.step(number, "op", "record_callback", outcome="unreachable")
    assert (case["status"], case["callback_attempts"]) == ("callback_pending", 1)
    case = api.step(
        number,
        "op",
        "record_callback",
        outcome="reached",
        process_satisfaction="satisfied",
        result_satisfaction="unsatisfied",
        solved=False,
    )
    assert (case["status"], case["lead_unit"]) == ("dispatched", "LX-CGJ")  # 重办, same unit
    api.step(number, "lx-h", "accept")
    case = api.step(number, "lx-h", "reply", result_type="solved", reply_text="已彻底整改")
    assert case["status"] == "verifying"  # a reopened case is supervised, so verified
    assert api.step(number, "insp", "verify", passed=True)["status"] == "callback_pending"
    assert api.step(number, "disp", "close")["status"] == "closed"
    case = api.step(number, "sup", "reopen", target="resort", reason="媒体曝光，重新分类")
    assert (case["status"], case["reopen_count"]) == ("registered", 3)


def test_every_action_name_is_accepted_by_the_api(api: Api) -> None:
    schema = api.client.get("/openapi.json").json()
    body = schema["paths"]["/api/v1/cases/{number}/actions"]["post"]["requestBody"]
    refs = body["content"]["application/json"]["schema"]["oneOf"]
    models = [schema["components"]["schemas"][ref["$ref"].split("/")[-1]] for ref in refs]
    assert {model["properties"]["action"]["const"] for model in models} == {a.value for a in Action}


def test_missing_if_match_is_428(api: Api) -> None:
    number = api.create()["number"]
    assert_problem(api.act(number, "op", "register", if_match=None), 428, "precondition_required")


@pytest.mark.parametrize("stale", ['"1"', 'W/"2"', "two", '"2", "3"'])
def test_stale_or_unmatchable_if_match_is_412(api: Api, stale: str) -> None:
    number = api.create()["number"]
    api.step(number, "op", "register")
    assert_problem(
        api.act(number, "disp", "dispatch", unit="LX-CGJ", if_match=stale),
        412,
        "precondition_failed",
    )
    assert api.case(number)["status"] == "registered"


def test_if_match_star_and_bare_number_are_accepted(api: Api) -> None:
    number = api.create()["number"]
    registered = api.act(number, "op", "register", if_match="*")
    assert registered.status_code == 200
    version = registered.json()["version"]
    assert registered.headers["etag"] == f'"{version}"'
    response = api.act(number, "disp", "dispatch", unit="LX-CGJ", if_match=str(version))
    assert response.status_code == 200
    assert response.headers["etag"] == f'"{response.json()["version"]}"'


def test_illegal_transition_is_409_and_changes_nothing(api: Api) -> None:
    number = api.create()["number"]
    body = assert_problem(api.act(number, "disp", "close"), 409, "illegal_transition")
    assert "已登记" in body["detail"]
    assert api.case(number)["version"] == 1


def test_role_refused_is_403(api: Api) -> None:
    number = api.create()["number"]
    assert_problem(api.act(number, "insp", "register"), 403, "forbidden")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "teleport"}, "action"),
        ({}, "action"),
        ({"action": "verify", "passed": "maybe"}, "passed"),
        ({"action": "dispatch"}, "unit"),
        ({"action": "dispatch", "unit": "LX-CGJ", "priority": 1}, "priority"),
        ({"action": "reply", "result_type": "done", "reply_text": "x"}, "result_type"),
        (
            {"action": "request_extension", "reason": "x", "extra_working_days": 0},
            "extra_working_days",
        ),
    ],
)
def test_malformed_action_body_is_422_naming_the_field(
    api: Api, body: dict[str, object], field: str
) -> None:
    number = api.create()["number"]
    response = api.request(
        "POST", f"/api/v1/cases/{number}/actions", "disp", json=body, headers={"If-Match": '"1"'}
    )
    assert field in invalid_names(response)


def test_service_refusals_of_fields_are_422(api: Api) -> None:
    number = api.create()["number"]
    api.step(number, "op", "register")
    assert invalid_names(api.act(number, "disp", "dispatch", unit="NOWHERE")) == {"unit"}
    api.step(number, "disp", "dispatch", unit="LX-CGJ")
    api.step(number, "lx-h", "accept")
    response = api.act(number, "lx-h", "reply", result_type="promised", reply_text="承诺整改")
    assert invalid_names(response) == {"promised_on"}


def _register_in_thread(
    app_client: TestClient,
    number: str,
    token: str,
    results: list[httpx.Response],
    start: threading.Barrier,
) -> None:
    start.wait()
    results.append(
        app_client.post(
            f"/api/v1/cases/{number}/actions",
            json={"action": "register", "category_code": "E0301"},
            headers={"Authorization": f"Bearer {token}", "If-Match": '"1"'},
        )
    )


def test_two_people_acting_on_one_version_one_wins(api: Api, hotline: Hotline) -> None:
    number = api.create()["number"]
    tokens = [api.token("op"), api.token("disp")]
    results: list[httpx.Response] = []
    start = threading.Barrier(2)
    threads = [
        threading.Thread(
            target=_register_in_thread,
            args=(TestClient(api.client.app), number, token, results, start),
        )
        for token in tokens
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    statuses = sorted(response.status_code for response in results)
    assert statuses[0] == 200 and statuses[1] in (409, 412), [r.text for r in results]
    case = api.case(number)
    assert case["status"] == "registered"
    assert [e["action"] for e in case["history"]].count("register") == 1


def test_a_race_lost_inside_the_transaction_is_409_not_412() -> None:
    stale = ConcurrentChange("工单已被他人修改")
    assert concurrency_problem(stale).status == 412
    try:
        try:
            raise RuntimeError("row version changed under us")
        except RuntimeError as orm_error:
            raise ConcurrentChange("工单已被他人同时修改") from orm_error
    except ConcurrentChange as lost:
        problem = concurrency_problem(lost)
    assert (problem.status, problem.code) == (409, "concurrent_change")


# -- what the case offers, the lead unit's deadline, co-units (协办) ---------------------------


def _lead_assignment(case: dict[str, object]) -> dict[str, object]:
    assignments = case["assignments"]
    assert isinstance(assignments, list)
    return next(a for a in assignments if a["role"] == "lead" and a["status"] == "accepted")


def test_allowed_actions_follow_the_pending_extension_and_the_holding_unit(api: Api) -> None:
    number = api.create()["number"]
    api.to_accepted(number)
    assert api.case(number, "lead")["allowed_actions"] == []  # nothing pending to decide
    assert "request_extension" in api.case(number, "lx-h")["allowed_actions"]
    api.step(number, "lx-h", "request_extension", extra_working_days=2, reason="需协调")
    assert "request_extension" not in api.case(number, "lx-h")["allowed_actions"]
    assert_problem(
        api.act(number, "lx-h", "request_extension", extra_working_days=1, reason="再延"), 409
    )
    assert api.case(number, "lead")["allowed_actions"] == [
        "approve_extension",
        "refuse_extension",
    ]
    api.step(number, "lx-h", "sub_dispatch", unit="LX-JFL")
    # 解放路街道 now holds the case; 历下区城管局, above it, sees it but may not act for it.
    assert api.case(number, "lx-h")["allowed_actions"] == []
    assert_problem(api.act(number, "lx-h", "return", reason_code="other", reason="x"), 403)
    assert api.case(number, "jfl-h")["allowed_actions"] == ["accept", "return"]


def test_an_approved_extension_moves_the_lead_units_deadline_too(api: Api) -> None:
    number = api.create()["number"]
    api.to_accepted(number)
    api.step(number, "lx-h", "request_extension", extra_working_days=2, reason="需协调施工方")
    case = api.step(number, "lead", "approve_extension")
    assert _lead_assignment(case)["due_at"] == case["reply_due_at"]
    assert case["history"][-1]["details"]["reply_due_at"] == case["reply_due_at"]


def test_a_co_unit_gives_its_opinion_while_the_lead_unit_holds_the_case(api: Api) -> None:
    number = api.create()["number"]
    api.to_dispatched(number, co_units=["SZ-CGJ"])
    assert api.case(number, "sz-h")["allowed_actions"] == ["co_opinion"]
    assert invalid_names(api.act(number, "sz-h", "co_opinion")) == {"opinion"}
    assert_problem(api.act(number, "lx-h", "co_opinion", opinion="主办不是协办"), 403)
    case = api.step(number, "sz-h", "co_opinion", opinion="建议联合执法，我局配合")
    assert case["status"] == "dispatched"  # the case stays with the lead unit
    event = case["history"][-1]
    assert (event["action"], event["actor"]) == ("co_opinion", "sz-h")
    assert event["details"]["opinion"] == "建议联合执法，我局配合"
    assert event["details"]["unit"] == "SZ-CGJ"
    co = next(a for a in case["assignments"] if a["role"] == "co")
    assert (co["status"], co["replied_at"]) == ("replied", event["at"])
    assert case["co_units"] == ["SZ-CGJ"]
    assert api.case(number, "sz-h")["allowed_actions"] == []
    assert_problem(api.act(number, "sz-h", "co_opinion", opinion="再说一次"), 409)


def test_a_co_unit_that_never_answered_is_closed_with_the_case(api: Api) -> None:
    number = api.create(caller_phone=None)["number"]  # no callback: the centre closes
    api.to_dispatched(number, co_units=["SZ-CGJ"])
    api.step(number, "lx-h", "accept")
    case = api.step(number, "lx-h", "reply", result_type="solved", reply_text="已处理")
    assert case["status"] == "replied"
    case = api.step(number, "disp", "close")
    co = next(a for a in case["assignments"] if a["role"] == "co")
    assert co["status"] == "closed"
    assert case["co_units"] == ["SZ-CGJ"]  # still named as the case's co-unit
    assert_problem(api.act(number, "sz-h", "co_opinion", opinion="迟到的意见"), 409)


def test_head_answers_like_get_without_a_body(api: Api) -> None:
    number = api.create()["number"]
    got = api.get(number)
    head = api.request("HEAD", f"/api/v1/cases/{number}", "disp")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == got.headers["etag"]
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["content-length"] == got.headers["content-length"]
    assert api.request("HEAD", "/api/v1/cases/20261124-999999", "disp").status_code == 404
    assert api.request("HEAD", f"/api/v1/cases/{number}", None).status_code == 401
