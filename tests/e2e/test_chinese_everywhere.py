"""Every page of every role, crawled: no Latin word may show outside the allow-list (latin.py).

The crawl follows each role's own menu, so a page added to the workbench is crawled without
changing this test, and adds the pages no menu lists: a case, the not-found page, the login page.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import Browsing, People, screenshot
from tests.e2e.helpers import log_in
from tests.e2e.latin import latin_words

# One person per role (a district dispatcher too), each with a case in scope to open.
CRAWLERS = ("op", "disp", "lx-disp", "lx-h", "insp", "sup", "lead", "adm")
VISIBLE_TEXT = """() => {
  const shown = (el) => el.offsetParent !== null || el.getClientRects().length > 0
  const hints = [...document.querySelectorAll('input[placeholder], textarea[placeholder]')]
    .filter(shown).map((el) => el.getAttribute('placeholder'))
  return [document.body.innerText, ...hints].join('\\n')
}"""


def cases_in_every_state(people: People) -> str:
    """Cases for the lists and pages to show: registered, dispatched, replied; one to open."""
    registered = people.create()["number"]
    people.step(registered, "op", "register", category_code="E0301", district_code="370102")
    dispatched = people.create(content="经十路人行道井盖缺失，夜里有人差点踩空")["number"]
    people.to_dispatched(dispatched, unit="LX-CGJ", co_units=["LX-QCL"])
    replied = people.create(content="泉城广场附近流动摊贩占道经营")["number"]
    people.to_accepted(replied)
    people.step(replied, "lx-h", "reply", result_type="solved", reply_text="已劝离摊贩并加强巡查")
    return dispatched


def visible_latin(page: Page) -> list[str]:
    page.wait_for_load_state("networkidle")
    text: str = page.evaluate(VISIBLE_TEXT)
    return latin_words(text)


def menu_paths(page: Page) -> list[str]:
    menu = page.get_by_role("navigation", name="主菜单")
    expect(menu.get_by_role("link").first).to_be_visible()
    hrefs = [link.get_attribute("href") for link in menu.get_by_role("link").all()]
    return [href for href in hrefs if href]


def crawl(page: Page, paths: list[str], user: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in paths:
        page.goto(path)
        words = visible_latin(page)
        if words:
            found[f"{user} {path}"] = words
            screenshot(page, f"latin-{user}-{path.strip('/').replace('/', '-') or 'home'}")
    return found


def test_no_page_of_any_role_shows_a_latin_word(browsing: Browsing, people: People) -> None:
    number = cases_in_every_state(people)
    login_page = browsing.new_page()
    login_page.goto("/login")
    found = {"(logged out) /login": visible_latin(login_page)}
    for user in CRAWLERS:
        page = browsing.new_page()
        log_in(page, people, user)
        paths = [*menu_paths(page), f"/cases/{number}", "/no-such-page"]
        found.update(crawl(page, paths, user))
        page.context.close()
    found = {where: words for where, words in found.items() if words}
    assert not found, f"Latin words on the pages: {found}"
