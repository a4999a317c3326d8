"""The units in the field on a phone (issue 19): the closed loop across the desk and the phone —
the operator registers the call, the dispatcher dispatches it with a co-unit, the co-unit gives
its opinion, the district bureau passes the case down to a street office, the street office
accepts and replies on the phone with two photos and its position, the inspector verifies on the
phone, the operator's callback closes the case — and a reply without the on-site photo the city
requires (现场处置) is refused on the phone.

Photos are made by the browser itself (tests/e2e/photos.py: larger than 2 MP) so that the
page's shrinking is exercised; the phone's position comes from Chromium's geolocation override.
"""

from __future__ import annotations

import os
import re
import shutil

from playwright.sync_api import Geolocation, Page, expect

from tests.e2e.conftest import (
    DOCS_SCREENSHOTS,
    SCREENSHOTS,
    Browsing,
    Clocks,
    People,
    screenshot,
    settle,
)
from tests.e2e.helpers import log_in, message
from tests.e2e.layout import horizontal_overflow
from tests.e2e.photos import CAMERA, camera_photo, jpeg_size

CONTENT = "解放路与历山路路口堆了好几天的垃圾没人清运，气味很大"
CALL = {
    "来电人姓名": "张三丰",
    "来电人电话": "13812345678",
    "诉求内容": CONTENT,
    "诉求地址": "历下区解放路 12 号",
}
OPINION = "该路口保洁属我街道环卫所，可配合清运"
REPLY = "已组织环卫工人清运垃圾并冲洗路面，现场拍照存档"
GARBAGE = "E0101"  # 暴露垃圾: the city marks it 现场处置 (an "after" photo with a position)
HERE: Geolocation = {"latitude": 36.6663, "longitude": 117.0343, "accuracy": 15}


def choose(page: Page, select: str, name: str) -> None:
    """Pick an option of an Element Plus select by typing part of its name."""
    box = page.get_by_test_id(select)
    box.click()
    page.keyboard.type(name)
    option = page.get_by_role("option", name=re.compile(name)).first
    option.click()
    page.get_by_role("heading", level=2).first.click()  # closes the list, as a person would
    expect(option).to_be_hidden()
    expect(box).to_contain_text(name)


def phone_screenshot(page: Page, name: str) -> None:
    """What the phone's screen shows (not the whole page: the action bar stays at the bottom),
    in var/screenshots/ and, with HOTLINE_DOCS_SCREENSHOTS=1, in docs/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(target))
    if os.environ.get("HOTLINE_DOCS_SCREENSHOTS") == "1":
        shutil.copyfile(target, DOCS_SCREENSHOTS / target.name)


def phone_for(browsing: Browsing, people: People, user: str, at: str) -> Page:
    page = browsing.new_page(phone=True)
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation(HERE)
    log_in(page, people, user, at=at)
    return page


def on_phone_screen(page: Page) -> None:
    settle(page)
    assert horizontal_overflow(page) == [], f"{page.url} scrolls sideways"


def street_office_has_other_work(people: People, clocks: Clocks) -> None:
    """The street office's inbox as on a working day: one case overdue, one fresh."""
    old = people.create(
        content="解放路 36 号小区门口共享单车乱停，堵住消防通道", address="历下区解放路 36 号"
    )
    people.step(old["number"], "op", "register", category_code="E0301", district_code="370102")
    people.step(old["number"], "disp", "dispatch", unit="LX-JFL")
    clocks.advance(days=3)
    fresh = people.create(
        content="历山路菜市场门口占道经营，早高峰行人只能走机动车道", address="历下区历山路 88 号"
    )
    people.step(fresh["number"], "op", "register", category_code="E0401", district_code="370102")
    people.step(fresh["number"], "disp", "dispatch", unit="LX-JFL")


def test_the_closed_loop_on_the_phone(browsing: Browsing, people: People, clocks: Clocks) -> None:
    street_office_has_other_work(people, clocks)
    # The operator registers the call; the dispatcher dispatches it with a co-unit.
    desk = browsing.new_page()
    log_in(desk, people, "op", at="/intake")
    for label, value in CALL.items():
        desk.get_by_label(label, exact=True).fill(value)
    first = desk.get_by_test_id("category-suggestion").first
    expect(first).to_be_visible()
    first.click()
    desk.get_by_label("诉求地址", exact=True).press("Enter")
    link = desk.get_by_test_id("created-case")
    expect(link).to_have_text(re.compile(r"^\d{8}-\d{6}$"))
    number = link.inner_text().strip()
    desk.context.close()
    assert people.case(number)["status"] == "registered"

    desk = browsing.new_page()
    log_in(desk, people, "disp", at="/dispatch")
    expect(desk.get_by_test_id("routing-explanation")).to_be_visible()
    choose(desk, "lead-unit", "历下区城市管理局")
    choose(desk, "co-units", "泉城路街道")
    desk.get_by_test_id("dispatch").click()
    message(desk, f"已派遣：工单 {number}")
    desk.context.close()
    dispatched = people.case(number)
    assert {(a["unit"], a["role"]) for a in dispatched["assignments"]} == {
        ("LX-CGJ", "lead"),
        ("LX-QCL", "co"),
    }
    # Supervised, so the reply is verified on site before the callback (docs/lifecycle.md).
    supervision = {"case": number, "level": "supervise", "reason": "群众反映多次未解决"}
    answer = people.request("POST", "/api/v1/supervisions", "sup", json=supervision)
    assert answer.status_code == 201, answer.text

    # The co-unit gives its opinion at its desk.
    desk = browsing.new_page()
    log_in(desk, people, "qcl-h", at="/unit?tab=co")
    expect(desk.get_by_test_id("unit-inbox")).to_contain_text(number)
    desk.get_by_test_id("unit-inbox").get_by_text(number).click()
    desk.locator('[data-action="co_opinion"]').click()
    desk.get_by_role("dialog").locator("textarea").first.fill(OPINION)
    desk.get_by_test_id("action-submit").click()
    message(desk, "操作成功")
    desk.context.close()

    # The district bureau accepts and passes it down to the street office, seeing its deadline.
    desk = browsing.new_page()
    log_in(desk, people, "lx-h", at=f"/unit/cases/{number}")
    expect(desk.get_by_test_id("co-opinions")).to_contain_text(OPINION)
    desk.locator('[data-action="accept"]').click()
    desk.get_by_test_id("action-submit").click()
    message(desk, "操作成功")
    desk.locator('[data-action="sub_dispatch"]').click()
    desk.get_by_test_id("sub-unit").click()
    desk.get_by_role("option", name="解放路街道").click()
    expect(desk.get_by_test_id("sub-deadline")).to_contain_text("与本单位的期限相同")
    screenshot(desk, "unit-sub-dispatch")
    desk.get_by_test_id("sub-submit").click()
    message(desk, "操作成功")
    desk.context.close()

    # The street office on the phone: the inbox, the case, accept, reply with two photos.
    phone = phone_for(browsing, people, "jfl-h", "/m")
    card = phone.get_by_test_id("phone-case-card").filter(has_text=number)
    expect(card).to_be_visible()
    on_phone_screen(phone)
    phone_screenshot(phone, "phone-inbox")
    card.click()
    expect(phone.get_by_test_id("case-number")).to_have_text(number)
    expect(phone.get_by_test_id("co-opinions")).to_contain_text(OPINION)
    phone.get_by_test_id("phone-accept").click()
    expect(phone.get_by_test_id("phone-notice")).to_have_text("已签收")
    on_phone_screen(phone)
    phone_screenshot(phone, "phone-case")
    phone.get_by_test_id("phone-reply").click()
    phone.get_by_test_id("phone-result").get_by_text("已解决").click()
    phone.get_by_test_id("phone-reply-text").fill(REPLY)
    phone.get_by_test_id("photo-after").set_input_files(
        [camera_photo(phone, "#4a7"), camera_photo(phone, "#47a")]
    )
    expect(phone.get_by_test_id("photo-thumb")).to_have_count(2)
    expect(phone.get_by_test_id("photo-position")).to_contain_text("117.03430")
    on_phone_screen(phone)
    phone.get_by_test_id("photo-thumb").first.scroll_into_view_if_needed()
    phone_screenshot(phone, "phone-reply")
    uploads: list[str] = []
    phone.on(
        "request",
        lambda r: uploads.append(r.url) if r.method == "POST" and "/attachments" in r.url else None,
    )
    phone.get_by_test_id("phone-submit").click()
    expect(phone.get_by_test_id("case-number")).to_have_text(number)
    expect(phone.get_by_text("已办结答复").or_(phone.get_by_text("核查中")).first).to_be_visible()
    assert len(uploads) == 1, f"two photos, one request: {uploads}"
    phone.context.close()

    case = people.case(number)
    assert case["status"] == "verifying", case["status"]
    files = people.request("GET", f"/api/v1/cases/{number}/attachments", "disp").json()["items"]
    assert [item["kind"] for item in files] == ["after", "after"]
    for item in files:
        assert (item["longitude"], item["latitude"]) == (HERE["longitude"], HERE["latitude"])
        assert item["captured_at"]
        body = people.request("GET", item["download_url"], "disp").content
        width, height = jpeg_size(body)
        assert width * height <= 2_000_000, (width, height)
        assert abs(width / height - CAMERA[0] / CAMERA[1]) < 0.01, (width, height)

    # The inspector checks on site, on the phone.
    phone = phone_for(browsing, people, "insp", "/m")
    phone.get_by_test_id("phone-case-card").filter(has_text=number).click()
    photos = phone.get_by_test_id("phone-attachments").locator("img")
    expect(photos).to_have_count(2)  # the street office's after photos, to compare on site
    phone.wait_for_function(  # shown, not broken: the download is the photo itself
        "() => [...document.querySelectorAll('[data-test=phone-attachments] img')]"
        ".every((img) => img.complete && img.naturalWidth > 0)"
    )
    phone.get_by_test_id("phone-verify").click()
    expect(phone.get_by_text(REPLY)).to_be_visible()
    phone.get_by_test_id("phone-verify-result").get_by_text("属实，通过").click()
    phone.get_by_test_id("phone-verify-note").fill("现场垃圾已清运，路面干净")
    phone.get_by_test_id("photo-after").set_input_files([camera_photo(phone, "#777")])
    expect(phone.get_by_test_id("photo-thumb")).to_have_count(1)
    on_phone_screen(phone)
    phone.get_by_test_id("photo-thumb").first.scroll_into_view_if_needed()
    phone_screenshot(phone, "phone-verify")
    phone.get_by_test_id("phone-submit").click()
    expect(phone.get_by_test_id("phone-count")).to_be_visible()
    phone.context.close()
    assert people.case(number)["status"] == "callback_pending"

    # The operator calls the citizen back at the callback desk; the street office sees 已结案.
    desk = browsing.new_page()
    log_in(desk, people, "op", at="/callbacks")
    desk.get_by_text(number).first.click()
    expect(desk.get_by_text(REPLY).first).to_be_visible()
    desk.get_by_test_id("callback-outcome").get_by_text("已接通", exact=True).click()
    desk.get_by_test_id("process-satisfaction").get_by_text("满意", exact=True).click()
    desk.get_by_test_id("result-satisfaction").get_by_text("满意", exact=True).click()
    desk.get_by_test_id("solved").get_by_text("已解决", exact=True).click()
    desk.get_by_test_id("record-callback").click()
    message(desk, f"已记录工单 {number} 的回访")
    desk.context.close()
    assert people.case(number)["status"] == "closed"
    phone = phone_for(browsing, people, "jfl-h", f"/m/cases/{number}")
    expect(phone.get_by_text("已结案").first).to_be_visible()
    history = [event["action"] for event in people.case(number)["history"]]
    for step in ("co_opinion", "sub_dispatch", "reply", "verify", "record_callback"):
        assert step in history


def test_an_onsite_reply_without_an_after_photo_is_refused(
    browsing: Browsing, people: People
) -> None:
    number = people.create(content=CONTENT)["number"]
    people.step(number, "op", "register", category_code=GARBAGE, district_code="370102")
    people.step(number, "disp", "dispatch", unit="LX-CGJ")
    people.step(number, "lx-h", "accept")
    phone = phone_for(browsing, people, "lx-h", f"/m/cases/{number}/reply")
    phone.get_by_test_id("phone-result").get_by_text("已解决").click()
    phone.get_by_test_id("phone-reply-text").fill(REPLY)
    phone.get_by_test_id("phone-submit").click()
    expect(phone.get_by_test_id("phone-photo-error")).to_contain_text("照片")
    on_phone_screen(phone)
    phone.get_by_test_id("phone-photo-error").scroll_into_view_if_needed()
    phone_screenshot(phone, "phone-reply-refused")
    assert people.case(number)["status"] == "accepted"
