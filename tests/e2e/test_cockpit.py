"""The leaders' cockpit (领导驾驶舱) in the browser, on two generated months of cases.

A district leader (历下区) opens the cockpit on their district with the city's ranking and
figures beside it; a click on the map lists the cases of their district and, on another
district, lists none and counts them as hidden; a click on an indicator lists exactly the cases
its figure counts; a tile lists its cases. ECharts is loaded with the cockpit only, never on the
login page or the role's home. The wall display fills 1920 × 1080. Screenshots: cockpit, map,
wall (README).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from urllib.parse import parse_qs, urlsplit

import pytest
from bench.generate import Options, generate
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from hotline.adapters.db.models import Case
from hotline.domain.roles import Actor, Role
from hotline.entrypoints.worker import WorkerStats, run_due_jobs
from hotline.services.accounts.scope import restrict_to_scope
from hotline.services.cockpit.figures import refresh_figures
from hotline.services.context import Hotline
from hotline.services.evaluation.settlement import rebuild_indicator_facts
from tests.conftest import FakeClock
from tests.e2e.conftest import DOCS_SCREENSHOTS, SCREENSHOTS, Browsing, People, screenshot, settle
from tests.e2e.helpers import log_in, visible_latin

CASES = 900  # two months at about 15 calls a day: every district has figures, the page is quick
LIXIA, SHIZHONG = "370102", "370103"


@pytest.fixture
def ledger(hotline: Hotline, clock: FakeClock, people: People) -> None:
    now = clock.current
    generate(
        Options(
            database_url=hotline.settings.resolved_database_url,
            cases=CASES,
            months=2,
            end=now.astimezone(hotline.settings.tz).date(),
            now=now,
            open_fraction=0.12,
            workers=1,
            chunk=500,
            progress=False,
        )
    )
    # this morning, one site in 历下区 called about five times: a hotspot, a problem at 3+
    numbers = [
        people.create(content=f"泉城路 188 号工地凌晨还在施工，噪音扰民，第 {n} 次反映")["number"]
        for n in range(1, 6)
    ]
    while run_due_jobs(hotline, "e2e", WorkerStats()):  # enrichment: place, street, problem
        pass
    for number in numbers:
        people.step(number, "op", "register", category_code="E0301", district_code=LIXIA)
    rebuild_indicator_facts(hotline, now)  # as the worker keeps them: reports read the rollup
    refresh_figures(hotline, now)  # the worker's cache of today's tiles


def districts_of(hotline: Hotline, numbers: list[str]) -> set[str | None]:
    with hotline.db.transaction() as session:
        rows = session.scalars(select(Case.district_code).where(Case.number.in_(numbers)))
        return set(rows)


def in_scope_of_lixia(hotline: Hotline, numbers: list[str]) -> set[str]:
    leader = Actor("lx-lead", Role.LEADER, district_code=LIXIA)
    with hotline.db.transaction() as session:
        stmt = restrict_to_scope(session, select(Case).where(Case.number.in_(numbers)), leader)
        return set(session.scalars(stmt.with_only_columns(Case.number)))


def listed_numbers(page: Page) -> list[str]:
    links = page.get_by_test_id("drill-table").locator("a.case-link")
    return [text.strip() for text in links.all_inner_texts()]


def drill_counts(page: Page) -> tuple[int, int, int]:
    """(count, visible, hidden) as the drill-down page states them."""
    text = page.get_by_test_id("drill-counts").inner_text()
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    hidden = numbers[2] if len(numbers) > 2 else 0
    return numbers[0], numbers[1], hidden


def click_region(page: Page, code: str) -> None:
    """Click the map where it labels a district (the map keeps its label points' pixels)."""
    canvas = page.get_by_test_id("city-map")
    expect(canvas).not_to_have_attribute("data-regions", "{}")
    places = json.loads(canvas.get_attribute("data-regions") or "{}")
    x, y = places[code]
    canvas.click(position={"x": x, "y": y + 8})  # just below the label, inside the outline


@pytest.mark.timeout(420)
def test_a_district_leaders_cockpit_map_indicators_and_tiles(
    browsing: Browsing, people: People, hotline: Hotline, ledger: None
) -> None:
    page = browsing.new_page()
    scripts: list[str] = []
    page.on("request", lambda request: scripts.append(request.url))
    log_in(page, people, "lx-lead")
    settle(page)
    assert not [url for url in scripts if "/assets/echarts-" in url], "ECharts before the cockpit"

    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="领导驾驶舱").click()
    expect(page.get_by_test_id("cockpit-scope")).to_be_visible()
    expect(page.get_by_text("今日（2026-11-24）· 历下区")).to_be_visible()
    expect(page.get_by_test_id("cockpit-freshness")).to_contain_text("后台缓存")
    ranking = page.get_by_test_id("cockpit-ranking").locator("li")
    expect(ranking).to_have_count(15)  # the 12 districts and 3 zones, the city's ranking
    expect(page.get_by_test_id(f"rank-{LIXIA}")).to_have_class(re.compile(r"\bown\b"))
    header = page.get_by_test_id("cockpit-indicators").locator("thead tr").first
    expect(header).to_contain_text("历下区")
    expect(header).to_contain_text("全市")
    expect(page.get_by_test_id("tile-received")).to_contain_text("全市")
    settle(page)
    assert any("/assets/echarts-" in url for url in scripts)
    assert not visible_latin(page)
    page.mouse.move(0, 0)
    page.set_viewport_size({"width": 1440, "height": 1750})  # the whole cockpit in the picture
    settle(page)
    screenshot(page, "cockpit", key=True)
    page.set_viewport_size({"width": 1440, "height": 900})
    map_panel = page.locator(".map-panel")
    page.get_by_role("radio", name="满意率").check(force=True)
    settle(page)
    _save_key(map_panel, "cockpit-map")
    page.get_by_role("radio", name="受理量").check(force=True)
    settle(page)

    # the map: their own district lists every case its colour counts
    click_region(page, LIXIA)
    expect(page).to_have_url(re.compile(r"/cockpit/cases\?"))
    query = parse_qs(urlsplit(page.url).query)
    assert query["group"] == [LIXIA] and query["indicator"] == ["repeat_rate"]
    settle(page)
    count, visible, hidden = drill_counts(page)
    assert count > 0 and (visible, hidden) == (count, 0)
    numbers = listed_numbers(page)
    assert numbers and districts_of(hotline, numbers) == {LIXIA}

    # another district: counted, none listed
    page.go_back()
    expect(page.get_by_test_id("city-map")).to_be_visible()
    settle(page)
    click_region(page, SHIZHONG)
    expect(page).to_have_url(re.compile(rf"group={SHIZHONG}"))
    settle(page)
    count, visible, hidden = drill_counts(page)
    assert count > 0 and hidden > 0 and visible + hidden == count
    # what is listed is in their scope: a 市中区 case led by a 历下区 unit, if any
    numbers = listed_numbers(page)
    assert len(numbers) == visible and in_scope_of_lixia(hotline, numbers) == set(numbers)
    assert SHIZHONG in districts_of(hotline, numbers) or not numbers

    # an indicator: the cases its numerator counts, as many as the figure says
    page.go_back()
    row = page.get_by_test_id("indicator-reply_rate")
    expect(row).to_be_visible()
    numerator = int(row.locator("td.parts").first.locator("button").first.inner_text())
    row.locator("td.value button").first.click()
    expect(page.get_by_test_id("drill-title")).to_contain_text("回复率")
    settle(page)
    count, visible, hidden = drill_counts(page)
    assert count == numerator and visible == count and hidden == 0
    assert set(listed_numbers(page)) <= set(_lixia_numbers(hotline))

    # a tile: the cases received today in 历下区
    page.go_back()
    tile = page.get_by_test_id("tile-received").locator("button.tile-value")
    today = int(re.findall(r"\d+", tile.inner_text())[0])
    tile.click()
    settle(page)
    assert drill_counts(page) == (today, today, 0)

    # the wall display, city-wide, at the centre screen's size
    wall = browsing.new_page()
    wall.set_viewport_size({"width": 1920, "height": 1080})
    log_in(wall, people, "lead")
    wall.goto("/cockpit/wall")
    expect(wall.get_by_test_id("cockpit-wall")).to_be_visible()
    expect(wall.get_by_text("每分钟自动刷新")).to_be_visible()
    expect(wall.get_by_test_id("city-map")).not_to_have_attribute("data-regions", "{}")
    settle(wall)
    size = wall.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    assert size == [1920, 1080], f"the wall display scrolls: {size}"
    assert not visible_latin(wall)
    screenshot(wall, "cockpit-wall", key=True)


def _lixia_numbers(hotline: Hotline) -> list[str]:
    with hotline.db.transaction() as session:
        return list(session.scalars(select(Case.number).where(Case.district_code == LIXIA)))


def _save_key(element: Locator, name: str) -> None:
    """An element's own screenshot, kept as a README one (the map alone)."""
    target = SCREENSHOTS / f"{name}.png"
    element.screenshot(path=str(target))
    if os.environ.get("HOTLINE_DOCS_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target, DOCS_SCREENSHOTS / target.name)
