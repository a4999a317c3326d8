"""The cockpit's services and routes on the notices' hand-computed day (test_notices.november):
its tiles equal the daily notice's figures, the worker's cache is read while fresh and counted
again when stale, a tile lists exactly the cases it counts in the caller's scope, the trend and
the map come from the rollup and the locator's boundaries.

25 November 2026 (made at 18:00): received 历下 2 (b1, b3) and 市中 2 (b2, b4), b5 void; b1
registered and dispatched; a2 replied and b2 answered directly (b2 also closed); a1 overdue; a3's
callback unsatisfied; b3 a media case; one problem with 3 complaints (历下).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from hotline.adapters.db.models import Case, CockpitFigures
from hotline.domain.errors import InvalidInput
from hotline.domain.roles import Actor, Role
from hotline.entrypoints.web.app import create_app
from hotline.services.cockpit.figures import STALE_AFTER, cockpit_today, refresh_figures
from hotline.services.cockpit.lists import cases_behind_tile
from hotline.services.cockpit.map import city_map
from hotline.services.cockpit.tiles import TileQuery
from hotline.services.cockpit.trend import monthly_trend
from hotline.services.context import Hotline
from hotline.services.reference.routing import locator_for
from tests.conftest import FakeClock
from tests.integration.reporting.test_indicators import Story
from tests.integration.reporting.test_notices import november
from tests.web.conftest import Api

LIXIA, SHIZHONG = "370102", "370103"
THE_DAY = {
    "received": {LIXIA: 2, SHIZHONG: 2},
    "registered": {LIXIA: 1},
    "dispatched": {LIXIA: 1},
    "replied": {LIXIA: 1, SHIZHONG: 1},
    "closed": {SHIZHONG: 1},
    "overdue": {LIXIA: 1},
    "unsatisfied": {LIXIA: 1},
    "media": {LIXIA: 1},
    "problems": {LIXIA: 1},
}
LIXIA_LEADER = Actor("lx-lead", Role.LEADER, district_code=LIXIA)
CITY_LEADER = Actor("lead", Role.LEADER)


@pytest.fixture
def story(hotline: Hotline, actors: dict[str, Actor], clock: FakeClock) -> Story:
    return Story(hotline, actors, clock)


def _case_tiles(day: dict[str, Any]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = day["counts"]
    return {tile: by_district for tile, by_district in counts.items() if tile != "hotspots"}


def test_tiles_equal_the_daily_notice_and_the_cache_is_read_while_fresh(story: Story) -> None:
    november(story)
    hotline, now = story.hotline, story.clock()
    live = cockpit_today(hotline, CITY_LEADER, now)
    assert live["today"]["day"] == "2026-11-25" and live["today"]["source"] == "live"
    assert _case_tiles(live["today"]) == THE_DAY
    assert live["yesterday"]["day"] == "2026-11-24" and live["last_year"]["day"] == "2025-11-25"
    assert _case_tiles(live["yesterday"])["received"] == {LIXIA: 1}  # a2

    refresh_figures(hotline, now)
    story.clock.advance(seconds=30)
    cached = cockpit_today(hotline, CITY_LEADER, story.clock())
    assert cached["today"]["source"] == "cache" and cached["today"]["age_seconds"] == 30
    assert _case_tiles(cached["today"]) == THE_DAY
    assert cached["yesterday"]["source"] == "cache"  # stored after its day ended: final

    story.clock.advance(seconds=STALE_AFTER.total_seconds())
    stale = cockpit_today(hotline, CITY_LEADER, story.clock())
    assert stale["today"]["source"] == "live" and stale["today"]["age_seconds"] == 0
    assert stale["yesterday"]["source"] == "cache"


def test_the_worker_stores_past_days_once_and_today_every_time(story: Story) -> None:
    november(story)
    hotline = story.hotline
    first = refresh_figures(hotline, story.clock())
    assert [d.isoformat() for d in first] == ["2026-11-25", "2026-11-24", "2025-11-25"]
    story.clock.advance(minutes=1)
    assert [d.isoformat() for d in refresh_figures(hotline, story.clock())] == ["2026-11-25"]
    with hotline.db.transaction() as session:
        row = session.get(CockpitFigures, date(2026, 11, 25))
        assert row is not None and row.counts["received"] == THE_DAY["received"]
        assert row.as_of == story.clock()


def test_a_tile_lists_what_it_counts_and_hides_what_the_caller_may_not_see(story: Story) -> None:
    cases = november(story)
    hotline, now, day = story.hotline, story.clock(), date(2026, 11, 25)
    city = cases_behind_tile(hotline, CITY_LEADER, day, TileQuery("received"), now)
    assert (city["count"], city["visible"], city["hidden"]) == (4, 4, 0)
    assert {item["number"] for item in city["items"]} == {
        cases[k] for k in ("b1", "b2", "b3", "b4")
    }

    mine = cases_behind_tile(hotline, LIXIA_LEADER, day, TileQuery("received"), now)
    assert (mine["count"], mine["visible"], mine["hidden"]) == (4, 2, 2)
    assert {item["number"] for item in mine["items"]} == {cases["b1"], cases["b3"]}
    assert {item["district"] for item in mine["items"]} == {"历下区"}

    elsewhere = cases_behind_tile(hotline, LIXIA_LEADER, day, TileQuery("received", SHIZHONG), now)
    assert (elsewhere["count"], elsewhere["visible"], elsewhere["hidden"]) == (2, 0, 2)
    assert elsewhere["items"] == []

    overdue = cases_behind_tile(hotline, CITY_LEADER, day, TileQuery("overdue"), now)
    assert [item["number"] for item in overdue["items"]] == [cases["a1"]]
    problem = cases_behind_tile(hotline, CITY_LEADER, day, TileQuery("problems"), now)
    assert [item["number"] for item in problem["items"]] == [cases["b1"]]  # the day's complaint


def test_a_tile_that_lists_nothing_is_refused_by_name() -> None:
    with pytest.raises(InvalidInput) as refused:
        TileQuery("hotspots")
    assert refused.value.fields == ("tile",)
    with pytest.raises(InvalidInput):
        TileQuery("received", limit=0)


def test_the_trend_has_thirteen_months_from_the_rollup(story: Story) -> None:
    november(story)
    trend = monthly_trend(story.hotline, story.clock(), "2026-11", LIXIA)
    assert trend["months"][0] == "2025-11" and trend["months"][-1] == "2026-11"
    assert len(trend["city"]) == 13
    november_city = trend["city"][-1]
    with story.hotline.db.transaction() as session:
        intake = session.scalar(
            select(func.count()).select_from(Case).where(Case.received_on >= date(2026, 11, 1))
        )
    assert november_city["intake"] == intake  # every case of the story, the void one too
    assert trend["district_series"][-1]["intake"] < november_city["intake"]
    assert all(point["intake"] == 0 for point in trend["city"][:-1])


def test_the_map_draws_the_locators_districts_and_marks_the_zones(hotline: Hotline) -> None:
    document = city_map(hotline)
    features = document["outlines"]["features"]
    names = {f["properties"]["name"] for f in features}
    assert len(features) == 12 and {"历下区", "莱芜区", "钢城区", "济阳区"} <= names
    assert all(f["properties"]["level"] == "district" for f in features)
    assert {f["geometry"]["type"] for f in features} <= {"Polygon", "MultiPolygon"}
    # map and routing agree: where the map labels a district, locate puts a point in it
    locator = locator_for(hotline)
    for label in document["labels"]:
        lon, lat = label["point"]
        found = locator.locate(lon=lon, lat=lat, crs="gcj02").district
        assert found is not None and found.code == label["code"], label
    assert {m["name"] for m in document["markers"]} == {
        "济南高新技术产业开发区",
        "南部山区",
        "济南新旧动能转换起步区",
    }
    assert document["streets"] is False and document["unplaced"] == []
    assert city_map(hotline) is document  # built once per process


# -- the routes ---------------------------------------------------------------------------------


@pytest.fixture
def api(hotline: Hotline) -> Iterator[Api]:
    with TestClient(create_app(hotline)) as client:
        yield Api(client, hotline)  # a TestClient is an httpx.Client


def test_the_routes_answer_leaders_and_refuse_operators(story: Story, api: Api) -> None:
    cases = november(story)
    today = api.request("GET", "/api/v1/cockpit/today", "lx-lead")
    assert today.status_code == 200, today.text
    assert today.json()["own_district"] == LIXIA
    assert api.request("GET", "/api/v1/cockpit/today", "op").status_code == 403

    url = "/api/v1/cockpit/tiles/received/cases?date=2026-11-25"
    listed = api.request("GET", url, "lx-lead").json()
    assert (listed["count"], listed["hidden"]) == (4, 2)
    assert {i["number"] for i in listed["items"]} == {cases["b1"], cases["b3"]}
    bad = api.request("GET", "/api/v1/cockpit/tiles/nonsense/cases?date=2026-11-25", "lead")
    assert bad.status_code == 422 and "nonsense" in bad.json()["detail"]
    assert api.request("GET", url.replace("2026", "1999"), "lead").status_code == 422

    trend = api.request("GET", "/api/v1/cockpit/trend?month=2026-11&district=370102", "lead")
    assert trend.status_code == 200 and len(trend.json()["district_series"]) == 13
    assert api.request("GET", "/api/v1/cockpit/trend?month=2026-13", "lead").status_code == 422
    drawn = api.request("GET", "/api/v1/cockpit/map", "lead")
    assert drawn.status_code == 200 and drawn.json()["crs"] == "gcj02"
    # a district's outline as drawn is still the locator's: its label point locates there
    label = next(lab for lab in drawn.json()["labels"] if lab["code"] == LIXIA)
    assert label["name"] == "历下区"

    assert timedelta(seconds=60) >= STALE_AFTER  # the issue's bound on the figures' age
