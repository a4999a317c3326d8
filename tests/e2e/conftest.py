"""Browser tests: the real app served in-process on the test database, driven by Debian's chromium.

Each test gets a fresh database (copied from the session's migrated, seeded template), the whole
app (API and built workbench) served by uvicorn in a thread on a free port, and its own browser
context. The server's clock is the tests' FakeClock and the browser's clock starts at the same
time, so a session can expire without anyone sleeping: advance both with ``clocks.advance``.

Browser tests run once, in the SQLite run: with HOTLINE_TEST_DATABASE_URL set they are skipped.
Without chromium or without a built workbench they are skipped locally and fail in CI (CI=true).
Every test leaves a screenshot in var/screenshots/; with HOTLINE_DOCS_SCREENSHOTS=1 the key ones
are copied into docs/screenshots/ for the README (``make screenshots``).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from hotline.config import Settings
from hotline.entrypoints.web.app import create_app
from hotline.entrypoints.web.workbench import BUILT_INTO
from hotline.profile import CityProfile
from hotline.services.accounts.users import NewUser, create_user
from hotline.services.context import Hotline
from tests.conftest import PG_URL, FakeClock
from tests.conftest import _fresh_url as fresh_url
from tests.web.conftest import USERS, Api

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
REPOSITORY = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPOSITORY / "var" / "screenshots"
DOCS_SCREENSHOTS = REPOSITORY / "docs" / "screenshots"
PASSWORD = "Rexian-2026"
DISPLAY_NAMES = {
    "op": "王晓燕",
    "disp": "李建国",
    "lx-disp": "赵明",
    "lx-h": "孙立新",
    "jfl-h": "周海",
    "qcl-h": "吴静",
    "sz-h": "郑强",
    "insp": "钱进",
    "sup": "陈思",
    "lead": "刘洋",
    "lx-lead": "黄伟",
    "adm": "马超",
    "lx-h2": "钱小芳",
}
# People the API tests do not need: a second handler of the same unit, to race the first.
E2E_USERS = {**USERS, "lx-h2": ("handler", "LX-CGJ", None)}
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
TIMEOUT_MS = 10_000
DESKTOP = (1440, 900)
PHONE = (375, 812)  # an iPhone X-class screen in CSS pixels: the narrowest the pages must fit


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)
            if PG_URL:
                item.add_marker(
                    pytest.mark.skip(reason="browser tests run once, in the SQLite run")
                )


def _missing(what: str) -> None:
    """Locally a missing prerequisite skips; in CI it fails, so the tests cannot vanish."""
    if IN_CI:
        pytest.fail(f"CI needs {what}", pytrace=False)
    pytest.skip(f"needs {what}")


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    with sync_playwright() as driver:
        driver.selectors.set_test_id_attribute("data-test")  # the workbench's test hooks
        expect.set_options(timeout=TIMEOUT_MS)  # the CI machine is shared: wait as long as actions
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """One chromium for the session; Playwright gives it a fresh temporary --user-data-dir."""
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
    )
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def city_profile() -> CityProfile:
    return Settings().profile


@pytest.fixture
def settings(template_url: str, tmp_path: Path, city_profile: CityProfile) -> Settings:
    # The workbench from HOTLINE_WORKBENCH_DIR when set, else the build `make install` made.
    settings = Settings(database_url=fresh_url(template_url, tmp_path), var_dir=tmp_path)
    settings.__dict__["profile"] = city_profile  # parsed once per session
    return settings


class LiveServer:
    """The app served by uvicorn in a thread, on a port the OS chose."""

    def __init__(self, hotline: Hotline) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        config = uvicorn.Config(
            create_app(hotline), log_level="warning", lifespan="off", access_log=False
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()


@pytest.fixture
def server(hotline: Hotline) -> Iterator[LiveServer]:
    built = hotline.settings.workbench_dir or BUILT_INTO
    if not (built / "index.html").is_file():
        _missing(f"the built workbench in {built} (make install)")
    live = LiveServer(hotline)
    live.start()
    yield live
    live.stop()


class People(Api):
    """The test's users, made on first use with a password and a Chinese name; also an API
    client (bearer tokens) on the live server to prepare cases the way other people would."""

    def token(self, user: str) -> str:
        if user not in self.tokens:
            role, unit, district = E2E_USERS[user]
            person = NewUser(user, role, unit, district, DISPLAY_NAMES[user], PASSWORD)
            self.tokens[user] = create_user(self.hotline, person, self.hotline.now())
        return self.tokens[user]


@pytest.fixture
def people(server: LiveServer, hotline: Hotline) -> Iterator[People]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield People(client, hotline)  # type: ignore[arg-type]  # an httpx.Client suffices


@dataclass
class Clocks:
    """The server's FakeClock and every browser context's clock, moved together."""

    server: FakeClock
    contexts: list[BrowserContext] = field(default_factory=list)

    def attach(self, context: BrowserContext) -> None:
        context.clock.install(time=self.server.current)
        context.clock.resume()  # time flows in the page; timers fire as usual
        self.contexts.append(context)

    def advance(self, **kwargs: float) -> None:
        now = self.server.advance(**kwargs)
        for context in self.contexts:
            context.clock.set_system_time(now)


@pytest.fixture
def clocks(clock: FakeClock) -> Clocks:
    return Clocks(clock)


@dataclass
class Traffic:
    """Requests a page has sent and not yet seen answered."""

    requests: set[Any] = field(default_factory=set)

    @property
    def open(self) -> int:
        return len(self.requests)

    def sent(self, request: Any) -> None:
        self.requests.add(request)

    def ended(self, request: Any) -> None:
        self.requests.discard(request)


TRAFFIC: weakref.WeakKeyDictionary[Page, Traffic] = weakref.WeakKeyDictionary()
BUSY = ".el-loading-mask:visible, .el-skeleton:visible"


def watch_traffic(page: Page) -> None:
    traffic = TRAFFIC.setdefault(page, Traffic())
    page.on("request", traffic.sent)
    page.on("requestfinished", traffic.ended)
    page.on("requestfailed", traffic.ended)


def settle(page: Page, quiet_seconds: float = 0.3) -> None:
    """Wait until the page has had no request open and shown no loading mask for a moment.

    Playwright's "networkidle" is a property of a document load; after an in-app route change it
    is already reached, so it would not wait for the new page's data.
    """
    traffic = TRAFFIC[page]
    deadline = time.monotonic() + 3 * TIMEOUT_MS / 1000  # a loaded machine answers slowly
    quiet_since = time.monotonic()
    while time.monotonic() - quiet_since < quiet_seconds:
        page.wait_for_timeout(50)  # events are delivered while the driver is waited on
        if traffic.open > 0 or page.locator(BUSY).count() > 0:
            quiet_since = time.monotonic()
        if time.monotonic() > deadline:
            still = sorted(request.url for request in traffic.requests)
            busy = page.locator(BUSY).evaluate_all("els => els.map(e => e.outerHTML.slice(0, 300))")
            raise AssertionError(f"{page.url} did not settle: requests {still}, busy {busy}")


@dataclass
class Browsing:
    """Browser contexts of one test: each like a separate person's browser."""

    browser: Browser
    server: LiveServer
    clocks: Clocks
    request: pytest.FixtureRequest
    contexts: list[BrowserContext] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)

    def new_page(self, *, phone: bool = False) -> Page:
        """A desktop browser, or with ``phone`` a phone's: 375 × 812 CSS pixels, touch."""
        size = PHONE if phone else DESKTOP
        context = self.browser.new_context(
            base_url=self.server.url,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            viewport={"width": size[0], "height": size[1]},
            is_mobile=phone,
            has_touch=phone,
        )
        context.set_default_timeout(TIMEOUT_MS)
        self.clocks.attach(context)
        context.on("request", self._only_our_server)
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        watch_traffic(page)
        return page

    def _only_our_server(self, request: Any) -> None:
        if not request.url.startswith((self.server.url, "data:", "blob:")):
            self.outside_requests.append(request.url)

    def close(self) -> None:
        """Every page still open leaves a screenshot named after the test; then all close."""
        for index, context in enumerate(self.contexts):
            for number, page in enumerate(context.pages):
                suffix = "" if (index, number) == (0, 0) else f"-{index}-{number}"
                screenshot(page, f"{_test_name(self.request)}{suffix}")
            context.close()  # a second close of a context the test closed does nothing


def _test_name(request: pytest.FixtureRequest) -> str:
    return re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")


def screenshot(page: Page, name: str, *, key: bool = False) -> Path:
    """Saved in var/screenshots/; a key one is also copied for the README when asked."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{name}.png"
    if not page.is_closed():
        page.screenshot(path=str(target), full_page=True)
    if key and os.environ.get("HOTLINE_DOCS_SCREENSHOTS") == "1" and target.exists():
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target, DOCS_SCREENSHOTS / target.name)
    return target


@pytest.fixture
def browsing(
    browser: Browser, server: LiveServer, clocks: Clocks, request: pytest.FixtureRequest
) -> Iterator[Browsing]:
    session = Browsing(browser, server, clocks, request)
    yield session
    session.close()
    assert not session.outside_requests, f"the page reached outside: {session.outside_requests}"
    assert not session.page_errors, f"uncaught errors in the page: {session.page_errors}"


@pytest.fixture
def page(browsing: Browsing) -> Page:
    return browsing.new_page()
