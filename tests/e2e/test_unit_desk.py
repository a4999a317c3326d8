"""The handler's desk (本单位待办, 办理工单) and the inspector's (待核查) in the browser: the inbox
puts overdue, then supervised cases first and accepts from the list; the work page shows the
co-units' opinions, takes a reply with a standard answer and a photo (shrunk to 2 MP); the
inspector's queue lists the reply and the verification fails it back to the unit as rework."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import Browsing, Clocks, People, screenshot, settle
from tests.e2e.helpers import log_in, message
from tests.e2e.photos import camera_photo

ANSWER = "经现场核实，已责令施工单位停止夜间施工，今后夜间施工须办理许可并公示。"
OPINION = "施工工地在我街道辖区，可配合夜间巡查"


def dispatched(people: People, content: str, **fields: object) -> str:
    number: str = people.create(content=content)["number"]
    people.step(number, "op", "register", category_code="E0301", district_code="370102")
    people.step(number, "disp", "dispatch", unit="LX-CGJ", **fields)
    return number


def rows(page: Page) -> list[str]:
    table = page.get_by_test_id("unit-inbox")
    numbers: list[str] = table.locator("tbody tr td:first-child").all_inner_texts()
    return [number.strip() for number in numbers]


def test_the_inbox_puts_overdue_and_supervised_cases_first(
    page: Page, people: People, clocks: Clocks
) -> None:
    late = dispatched(people, "历下区工地夜间施工，已经投诉过一次")
    clocks.advance(days=7)  # well past its acceptance and reply deadlines
    plain = dispatched(people, "泉城路夜间施工噪音扰民")
    watched = dispatched(people, "解放路夜间施工噪音，多次反映未解决")
    body = {"case": watched, "level": "supervise", "reason": "多次反映未解决"}
    assert people.request("POST", "/api/v1/supervisions", "sup", json=body).status_code == 201

    log_in(page, people, "lx-h", at="/")  # the handler's home is the inbox
    expect(page).to_have_url(re.compile(r"/unit$"))
    expect(page.get_by_test_id("unit-inbox")).to_contain_text(plain)
    settle(page)
    assert rows(page) == [late, watched, plain]
    expect(page.get_by_test_id("inbox-counts")).to_contain_text("超期 1")
    expect(page.get_by_test_id("inbox-counts")).to_contain_text("督办 1")
    expect(page).to_have_title(re.compile(r"^（3）本单位待办"))
    screenshot(page, "unit-inbox-order")

    page.get_by_test_id("unit-inbox").locator("tr", has_text=plain).get_by_test_id(
        "quick-accept"
    ).click()
    message(page, f"已签收：工单 {plain}")
    assert people.case(plain)["status"] == "accepted"
    expect(page).to_have_title(re.compile(r"^（2）本单位待办"))

    # The supervised case: the unit answers its supervision from the work page.
    page.get_by_test_id("unit-inbox").get_by_text(watched).click()
    page.get_by_test_id("supervision-response").fill("已安排夜间巡查，明日约谈施工单位")
    page.get_by_test_id("supervision-send").click()
    message(page, "已回复督办")
    expect(page.get_by_test_id("supervision-reply")).to_be_hidden()
    answered = people.request("GET", "/api/v1/supervisions?status=responded", "sup").json()
    assert [item["case"] for item in answered["items"]] == [watched]


def test_a_reply_at_the_desk_with_a_standard_answer_and_a_photo(page: Page, people: People) -> None:
    answer = {"title": "夜间施工噪音（已制止）", "body": ANSWER, "category_code": "E0301"}
    assert people.request("POST", "/api/v1/standard-answers", "sup", json=answer).status_code == 201
    number = dispatched(people, "泉城路夜间施工噪音扰民", co_units=["LX-QCL"])
    people.step(number, "qcl-h", "co_opinion", opinion=OPINION)
    people.step(number, "lx-h", "accept")

    log_in(page, people, "lx-h", at=f"/unit/cases/{number}")
    expect(page.get_by_test_id("co-opinions")).to_contain_text(OPINION)
    page.locator('[data-action="reply"]').click()
    page.get_by_test_id("reply-result").get_by_text("已解决").click()
    page.get_by_test_id("answer-insert").first.click()
    expect(page.get_by_test_id("reply-text")).to_have_value(ANSWER)
    page.get_by_test_id("photo-after").set_input_files([camera_photo(page, "#5a8")])
    expect(page.get_by_test_id("photo-thumb")).to_have_count(1)
    page.mouse.move(0, 0)  # no hover colour on the chosen result in the picture
    page.locator("main").evaluate("main => main.scrollTo(0, 0)")
    screenshot(page, "unit-reply", key=True)
    page.get_by_test_id("reply-submit").click()
    message(page, "操作成功")

    case = people.case(number)
    assert (case["status"], case["reply_text"]) == ("callback_pending", ANSWER)
    files = people.request("GET", f"/api/v1/cases/{number}/attachments", "disp").json()["items"]
    assert [item["kind"] for item in files] == ["after"]


def test_the_inspector_fails_a_reply_back_to_the_unit(
    browsing: Browsing, page: Page, people: People
) -> None:
    number = people.create(channel="patrol", content="历山路人行道地砖破损")["number"]
    people.step(number, "op", "register", category_code="E0301", district_code="370102")
    people.step(number, "disp", "dispatch", unit="LX-CGJ")
    people.step(number, "lx-h", "accept")
    people.step(number, "lx-h", "reply", result_type="solved", reply_text="已修复")
    assert people.case(number)["status"] == "verifying"

    log_in(page, people, "insp", at="/")
    expect(page).to_have_url(re.compile(r"/inspect$"))
    page.get_by_test_id("verify-queue").get_by_text(number).click()
    page.locator('[data-action="verify"]').click()
    page.get_by_test_id("verify-result").get_by_text("不属实，返工").click()
    page.get_by_test_id("verify-note").fill("现场地砖仍有三块破损")
    page.mouse.move(0, 0)
    screenshot(page, "inspect-desk")
    page.get_by_test_id("verify-submit").click()
    message(page, "操作成功")
    case = people.case(number)
    assert (case["status"], case["reopen_count"]) == ("accepted", 1)
