"""The leaders' cockpit (领导驾驶舱): today's tiles, the cases behind a tile, the trend, the map.

``GET /api/v1/cockpit/today`` today's figures per district beside yesterday's and the same day
last year, from the worker's cache with its age; ``/cockpit/tiles/{tile}/cases?date=&district=``
the cases behind one figure in the caller's scope (the rest counted as hidden);
``/cockpit/trend?month=&district=`` 13 months of intake and key indicators; ``/cockpit/map`` the
district outlines the locator uses, with the functional zones as markers. The period indicators
with 同比/环比 are ``GET /api/v1/indicators`` (routes_indicators.py), which the cockpit also calls.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from hotline.domain.indicators import supported_day
from hotline.domain.roles import Permission, require
from hotline.entrypoints.web.answers import json_answer
from hotline.entrypoints.web.auth import ActorDep, HotlineDep, NowDep
from hotline.entrypoints.web.problem_details import problem_responses
from hotline.entrypoints.web.schemas_cockpit import (
    CityMapOut,
    CockpitTodayOut,
    TileCasesOut,
    TrendOut,
)
from hotline.services.cockpit.figures import cockpit_today
from hotline.services.cockpit.lists import cases_behind_tile
from hotline.services.cockpit.map import city_map
from hotline.services.cockpit.tiles import TileQuery
from hotline.services.cockpit.trend import monthly_trend

router = APIRouter(prefix="/api/v1/cockpit", tags=["领导驾驶舱 cockpit"])

DistrictQuery = Annotated[
    str, Query(max_length=16, pattern=r"^\d{0,16}$", description="区县代码；省略为全市")
]


@router.get(
    "/today",
    response_model=CockpitTodayOut,
    summary="驾驶舱：今日、昨日、去年同日的各项数字（按区县）与今日热点",
    responses=problem_responses(401, 403),
)
def get_today(hotline: HotlineDep, actor: ActorDep, now: NowDep) -> Response:
    """Received, registered, dispatched, replied, closed, overdue, unsatisfied callbacks, media
    cases, 3+ problems and hotspots, per district, from the worker's cache (``source``, age in
    ``age_seconds``; today's older than ``stale_after_seconds`` is counted on the spot)."""
    require(actor.role, Permission.READ_REPORTS)
    return json_answer(cockpit_today(hotline, actor, now))


@router.get(
    "/tiles/{tile}/cases",
    response_model=TileCasesOut,
    summary="驾驶舱下钻：一个数字背后的工单",
    responses=problem_responses(401, 403, 422),
)
def get_tile_cases(
    hotline: HotlineDep,
    actor: ActorDep,
    now: NowDep,
    tile: str,
    day: Annotated[date, Query(alias="date", description="日期 YYYY-MM-DD（本地，2000–2099 年）")],
    district: DistrictQuery = "",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    """The cases counted in one tile of one day (one district, or the city): ``count`` equals
    the figure, ``hidden`` the cases outside the caller's scope, ``items`` a page of the rest."""
    require(actor.role, Permission.READ_REPORTS)
    query = TileQuery(tile, district, limit, offset)
    return json_answer(cases_behind_tile(hotline, actor, supported_day(day, "date"), query, now))


@router.get(
    "/trend",
    response_model=TrendOut,
    summary="驾驶舱：近 13 个月受理量与主要指标",
    responses=problem_responses(401, 403, 422),
)
def get_trend(
    hotline: HotlineDep,
    actor: ActorDep,
    now: NowDep,
    month: Annotated[
        str, Query(pattern=r"^\d{4}-\d{2}$", description="最后一个月 YYYY-MM（2000–2099 年）")
    ],
    district: DistrictQuery = "",
) -> Response:
    """Per month of the 13 ending with ``month``: intake, reply, on-time, overdue and result
    satisfaction rates (percent), for the city and, with ``district``, that district."""
    require(actor.role, Permission.READ_REPORTS)
    return json_answer(monthly_trend(hotline, now, month, district or None))


@router.get(
    "/map",
    response_model=CityMapOut,
    summary="驾驶舱地图：区县轮廓（与定位同源）与功能区标注",
    responses=problem_responses(401, 403),
)
def get_map(hotline: HotlineDep, actor: ActorDep) -> Response:
    """The outlines ``locate`` tests points against (an imported file first, then the npm
    package's), simplified for drawing; streets only where an imported file has them; the
    functional zones without an outline as labelled markers."""
    require(actor.role, Permission.READ_REPORTS)
    return json_answer(city_map(hotline))
