"""What the workbench's case page reads beside the case: names for codes, the warning lines,
the case's own supervisions, and the code lists (channels, return reasons, regions)."""

from __future__ import annotations

from hotline.services.accounts.users import NewUser, create_user, new_token
from hotline.services.context import Hotline
from tests.web.conftest import Api, assert_problem


def _dispatched(api: Api) -> str:
    number = str(api.create(address="历下区泉城路 188 号")["number"])
    api.step(number, "op", "register", category_code="E0301")
    api.step(number, "disp", "dispatch", unit="LX-CGJ")
    return number


def test_the_case_carries_names_beside_its_codes(api: Api) -> None:
    number = _dispatched(api)
    case = api.case(number)
    assert case["channel_name"] == "12345市民服务热线"
    assert case["lead_unit"] == "LX-CGJ"
    assert case["lead_unit_name"] and "历下" in case["lead_unit_name"]
    assert case["category_name"]
    assert case["district_code"] == "370102"
    assert case["district_name"] == "历下区"


def test_the_warning_lines_precede_the_deadlines(api: Api) -> None:
    case = api.case(_dispatched(api))
    assert case["reply_warn_at"] is not None and case["reply_due_at"] is not None
    assert case["reply_warn_at"] < case["reply_due_at"]
    assert case["sla"] == {"accept": "on_track", "reply": "on_track"}


def test_the_case_lists_its_own_supervisions_newest_first(api: Api) -> None:
    number = _dispatched(api)
    other = _dispatched(api)
    ids = []
    for level, case in (("urge", number), ("priority", number), ("urge", other)):
        opened = api.request(
            "POST",
            "/api/v1/supervisions",
            "sup",
            json={"case": case, "level": level, "reason": "催"},
        )
        assert opened.status_code == 201, opened.text
        ids.append(opened.json()["id"])
    listed = api.case(number)["supervisions"]
    assert [(s["id"], s["level_label"], s["case"], s["unit"]) for s in listed] == [
        (ids[1], "重点督办", number, "LX-CGJ"),
        (ids[0], "催办", number, "LX-CGJ"),
    ]


def test_code_lists_name_channels_return_reasons_and_districts(api: Api) -> None:
    body = api.request("GET", "/api/v1/reference", "op").json()
    channels = {c["code"]: c["name"] for c in body["channels"]}
    assert channels["web"] == "网站" and next(iter(channels)) == "12345"
    reasons = {r["code"]: r["name"] for r in body["return_reasons"]}
    assert reasons["not_our_duty"] == "非本单位职责"
    districts = {r["code"]: r for r in body["regions"]}
    assert districts["370102"]["name"] == "历下区"
    assert {r["level"] for r in body["regions"]} <= {"district", "zone"}


def test_code_lists_give_the_streets_of_a_district(api: Api) -> None:
    body = api.request("GET", "/api/v1/reference?region_parent=370102", "disp").json()
    assert body["regions"], "历下区 has streets"
    assert {r["parent"] for r in body["regions"]} == {"370102"}
    assert {r["level"] for r in body["regions"]} == {"street"}


def test_code_lists_need_a_login(api: Api) -> None:
    assert_problem(api.request("GET", "/api/v1/reference", None), 401, "unauthenticated")


def test_history_names_who_acted(api: Api, hotline: Hotline) -> None:
    create_user(hotline, NewUser("wangxy", "dispatcher", display_name="王晓燕"), hotline.now())
    api.tokens["wangxy"] = new_token(hotline, "wangxy", hotline.now())
    number = str(api.create()["number"])
    api.step(number, "op", "register", category_code="E0301")
    api.step(number, "wangxy", "dispatch", unit="LX-CGJ")
    history = api.case(number)["history"]
    by_action = {event["action"]: (event["actor"], event["actor_name"]) for event in history}
    assert by_action["dispatch"] == ("wangxy", "王晓燕")
    assert by_action["register"] == ("op", None)  # a user without a display name
