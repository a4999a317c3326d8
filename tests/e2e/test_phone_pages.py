"""Every phone page (/m/...) at 375 × 812 with touch: nothing scrolls sideways and every control
a thumb must hit is at least 44 × 44 CSS pixels; a case outside the handler's unit is the phone's
未找到 page (as on the desk, where it is the 404 page); the inbox shows a case dispatched while it
is open within the 30 s poll, the browser's clock moved instead of waiting; a phone page loads at
most 300 KB of scripts and styles (gzip)."""

from __future__ import annotations

import gzip
import re

from playwright.sync_api import Page, Response, expect

from tests.e2e.conftest import Browsing, People, screenshot, settle
from tests.e2e.helpers import log_in
from tests.e2e.layout import horizontal_overflow

TAP = 44  # CSS pixels, the smallest target a thumb hits reliably
SMALL_TARGETS = """(tap) => {
  const found = []
  const controls = 'a[href], button, input:not([type=hidden]), textarea, select, [role=button]'
  for (const el of document.querySelectorAll(controls)) {
    const box = el.getBoundingClientRect()
    const style = getComputedStyle(el)
    if (!box.width || !box.height || style.visibility === 'hidden' || el.disabled) continue
    if (box.width < tap - 0.5 || box.height < tap - 0.5) {
      const name = (el.innerText || el.getAttribute('aria-label') || el.tagName).trim().slice(0, 20)
      found.push(`${name}: ${Math.round(box.width)}×${Math.round(box.height)}`)
    }
  }
  return found
}"""
STREET = "LX-JFL"  # 解放路街道办事处, below 历下区城市管理局


def small_targets(page: Page) -> list[str]:
    found: list[str] = page.evaluate(SMALL_TARGETS, TAP)
    return found


def phone(browsing: Browsing, people: People, user: str, at: str) -> Page:
    page = browsing.new_page(phone=True)
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 36.6663, "longitude": 117.0343, "accuracy": 15})
    log_in(page, people, user, at=at)
    return page


def check(page: Page, where: str, problems: dict[str, list[str]]) -> None:
    page.goto(where)
    expect(page.get_by_test_id("who-am-i")).to_be_visible()
    settle(page)
    screenshot(page, "phone-page-" + re.sub(r"\W+", "-", where).strip("-"))
    found = [f"sideways: {box}" for box in horizontal_overflow(page)]
    found += [f"small: {target}" for target in small_targets(page)]
    if found:
        problems[where] = found


def test_every_phone_page_fits_a_thumb(browsing: Browsing, people: People) -> None:
    accepted = people.create(content="历山路人行道上共享单车乱停，轮椅过不去")["number"]
    people.to_accepted(accepted)
    replied = people.create(content="文化东路餐馆油烟直排，楼上住户无法开窗")["number"]
    people.to_accepted(replied)
    supervision = {"case": replied, "level": "supervise", "reason": "多次反映"}
    assert (
        people.request("POST", "/api/v1/supervisions", "sup", json=supervision).status_code == 201
    )
    people.step(
        replied, "lx-h", "reply", result_type="solved", reply_text="已督促餐馆安装油烟净化器"
    )

    problems: dict[str, list[str]] = {}
    handler = phone(browsing, people, "lx-h", "/m")
    for where in (
        "/m",
        f"/m/cases/{accepted}",
        f"/m/cases/{accepted}/reply",
        f"/m/cases/{accepted}/return",
        "/m/cases/20991231-999999",
    ):
        check(handler, where, problems)
    inspector = phone(browsing, people, "insp", "/m")
    for where in ("/m", f"/m/cases/{replied}", f"/m/cases/{replied}/verify"):
        check(inspector, where, problems)
    assert not problems, f"phone pages that do not fit: {problems}"


def test_a_handler_cannot_open_another_units_case(browsing: Browsing, people: People) -> None:
    theirs = people.create(content="泉城路商户占道经营")["number"]
    people.to_dispatched(theirs, unit="LX-QCL")  # 泉城路街道: not 解放路's

    page = phone(browsing, people, "jfl-h", f"/m/cases/{theirs}")
    expect(page.get_by_test_id("not-found")).to_contain_text("工单不存在或不在您的权限范围内")
    expect(page.get_by_text("泉城路商户占道经营")).to_have_count(0)
    screenshot(page, "phone-not-found")

    desk = browsing.new_page()
    log_in(desk, people, "jfl-h", at=f"/unit/cases/{theirs}")
    expect(desk.get_by_text("工单不存在或不在您的权限范围内")).to_be_visible()
    desk.goto(f"/cases/{theirs}")
    expect(desk.get_by_text("工单不存在或不在您的权限范围内")).to_be_visible()


def test_the_inbox_shows_a_new_case_within_the_poll(browsing: Browsing, people: People) -> None:
    page = phone(browsing, people, "jfl-h", "/m")
    expect(page.get_by_test_id("phone-count")).to_contain_text("共 0 件")
    settle(page)

    number = people.create(content="解放路小区门口垃圾桶满溢")["number"]
    people.step(number, "op", "register", category_code="E0106", district_code="370102")
    people.step(number, "disp", "dispatch", unit=STREET)
    page.wait_for_timeout(500)
    expect(page.get_by_test_id("phone-case-card")).to_have_count(0)  # not before the poll

    page.clock.run_for(31_000)  # the browser's clock: one poll interval, no waiting
    expect(page.get_by_test_id("phone-case-card").filter(has_text=number)).to_be_visible()
    expect(page).to_have_title(re.compile(r"^（1）待办"))


PHONE_BUDGET = 300 * 1024  # gzip bytes of JS + CSS a phone page may load (issue 19)


def loaded_code(browsing: Browsing, people: People, where: str) -> dict[str, int]:
    """Every script and stylesheet a fresh load of ``where`` fetches, as name → gzip size."""
    page = phone(browsing, people, "lx-h", "/m")
    fresh = page.context.new_page()
    cdp = page.context.new_cdp_session(fresh)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    bodies: dict[str, bytes] = {}

    def keep(response: Response) -> None:
        if re.search(r"\.(js|css)(\?|$)", response.url):
            bodies[response.url.rsplit("/", 1)[-1]] = response.body()

    fresh.on("response", keep)
    fresh.goto(where)
    expect(fresh.get_by_test_id("who-am-i")).to_be_visible()
    fresh.wait_for_load_state("networkidle")
    return {name: len(gzip.compress(body, 9)) for name, body in bodies.items()}


def test_the_phone_pages_load_under_300_kb(browsing: Browsing, people: People) -> None:
    number = people.create()["number"]
    people.to_accepted(number)
    for where in ("/m", f"/m/cases/{number}", f"/m/cases/{number}/reply"):
        sizes = loaded_code(browsing, people, where)
        total = sum(sizes.values())
        print(f"{where}: {len(sizes)} files, {total / 1024:.1f} KiB gzip")  # docs/benchmarks.md
        assert total <= PHONE_BUDGET, f"{where}: {total} bytes gzip: {sorted(sizes.items())}"


def test_on_a_phone_a_handler_starts_at_the_phone_pages(browsing: Browsing, people: People) -> None:
    page = browsing.new_page(phone=True)
    log_in(page, people, "jfl-h", at="/")
    expect(page).to_have_url(re.compile(r"/m$"))
    expect(page.get_by_test_id("phone-count")).to_be_visible()
