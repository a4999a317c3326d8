"""The caller's own live inbox: counters a handler's or inspector's page polls."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from hotline.entrypoints.web.auth import HotlineDep, NowDep, PollingActorDep
from hotline.entrypoints.web.bounded_times import BoundedDateTime
from hotline.entrypoints.web.problem_details import problem_responses
from hotline.entrypoints.web.schemas_me import CountersOut
from hotline.services.cases.counters import my_counters

router = APIRouter(prefix="/api/v1/me", tags=["待办 inbox"])


@router.get(
    "/counters",
    response_model=CountersOut,
    summary="我的待办计数（轮询）",
    responses=problem_responses(401, 403, 422),
)
def counters_endpoint(
    hotline: HotlineDep,
    actor: PollingActorDep,
    now: NowDep,
    since: Annotated[
        BoundedDateTime | None,
        Query(description="只把此时刻之后到达的算作「新」（通常为用户上次查看待办的时间）"),
    ] = None,
) -> Response:
    """A handler's unit inbox (new, awaiting acceptance, co-unit opinions owed, warning, overdue,
    open supervisions) or an inspector's verification queue; cheap enough to poll every 30 s.
    A poll is not activity: it does not keep a browser session from its idle timeout."""
    aware = since if since is None or since.tzinfo else since.replace(tzinfo=hotline.settings.tz)
    return JSONResponse(my_counters(hotline, actor, aware, now))
