"""The centre's desks in the browser: dispatch (with a co-unit), returns and extensions reviewed,
the callback recorded. Cases are brought to each desk through the API, as the other people would."""

from __future__ import annotations

import re
from datetime import datetime

from playwright.sync_api import Page, expect

from tests.e2e.conftest import People, screenshot
from tests.e2e.helpers import log_in, message

CO_UNIT = ("LX-QCL", "历下区泉城路街道办事处")
NIGHT_WORKS = "历下区泉城路夜间施工噪音扰民，凌晨两点还在施工"
REPLY = "已责令施工单位停止夜间施工，并依法立案处罚"


def registered(people: People, content: str = NIGHT_WORKS) -> str:
    number: str = people.create(content=content)["number"]
    people.step(number, "op", "register", category_code="E0301", district_code="370102")
    return number


def suggested_lead(people: People) -> str:
    """The unit the routing rules give a night-works case in 历下区, by the API's own answer."""
    body = {"category_code": "E0301", "district": "370102", "channel": "12345"}
    answer = people.request("POST", "/api/v1/route", "disp", json=body)
    assert answer.status_code == 200, answer.text
    lead: str = answer.json()["lead"]["code"]
    return lead


def events(case: dict[str, object], action: str) -> list[dict[str, object]]:
    history = case["history"]
    assert isinstance(history, list)
    return [event for event in history if event["action"] == action]


def test_a_dispatcher_dispatches_with_a_co_unit(page: Page, people: People) -> None:
    number = registered(people)
    log_in(page, people, "disp", at="/")  # the dispatcher's home is this desk
    expect(page).to_have_url(re.compile(r"/dispatch"))
    expect(page.get_by_test_id("routing-explanation")).to_contain_text("主办")
    co_units = page.get_by_test_id("co-units")
    co_units.click()
    page.keyboard.type("泉城路")
    option = page.get_by_role("option", name=CO_UNIT[1])
    option.click()
    page.get_by_role("heading", name="派遣审批", level=2).click()  # closes the list
    expect(option).to_be_hidden()
    expect(co_units).to_contain_text(CO_UNIT[1])
    screenshot(page, "dispatch-co-unit")
    page.get_by_test_id("dispatch").click()

    message(page, f"已派遣：工单 {number}")
    case = people.case(number)
    assert case["status"] == "dispatched"
    dispatched = events(case, "dispatch")
    assert [event["actor"] for event in dispatched] == ["disp"]
    roles = {(a["unit"], a["role"]) for a in case["assignments"] if a.get("active", True)}
    assert (suggested_lead(people), "lead") in roles
    assert (CO_UNIT[0], "co") in roles


def test_a_return_is_reviewed(page: Page, people: People) -> None:
    number = registered(people)
    people.step(number, "disp", "dispatch", unit="LX-CGJ")
    why = "该工地为市直重点项目，不属区局管辖"
    people.step(number, "lx-h", "return", reason_code="not_our_duty", reason=why)

    log_in(page, people, "disp", at="/dispatch?tab=returns")
    request = page.get_by_test_id("pending-request")
    expect(request).to_contain_text("非本单位职责")
    expect(request).to_contain_text(why)
    screenshot(page, "dispatch-returns")
    page.get_by_test_id("approve-request").click()

    message(page, "已同意退单")
    case = people.case(number)
    assert case["status"] == "registered"
    assert [event["actor"] for event in events(case, "approve_return")] == ["disp"]


def test_an_extension_is_approved(page: Page, people: People) -> None:
    number = registered(people)
    people.step(number, "disp", "dispatch", unit="LX-CGJ")
    people.step(number, "lx-h", "accept")
    before = people.case(number)["reply_due_at"]
    why = "需协调燃气公司共同开挖，预计还需三个工作日"
    people.step(number, "lx-h", "request_extension", reason=why, extra_working_days=3)

    log_in(page, people, "disp", at="/dispatch?tab=extensions")
    expect(page.get_by_test_id("pending-request")).to_contain_text(why)
    screenshot(page, "dispatch-extensions")
    page.get_by_test_id("approve-request").click()

    message(page, "已批准延期")
    case = people.case(number)
    assert [event["actor"] for event in events(case, "approve_extension")] == ["disp"]
    assert datetime.fromisoformat(case["reply_due_at"]) > datetime.fromisoformat(before)


def test_the_callback_is_recorded(page: Page, people: People) -> None:
    number = registered(people)
    people.step(number, "disp", "dispatch", unit="LX-CGJ")
    people.step(number, "lx-h", "accept")
    people.step(number, "lx-h", "reply", result_type="solved", reply_text=REPLY)

    log_in(page, people, "op", at="/callbacks")
    expect(page.get_by_text(REPLY).first).to_be_visible()
    page.get_by_test_id("callback-outcome").get_by_text("已接通", exact=True).click()
    page.get_by_test_id("process-satisfaction").get_by_text("满意", exact=True).click()
    page.get_by_test_id("result-satisfaction").get_by_text("满意", exact=True).click()
    page.get_by_test_id("solved").get_by_text("已解决", exact=True).click()
    screenshot(page, "callback-recorded")
    page.get_by_test_id("record-callback").click()

    message(page, f"已记录工单 {number} 的回访")
    case = people.case(number)
    assert (case["status"], case["closed_as"]) == ("closed", "satisfied")
    recorded = events(case, "record_callback")
    assert [event["actor"] for event in recorded] == ["op"]


def test_a_case_back_for_re_sorting_is_dispatched_again(page: Page, people: People) -> None:
    """An unsatisfied callback sends the case back to the centre (reopen_to=resort): it waits
    on 重新分拣 with the reason, not on 待派遣 beside the new calls, and is dispatched again."""
    new_call = registered(people, "经十路人行道井盖缺失，夜里有人差点踩空")
    number = registered(people)
    people.step(number, "disp", "dispatch", unit="LX-CGJ")
    people.step(number, "lx-h", "accept")
    people.step(number, "lx-h", "reply", result_type="solved", reply_text=REPLY)
    unsatisfied = {
        "outcome": "reached",
        "process_satisfaction": "basically_satisfied",
        "result_satisfaction": "unsatisfied",
        "solved": False,
        "comment": "晚上照样施工，根本没停",
        "reopen_to": "resort",
    }
    people.step(number, "op", "record_callback", **unsatisfied)
    assert people.case(number)["status"] == "registered"

    log_in(page, people, "disp", at="/dispatch?tab=resorted")
    rows = page.locator(".el-table__row")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(number)
    expect(page.get_by_test_id("reopen-reason")).to_contain_text("回访不满意")
    expect(page.get_by_test_id("tab-resorted")).to_contain_text("1")
    screenshot(page, "dispatch-resorted", key=True)
    page.get_by_test_id("dispatch").click()

    message(page, f"已派遣：工单 {number}")
    case = people.case(number)
    assert case["status"] == "dispatched"
    assert [event["actor"] for event in events(case, "dispatch")] == ["disp", "disp"]
    expect(rows).to_have_count(0)  # nothing left to re-sort
    page.get_by_test_id("tab-dispatch").click()
    expect(rows).to_have_count(1)  # the new call alone: the re-sorted case was never here
    expect(rows).to_contain_text(new_call)
