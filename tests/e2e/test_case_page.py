"""The case page (工单详情) in the browser: two people acting at once, and scope."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import Browsing, People, screenshot
from tests.e2e.helpers import log_in

SHIZHONG = {
    "content": "市中区大观园附近占道经营，晚上摊位堵住人行道",
    "address": "市中区经四路 269 号",
}


def open_case(page: Page, people: People, user: str, number: str) -> None:
    log_in(page, people, user, at=f"/cases/{number}")
    expect(page.get_by_test_id("case-number")).to_have_text(number)


def act(page: Page, action: str) -> None:
    """Click the action's button, then confirm in its dialog."""
    page.locator(f'[role="toolbar"] [data-action="{action}"]').click()
    page.get_by_test_id("action-submit").click()


def test_two_people_race_on_one_case_and_the_loser_sees_the_new_case(
    browsing: Browsing, people: People
) -> None:
    number = people.create()["number"]
    people.to_dispatched(number, unit="LX-CGJ")
    first, second = browsing.new_page(), browsing.new_page()
    open_case(first, people, "lx-h", number)
    open_case(second, people, "lx-h2", number)
    for page in (first, second):
        expect(page.locator('[data-action="accept"]')).to_be_visible()

    act(first, "accept")
    expect(first.locator(".el-message").filter(has_text="操作成功")).to_be_visible()
    act(second, "accept")

    conflict = second.get_by_test_id("conflict")
    expect(conflict).to_contain_text("工单已被他人修改")
    case = people.case(number)
    assert case["status"] == "accepted"
    assert [event["actor"] for event in case["history"] if event["action"] == "accept"] == ["lx-h"]
    expect(second.locator(".case-head")).to_contain_text(case["status_label"])
    expect(second.locator(".case-head")).to_contain_text(f"版本 {case['version']}")
    expect(second.locator('[role="toolbar"] [data-action="accept"]')).to_have_count(0)
    screenshot(second, "case-conflict", key=True)


def test_a_district_dispatcher_cannot_open_another_districts_case(
    page: Page, people: People
) -> None:
    lixia = people.create()["number"]
    shizhong = people.create(**SHIZHONG)["number"]
    people.step(shizhong, "op", "register", category_code="E0301", district_code="370103")
    people.step(lixia, "op", "register", category_code="E0301", district_code="370102")

    open_case(page, people, "lx-disp", lixia)
    page.goto(f"/cases/{shizhong}")
    expect(page.get_by_text("工单不存在或不在您的权限范围内")).to_be_visible()
    expect(page.get_by_test_id("case-number")).to_have_count(0)
    expect(page.get_by_text(SHIZHONG["content"])).to_have_count(0)
    screenshot(page, "case-out-of-scope")
    page.goto("/cases")
    expect(page.get_by_text(lixia)).to_be_visible()
    expect(page.get_by_text(shizhong)).to_have_count(0)
