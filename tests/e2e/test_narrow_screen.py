"""The centre's pages on a phone's screen (375 × 812): nothing to scroll sideways, and the case
page works — a handler reads a case and accepts it with the dialog inside the screen.

Tables may scroll inside their own frame and the menu is a strip that scrolls sideways; nothing
else may (tests/e2e/layout.py). Each page leaves a screenshot named ``narrow-…`` in
var/screenshots/.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE, Browsing, People, screenshot, settle
from tests.e2e.helpers import log_in, message
from tests.e2e.layout import horizontal_overflow, sticks_out, tables_cut

REPLY = "已责令施工单位停止夜间施工，并依法立案处罚"
# Each person's pages, reached the way they are bookmarked (the address), the desk's tabs too.
PAGES = {
    "op": ("/intake", "/intake/mine", "/callbacks", "/cases"),
    "disp": ("/dispatch", "/dispatch?tab=returns", "/dispatch?tab=extensions", "/cases"),
    "sup": ("/answers",),
}


def cases_for_every_desk(people: People) -> str:
    """A case on each desk: to dispatch, a return, an extension request, a callback due.
    Returns the one awaiting its callback, for the case page."""
    waiting = people.create()["number"]
    people.step(waiting, "op", "register", category_code="E0301", district_code="370102")
    returned = people.create(content="经十路人行道井盖缺失，夜里有人差点踩空")["number"]
    people.to_dispatched(returned, unit="LX-CGJ")
    people.step(returned, "lx-h", "return", reason_code="not_our_duty", reason="属燃气公司管辖")
    extended = people.create(content="泉城广场附近流动摊贩占道经营，堵塞盲道")["number"]
    people.to_accepted(extended)
    people.step(extended, "lx-h", "request_extension", reason="需联合执法", extra_working_days=3)
    replied: str = people.create(content="历下区文化东路餐馆油烟直排，楼上住户无法开窗")["number"]
    people.to_accepted(replied)
    people.step(replied, "lx-h", "reply", result_type="solved", reply_text=REPLY)
    return replied


def overflow_on(page: Page, where: str) -> list[str]:
    page.goto(where)
    expect(page.get_by_test_id("who-am-i")).to_be_visible()
    settle(page)
    name = re.sub(r"\W+", "-", where).strip("-")
    screenshot(page, f"narrow-{name}", key=where == "/dispatch")
    return horizontal_overflow(page)


def test_no_desk_page_scrolls_sideways_on_a_phone(browsing: Browsing, people: People) -> None:
    number = cases_for_every_desk(people)
    found: dict[str, list[str]] = {}
    for user, pages in PAGES.items():
        page = browsing.new_page(phone=True)
        log_in(page, people, user)
        for where in (*pages, f"/cases/{number}"):
            found[f"{user} {where}"] = overflow_on(page, where)
            if where == "/cases":  # its dozen columns scroll inside the table, as they should
                assert tables_cut(page), "the case list fits a phone: is tables_cut blind?"
            if where == "/intake":  # the form stays compact: what the caller says is on screen
                content = page.get_by_label("诉求内容", exact=True).bounding_box()
                assert content and content["y"] + content["height"] <= PHONE[1], content
        page.context.close()
    found = {where: boxes for where, boxes in found.items() if boxes}
    assert not found, f"pages wider than a phone's screen: {found}"


def test_a_handler_reads_and_accepts_a_case_on_a_phone(browsing: Browsing, people: People) -> None:
    number = people.create()["number"]
    people.to_dispatched(number, unit="LX-CGJ")
    page = browsing.new_page(phone=True)
    log_in(page, people, "lx-h", at=f"/cases/{number}")
    expect(page.get_by_test_id("case-number")).to_have_text(number)
    expect(page.get_by_text("历下区泉城路夜间施工噪音扰民").first).to_be_visible()
    settle(page)
    assert horizontal_overflow(page) == []

    accept = page.locator('[role="toolbar"] [data-action="accept"]')
    accept.scroll_into_view_if_needed()
    assert not sticks_out(page, accept), "the accept button is off the screen"
    accept.tap()
    dialog = page.locator(".el-dialog").filter(has=page.get_by_test_id("action-submit"))
    expect(dialog).to_be_visible()
    assert not sticks_out(page, dialog), "the action dialog is wider than the screen"
    page.evaluate("Promise.all(document.getAnimations().map((shown) => shown.finished))")
    screenshot(page, "narrow-case-accept")
    page.get_by_test_id("action-submit").tap()

    message(page, "操作成功")
    assert people.case(number)["status"] == "accepted"
    expect(page.locator('[role="toolbar"] [data-action="accept"]')).to_have_count(0)
