"""Every page of every role, crawled: no Latin word may show outside the allow-list (latin.py).

The crawl follows each role's own menu, so a page added to the workbench is crawled without
changing this test, and adds the pages no menu lists: a case, the not-found page, the login page.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Browsing, People, screenshot, settle
from tests.e2e.helpers import log_in, visible_latin

# One person per role (a district dispatcher too), each with a case in scope to open.
CRAWLERS = ("op", "disp", "lx-disp", "lx-h", "insp", "sup", "lead", "adm")


def cases_in_every_state(people: People) -> str:
    """Cases for the lists and pages to show: registered, dispatched, replied; one to open."""
    registered = people.create()["number"]
    people.step(registered, "op", "register", category_code="E0301", district_code="370102")
    dispatched: str = people.create(content="经十路人行道井盖缺失，夜里有人差点踩空")["number"]
    people.to_dispatched(dispatched, unit="LX-CGJ", co_units=["LX-QCL"])
    replied = people.create(content="泉城广场附近流动摊贩占道经营")["number"]
    people.to_accepted(replied)
    people.step(replied, "lx-h", "reply", result_type="solved", reply_text="已劝离摊贩并加强巡查")
    return dispatched


def menu_links(page: Page) -> list[str]:
    menu = page.get_by_role("navigation", name="主菜单")
    expect(menu.get_by_role("link").first).to_be_visible()
    hrefs = [link.get_attribute("href") for link in menu.get_by_role("link").all()]
    return [href for href in hrefs if href]


def crawl_as(page: Page, user: str, number: str) -> dict[str, list[str]]:
    """Each menu page, then the case page reached from the case list, all without a reload
    (the way people move around; a reload per page would triple the crawl's time)."""
    seen: dict[str, list[str]] = {}
    menu = page.get_by_role("navigation", name="主菜单")
    settle(page)  # the home page done loading: a desk that rewrites its URL then would undo a click
    for href in menu_links(page):
        if urlsplit(page.url).path != href:
            menu.locator(f'a[href="{href}"]').click(no_wait_after=True)  # in-app, no load
        expect(page).to_have_url(re.compile(re.escape(href) + r"([?#].*)?$"))
        seen[f"{user} {href}"] = visible_latin(page)
        if (user, href) == ("disp", "/cases"):
            screenshot(page, "crawl-case-list")
    if not page.url.endswith("/cases"):  # the menu's last page is the whole case list
        page.goto("/cases")
    page.get_by_role("link", name=number, exact=True).first.click()
    expect(page.get_by_test_id("case-number")).to_have_text(number)
    seen[f"{user} /cases/{number}"] = visible_latin(page)
    if user == "disp":
        screenshot(page, "crawl-case-page")
    for where, words in seen.items():
        if words:
            screenshot(page, f"latin-{where.replace(' ', '-').replace('/', '_')}")
    return seen


@pytest.mark.timeout(300)
def test_no_page_of_any_role_shows_a_latin_word(browsing: Browsing, people: People) -> None:
    number = cases_in_every_state(people)
    page = browsing.new_page()
    page.goto("/login")
    found = {"(logged out) /login": visible_latin(page)}
    for user in CRAWLERS:
        if user != CRAWLERS[0]:
            page.context.close()
            page = browsing.new_page()
        log_in(page, people, user)
        found.update(crawl_as(page, user, number))
    page.goto("/no-such-page")
    expect(page.get_by_text("页面不存在或您无权访问")).to_be_visible()
    found[f"{CRAWLERS[-1]} /no-such-page"] = visible_latin(page)
    found = {where: words for where, words in found.items() if words}
    assert not found, f"Latin words on the pages: {found}"
