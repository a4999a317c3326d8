"""The personal-data access log: every unmasked read of a caller (administrators only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from hotline.entrypoints.web.auth import ActorDep, HotlineDep
from hotline.entrypoints.web.problem_details import problem_responses
from hotline.entrypoints.web.schemas import AccessLogOut
from hotline.services.cases.views import access_log

router = APIRouter(prefix="/api/v1", tags=["个人信息 privacy"])


@router.get(
    "/access-log",
    response_model=AccessLogOut,
    summary="个人信息访问日志",
    responses=problem_responses(401, 403),
)
def access_log_endpoint(
    hotline: HotlineDep,
    actor: ActorDep,
    case: Annotated[str | None, Query(description="只看这件工单")] = None,
) -> Response:
    """Who read which caller's data, when and why, oldest first."""
    return JSONResponse({"items": access_log(hotline, actor, case)})
