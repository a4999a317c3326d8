"""Supervision and the callback queue through the API."""

from __future__ import annotations

from tests.web.conftest import Api, assert_problem


def _dispatched(api: Api) -> str:
    number = str(api.create()["number"])
    assert api.act(number, "op", "register", category_code="E0301").status_code == 200
    assert api.act(number, "disp", "dispatch", unit="LX-CGJ").status_code == 200
    return number


def test_supervise_list_respond_and_close(api: Api) -> None:
    number = _dispatched(api)
    opened = api.request(
        "POST",
        "/api/v1/supervisions",
        "sup",
        json={"case": number, "level": "priority", "reason": "三次投诉"},
    )
    assert opened.status_code == 201, opened.text
    supervision_id = opened.json()["id"]
    listed = api.request("GET", "/api/v1/supervisions?level=priority", "lx-h").json()["items"]
    assert [(s["id"], s["case"], s["level_label"]) for s in listed] == [
        (supervision_id, number, "重点督办")
    ]
    assert api.request("GET", "/api/v1/supervisions", "jfl-h").json()["items"] == []
    answered = api.request(
        "POST",
        f"/api/v1/supervisions/{supervision_id}/response",
        "lx-h",
        json={"response": "已整改"},
    )
    assert answered.status_code == 200
    again = api.request(
        "POST", f"/api/v1/supervisions/{supervision_id}/response", "lx-h", json={"response": "再次"}
    )
    assert_problem(again, 409, "illegal_transition")
    closed = api.request(
        "POST",
        f"/api/v1/supervisions/{supervision_id}/close",
        "sup",
        json={"outcome": "核实已整改"},
    )
    assert closed.status_code == 200


def test_supervision_errors(api: Api) -> None:
    number = _dispatched(api)
    forbidden = api.request(
        "POST",
        "/api/v1/supervisions",
        "lx-h",
        json={"case": number, "level": "urge", "reason": "x"},
    )
    assert_problem(forbidden, 403, "forbidden")
    bad_level = api.request(
        "POST",
        "/api/v1/supervisions",
        "sup",
        json={"case": number, "level": "scold", "reason": "x"},
    )
    assert_problem(bad_level, 422, "invalid_input")
    missing = api.request("POST", "/api/v1/supervisions/9999/close", "sup", json={})
    assert_problem(missing, 404, "not_found")


def test_callback_queue_is_masked(api: Api) -> None:
    number = _dispatched(api)
    assert api.act(number, "lx-h", "accept").status_code == 200
    replied = api.act(number, "lx-h", "reply", result_type="solved", reply_text="已办")
    assert replied.status_code == 200, replied.text
    items = api.request("GET", "/api/v1/callbacks/queue", "op").json()["due_now"]
    assert [(i["number"], i["caller_phone"]) for i in items] == [(number, "138****5678")]
    assert_problem(api.request("GET", "/api/v1/callbacks/queue", "lx-h"), 403, "forbidden")
