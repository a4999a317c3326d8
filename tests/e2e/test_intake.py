"""The operator's desk (来电登记) in the browser: a call typed in, its suggestions, one case."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, Route, expect

from tests.e2e.conftest import PASSWORD, Clocks, People, screenshot
from tests.e2e.helpers import log_in

CALL = {
    "来电人姓名": "张三丰",
    "来电人电话": "13812345678",
    "诉求内容": "历下区泉城路夜间施工噪音扰民，凌晨两点还在施工，已经持续一周",
    "诉求地址": "历下区泉城路 188 号",
}
CASE_NUMBER = re.compile(r"^\d{8}-\d{6}$")


def type_the_call(page: Page, call: dict[str, str] = CALL) -> None:
    for label, value in call.items():
        page.get_by_label(label, exact=True).fill(value)


def suggested_category(people: People, call: dict[str, str] = CALL) -> str:
    """What the suggestions API makes of the same draft: its first category."""
    draft = {"channel": "12345", "content": call["诉求内容"], "address": call["诉求地址"]}
    answer = people.request("POST", "/api/v1/intake/suggestions", "op", json=draft)
    assert answer.status_code == 200, answer.text
    ranked = [s for s in answer.json()["suggestions"] if s["field"] == "category_code"]
    assert ranked, "the draft gets no category suggestion"
    code: str = max(ranked, key=lambda s: s["confidence"])["value"]
    return code


def adopt_the_first_category(page: Page) -> None:
    """Alt+K, once the suggestions for what was typed have come."""
    first = page.get_by_test_id("category-suggestion").first
    expect(first).to_be_visible()
    page.keyboard.press("Alt+K")
    expect(first).to_have_attribute("aria-pressed", "true")


def created_number(page: Page) -> str:
    link = page.get_by_test_id("created-case")
    expect(link).to_have_text(CASE_NUMBER)
    return link.inner_text().strip()


def all_cases(people: People) -> list[dict[str, Any]]:
    answer = people.request("GET", "/api/v1/cases", "disp")
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def test_an_operator_registers_a_case_with_the_suggested_category(
    page: Page, people: People
) -> None:
    log_in(page, people, "op")
    expect(page).to_have_url(re.compile(r"/intake$"))
    expect(page.get_by_role("heading", name="来电登记", level=2)).to_be_visible()
    type_the_call(page)
    first = page.get_by_test_id("category-suggestion").first
    expect(first).to_be_visible()
    expect(page.get_by_test_id("suggested-place")).to_contain_text("历下区")
    screenshot(page, "intake-typed")

    first.click()
    expect(first).to_have_attribute("aria-pressed", "true")
    page.get_by_label("诉求地址", exact=True).press("Enter")

    number = created_number(page)
    expect(page.get_by_test_id("intake-success")).to_contain_text("已登记并立案")
    expect(page.get_by_label("诉求内容", exact=True)).to_have_value("")  # ready for the next call
    case = people.case(number, "op")
    assert case["status"] == "registered"
    assert case["category_code"] == suggested_category(people)
    assert case["content"] == CALL["诉求内容"]
    assert case["district_code"] == "370102"


def test_a_double_enter_makes_one_case(page: Page, people: People) -> None:
    """Enter twice, and the create request sent twice as a network retry would: one case."""
    creates: list[str | None] = []

    def send_twice(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        creates.append(route.request.headers.get("idempotency-key"))
        route.fetch()  # the first answer is lost on the way back …
        route.fulfill(response=route.fetch())  # … and the retry gets the same case

    page.route(re.compile(r"/api/v1/cases$"), send_twice)
    log_in(page, people, "op")
    type_the_call(page)
    adopt_the_first_category(page)
    address = page.get_by_label("诉求地址", exact=True)
    address.press("Enter")
    address.press("Enter")

    number = created_number(page)
    page.wait_for_load_state("networkidle")
    cases = all_cases(people)
    assert [case["number"] for case in cases] == [number]
    assert creates and all(creates) and len(set(creates)) == 1, creates
    assert people.case(number)["status"] == "registered"


def test_form_errors_show_beside_the_field(page: Page, people: People) -> None:
    log_in(page, people, "op")
    page.get_by_label("来电人姓名", exact=True).fill("张三丰")
    page.get_by_label("来电人姓名", exact=True).press("Enter")

    content_item = page.locator(".el-form-item").filter(
        has=page.get_by_text("诉求内容", exact=True)
    )
    expect(content_item.locator(".el-form-item__error")).to_have_text("请填写诉求内容")
    category_item = page.locator(".el-form-item").filter(has=page.get_by_text("类别", exact=True))
    expect(category_item.locator(".el-form-item__error")).to_contain_text("请选择类别")
    name_item = page.locator(".el-form-item").filter(has=page.get_by_text("来电人姓名", exact=True))
    expect(name_item.locator(".el-form-item__error")).to_have_count(0)
    screenshot(page, "intake-form-errors")
    assert all_cases(people) == []

    page.get_by_label("诉求内容", exact=True).fill(CALL["诉求内容"])
    page.get_by_label("诉求内容", exact=True).press("Control+Enter")
    expect(content_item.locator(".el-form-item__error")).to_have_count(0)
    expect(category_item.locator(".el-form-item__error")).to_contain_text("请选择类别")
    assert all_cases(people) == []


def test_an_expired_session_logs_in_again_in_a_dialog_and_keeps_the_form(
    page: Page, people: People, clocks: Clocks
) -> None:
    log_in(page, people, "op")
    half_typed = {key: CALL[key] for key in ("来电人姓名", "来电人电话", "诉求地址")}
    type_the_call(page, half_typed)
    page.wait_for_load_state("networkidle")
    clocks.advance(minutes=31)  # past the 30-minute idle timeout; nobody sleeps

    page.get_by_label("诉求内容", exact=True).fill(CALL["诉求内容"])  # asks for suggestions
    dialog = page.get_by_role("dialog", name="请重新登录")
    expect(dialog).to_be_visible()
    screenshot(page, "session-expired-dialog")
    dialog.get_by_label("密码", exact=True).fill(PASSWORD)
    dialog.get_by_role("button", name="登录并继续").click()
    expect(dialog).to_be_hidden()

    for label, value in CALL.items():
        expect(page.get_by_label(label, exact=True)).to_have_value(value)
    adopt_the_first_category(page)
    page.get_by_label("诉求地址", exact=True).press("Enter")
    number = created_number(page)
    assert people.case(number, "op")["caller_phone"] == "138****5678"


def test_the_login_page_fetches_the_intake_code_before_anyone_logs_in(page: Page) -> None:
    """While the person types, the code of the pages a login leads to is fetched (LoginView's
    prefetch), so that after the password check only the page's data is left to wait for."""
    with page.expect_request(re.compile(r"/assets/IntakeView-[\w-]+\.js$")):
        page.goto("/login")
    expect(page.get_by_role("heading", name="城管热线工作台")).to_be_visible()
