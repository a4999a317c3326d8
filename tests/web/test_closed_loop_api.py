"""Done when: a case is created, walked through the whole closed loop and read back through the
API alone, each step by the role that does it in a hotline centre."""

from __future__ import annotations

from tests.conftest import FakeClock
from tests.web.conftest import PNG_PHOTO, Api


def test_the_whole_closed_loop_through_the_api(api: Api, clock: FakeClock) -> None:
    created = api.create("op", category_code="E0301")
    number = created["number"]
    clock.advance(minutes=5)
    api.step(number, "op", "register", category_code="E0301")
    api.step(number, "disp", "dispatch", unit="LX-CGJ", co_units=["JN-ZFZD"])
    clock.advance(minutes=20)
    api.step(number, "lx-h", "accept")
    api.step(number, "lx-h", "sub_dispatch", unit="LX-JFL")
    api.step(number, "jfl-h", "accept")
    clock.advance(hours=2)
    upload = api.request(
        "POST",
        f"/api/v1/cases/{number}/attachments",
        "jfl-h",
        data={"kind": "after"},
        files={"file": ("after.png", PNG_PHOTO, "image/png")},
    )
    assert upload.status_code == 201, upload.text
    api.step(number, "jfl-h", "reply", result_type="solved", reply_text="已责令停止夜间施工")
    clock.advance(hours=1)
    api.step(
        number,
        "op",
        "record_callback",
        outcome="reached",
        process_satisfaction="satisfied",
        result_satisfaction="basically_satisfied",
        solved=True,
    )
    case = api.case(number, "op")
    assert (case["status"], case["closed_as"]) == ("closed", "satisfied")
    steps = [
        (e["action"], e["actor"], e["from_status"], e["to_status"])
        for e in case["history"]
        if e["action"] not in ("enrich",)
    ]
    assert steps == [
        ("receive", "op", None, "received"),
        ("register", "op", "received", "registered"),
        ("dispatch", "disp", "registered", "dispatched"),
        ("accept", "lx-h", "dispatched", "accepted"),
        ("sub_dispatch", "lx-h", "accepted", "dispatched"),
        ("accept", "jfl-h", "dispatched", "accepted"),
        ("attach", "jfl-h", "accepted", "accepted"),
        ("reply", "jfl-h", "accepted", "callback_pending"),
        ("record_callback", "op", "callback_pending", "closed"),
    ]
    assert [
        a["kind"]
        for a in api.request("GET", f"/api/v1/cases/{number}/attachments", "jfl-h").json()["items"]
    ] == ["after"]
    assert (case["caller_name"], case["caller_phone"]) == ("张**", "138****5678")
