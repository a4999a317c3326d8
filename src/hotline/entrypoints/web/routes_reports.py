"""Notices and hotspots for leaders, supervisors, dispatchers and administrators.

``GET /api/v1/reports/daily?date=2026-11-25&format=html``, ``/reports/weekly?week=2026-W48``,
``/reports/monthly?month=2026-10&format=xlsx`` return the rendered file (HTML inline, xlsx as an
attachment); ``GET /api/v1/hotspots?date=2026-11-25`` the ranked hotspot list as JSON. A bad
period key or format is a 422 problem naming it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from hotline.domain.roles import Permission, require
from hotline.entrypoints.web.answers import json_answer
from hotline.entrypoints.web.auth import ActorDep, HotlineDep, NowDep
from hotline.entrypoints.web.problem_details import problem_responses
from hotline.entrypoints.web.schemas_reports import HotspotReportOut
from hotline.reports.hotspots import HotspotParams, hotspot_report
from hotline.reports.notices import span_key
from hotline.services.reporting.production import produce_edition

router = APIRouter(prefix="/api/v1", tags=["通报与报表 reports"])
DEFAULTS = HotspotParams()

FormatQuery = Annotated[Literal["html", "xlsx"], Query(alias="format", description="html 或 xlsx")]
NOTICE_FILE: dict[str, Any] = {
    "content": {
        "text/html": {},
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
    },
    "description": "通报文件",
}
FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: NOTICE_FILE,
    **problem_responses(401, 403, 422),
}


def _file(
    hotline: HotlineDep, actor: ActorDep, now: datetime, kind: str, key: str, fmt: str
) -> Response:
    require(actor.role, Permission.READ_REPORTS)
    edition = produce_edition(hotline, kind, key, fmt, now)
    disposition = "inline" if fmt == "html" else "attachment"
    return Response(
        edition.content,
        media_type=edition.media_type,
        headers={"Content-Disposition": f'{disposition}; filename="{edition.filename}"'},
    )


@router.get("/reports/daily", summary="当日通报", response_class=Response, responses=FILE_RESPONSES)
def get_daily(
    hotline: HotlineDep,
    actor: ActorDep,
    now: NowDep,
    day: Annotated[str, Query(alias="date", description="日期 YYYY-MM-DD（本地，2000–2099 年）")],
    fmt: FormatQuery = "html",
) -> Response:
    """The day's intake by district and channel, handling, overdue, unsatisfied callbacks,
    media reports, problems at 3+ complaints and hotspots."""
    return _file(hotline, actor, now, "daily", day, fmt)


@router.get("/reports/weekly", summary="周汇报", response_class=Response, responses=FILE_RESPONSES)
def get_weekly(
    hotline: HotlineDep,
    actor: ActorDep,
    now: NowDep,
    week: Annotated[str, Query(description="ISO 周 YYYY-Www，如 2026-W48（2000–2099 年）")],
    fmt: FormatQuery = "html",
) -> Response:
    """The week's figures, daily trend and indicators (环比, 同比)."""
    return _file(hotline, actor, now, "weekly", week, fmt)


@router.get(
    "/reports/monthly", summary="月度报告", response_class=Response, responses=FILE_RESPONSES
)
def get_monthly(
    hotline: HotlineDep,
    actor: ActorDep,
    now: NowDep,
    month: Annotated[str, Query(description="月份 YYYY-MM（2000–2099 年）")],
    fmt: FormatQuery = "html",
) -> Response:
    """Indicators by district with 同比 in percentage points, the evaluation ranking with red and
    black lists, the problems with most complaints, with charts."""
    return _file(hotline, actor, now, "monthly", month, fmt)


@router.get(
    "/reports/period", summary="任意时段梳理通报", response_class=Response, responses=FILE_RESPONSES
)
def get_period(
    hotline: HotlineDep,
    actor: ActorDep,
    now: NowDep,
    start: Annotated[str, Query(alias="from", description="开始日期 YYYY-MM-DD（本地，含）")],
    end: Annotated[str, Query(alias="to", description="结束日期 YYYY-MM-DD（本地，含）")],
    fmt: FormatQuery = "html",
) -> Response:
    """梳理通报 of any span of days (e.g. 今年以来: 1 January to today, at most 3 years): the
    figures, daily trend and indicators (环比, 同比) of the weekly summary, for that span."""
    return _file(hotline, actor, now, "period", span_key(start, end), fmt)


@router.get(
    "/hotspots",
    response_model=HotspotReportOut,
    summary="热点预警",
    responses=problem_responses(401, 403, 422),
)
def get_hotspots(
    hotline: HotlineDep,
    actor: ActorDep,
    day: Annotated[date, Query(alias="date", description="日期 YYYY-MM-DD（本地，2000–2099 年）")],
    min_score: Annotated[float, Query(ge=0, description="最低异常得分")] = DEFAULTS.min_score,
    limit: Annotated[int, Query(ge=1, le=500)] = DEFAULTS.limit,
) -> Response:
    """Problems and street × category cells whose complaints jump against their own history,
    best score first, with the evidence (counts, baseline rate, ratio, score, sample cases)."""
    require(actor.role, Permission.READ_REPORTS)
    params = HotspotParams(min_score=min_score, limit=limit)
    return json_answer(hotspot_report(hotline.db, day, params))
