"""The hotline indicators (docs/indicators.md) and the cases behind each count.

``GET /api/v1/indicators?from=2026-10-01&to=2026-10-31&group_by=district`` and
``GET /api/v1/indicators/{indicator}/cases?…&part=numerator&group=370102``. Figures are internal
reports: confidential cases count, for every internal role; the case list shows only cases in
the caller's scope and says how many others there are.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from hotline.domain.indicators import Period
from hotline.domain.roles import Permission, require
from hotline.entrypoints.web.answers import json_answer
from hotline.entrypoints.web.auth import ActorDep, HotlineDep, NowDep
from hotline.entrypoints.web.problem_details import problem_responses
from hotline.entrypoints.web.schemas_reports import DrillDownOut, IndicatorReportOut
from hotline.reports.drilldown import DrillQuery, drill_down
from hotline.reports.indicator_counts import ReportMoment
from hotline.reports.indicators import IndicatorQuery, indicator_report
from hotline.services.accounts.scope import scope_filter
from hotline.services.context import Hotline

router = APIRouter(prefix="/api/v1/indicators", tags=["指标 indicators"])

GroupBy = Literal["district", "unit", "street", "category", "channel", "day"]
FromQuery = Annotated[
    date, Query(alias="from", description="开始日期（本地日期，含，2000–2099 年）")
]
ToQuery = Annotated[date, Query(description="结束日期（本地日期，含，2000–2099 年）")]
GroupQuery = Annotated[GroupBy | None, Query(description="分组维度；省略则只有合计")]


def _moment(hotline: Hotline, now: datetime) -> ReportMoment:
    return ReportMoment(hotline.settings.tz, now)


@router.get(
    "",
    response_model=IndicatorReportOut,
    summary="热线指标（回复率、按期办结率、满意率等）",
    responses=problem_responses(401, 403, 422),
)
def get_indicators(
    hotline: HotlineDep,
    actor: ActorDep,
    now: NowDep,
    from_: FromQuery,
    to: ToQuery,
    group_by: GroupQuery = None,
) -> Response:
    """Each indicator with numerator, denominator, formula, 同比 and 环比 (percentage points);
    a zero denominator gives ``value: null`` with a ``reason``."""
    require(actor.role, Permission.READ_CASE)
    query = IndicatorQuery(Period(from_, to), group_by)
    with hotline.db.snapshot() as session:
        report = indicator_report(session, _moment(hotline, now), query)
    return json_answer(report.as_data())


@router.get(
    "/{indicator}/cases",
    response_model=DrillDownOut,
    summary="指标下钻：计数背后的工单",
    responses=problem_responses(401, 403, 422),
)
def get_indicator_cases(
    hotline: HotlineDep,
    actor: ActorDep,
    now: NowDep,
    indicator: str,
    from_: FromQuery,
    to: ToQuery,
    group_by: GroupQuery = None,
    group: Annotated[str, Query(description="分组键（按日分组时为日期）")] = "",
    part: Annotated[Literal["numerator", "denominator"], Query(description="分子或分母")] = (
        "numerator"
    ),
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    """The facts counted in one indicator's numerator or denominator for one group; ``count``
    equals the figure in the report, ``hidden`` the cases outside the caller's scope."""
    require(actor.role, Permission.READ_CASE)

    report = IndicatorQuery(Period(from_, to), group_by)
    drill = DrillQuery(indicator, part, group, limit, offset)
    with hotline.db.snapshot() as session:
        found = drill_down(session, _moment(hotline, now), report, drill, scope_filter(actor))
    return json_answer(found.as_data())
