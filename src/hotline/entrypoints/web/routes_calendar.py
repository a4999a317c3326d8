"""The working calendar for the browser: a day's working periods, so that a page can show the
working time left to a deadline (the calendar's holidays and 调休 are not the browser's)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from hotline.entrypoints.web.auth import ActorDep, HotlineDep
from hotline.entrypoints.web.bounded_times import BoundedDate
from hotline.entrypoints.web.problem_details import problem_responses
from hotline.entrypoints.web.schemas_me import WorkingPeriodsOut
from hotline.services.reference.calendar import MAX_PERIOD_DAYS, working_periods

router = APIRouter(prefix="/api/v1/calendar", tags=["工作日历 calendar"])


@router.get(
    "/periods",
    response_model=WorkingPeriodsOut,
    summary="工作时段",
    responses=problem_responses(401, 403, 422),
)
def periods_endpoint(
    hotline: HotlineDep,
    actor: ActorDep,
    first: Annotated[BoundedDate, Query(alias="from", description="开始日期（含，本地日期）")],
    last: Annotated[
        BoundedDate, Query(alias="to", description=f"结束日期（含），最多 {MAX_PERIOD_DAYS} 天")
    ],
) -> Response:
    """The working periods (start, end; local time with offset) of every day from..to."""
    return JSONResponse({"items": working_periods(hotline, actor, first, last)})
