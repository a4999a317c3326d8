"""What the browser tests do the way a person does it: log in, wait for the page, read messages."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import PASSWORD, People, settle
from tests.e2e.latin import latin_words

VISIBLE_TEXT = """() => {
  const shown = (el) => el.offsetParent !== null || el.getClientRects().length > 0
  const hints = [...document.querySelectorAll('input[placeholder], textarea[placeholder]')]
    .filter(shown).map((el) => el.getAttribute('placeholder'))
  return [document.body.innerText, ...hints].join('\\n')
}"""


def log_in(page: Page, people: People, user: str, *, at: str = "/login") -> None:
    """Open ``at`` as ``user``: the login page first, then wherever it leads."""
    people.token(user)  # the account exists, with its password
    page.goto(at)
    expect(page.get_by_role("heading", name="城管热线工作台")).to_be_visible()
    page.get_by_label("用户名").fill(user)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    # Logged in once the page is neither the login page nor `/` (which goes on to the role home).
    expect(page).not_to_have_url(re.compile(r"(/login|:\d+/)(\?.*)?$"))
    expect(page.get_by_test_id("who-am-i")).to_be_visible()


def message(page: Page, text: str) -> None:
    """An Element Plus message (the toast at the top) with this text appears."""
    expect(page.locator(".el-message").filter(has_text=text).first).to_be_visible()


def visible_latin(page: Page) -> list[str]:
    """The Latin words a person sees on the settled page, placeholders included (latin.py)."""
    settle(page)
    text: str = page.evaluate(VISIBLE_TEXT)
    return latin_words(text)
