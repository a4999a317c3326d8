"""Supervision (督办单) and the callback queue (回访): lists and the steps on them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from hotline.adapters.web.auth import ActorDep, HotlineDep, NowDep
from hotline.adapters.web.params import MAX_ID, RecordId
from hotline.adapters.web.problems import problem_responses
from hotline.services import supervision
from hotline.services.callbacks import callback_queue

router = APIRouter(prefix="/api/v1", tags=["督办与回访 supervision"])


class SupervisionIn(BaseModel):
    case: str = Field(description="工单编号")
    level: str = Field(
        description="urge 催办 | supervise 督办 | priority 重点督办 | head 一把手督办"
    )
    reason: str = Field(min_length=1, max_length=2000)


class ResponseIn(BaseModel):
    response: str = Field(min_length=1, max_length=4000, description="承办单位的督办回复")


class CloseIn(BaseModel):
    outcome: str = Field(default="", max_length=4000, description="办结情况")


@router.get("/supervisions", summary="督办单列表", responses=problem_responses(401, 403, 422))
def list_supervisions(
    hotline: HotlineDep,
    actor: ActorDep,
    level: Annotated[str | None, Query(description="督办级别")] = None,
    unit: Annotated[str | None, Query(description="承办单位代码")] = None,
    district: Annotated[str | None, Query(description="区县代码")] = None,
    status: Annotated[str | None, Query(description="open | responded | closed")] = "open",
    problem: Annotated[int | None, Query(ge=1, le=MAX_ID, description="问题台账编号")] = None,
) -> dict[str, Any]:
    """Open supervision by level, unit, district and problem; handlers see their own unit's."""
    items = supervision.list_supervisions(
        hotline, actor, level=level, unit=unit, district=district, status=status, problem_id=problem
    )
    return {"items": items}


@router.post(
    "/supervisions",
    status_code=201,
    summary="发起督办",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def open_supervision(
    body: SupervisionIn, hotline: HotlineDep, actor: ActorDep, now: NowDep
) -> dict[str, int]:
    """A supervisor's manual supervision of a dispatched case."""
    return {
        "id": supervision.supervise_case(hotline, body.case, body.level, body.reason, actor, now)
    }


@router.post(
    "/supervisions/{supervision_id}/response",
    summary="督办回复",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def respond_supervision(
    supervision_id: RecordId, body: ResponseIn, hotline: HotlineDep, actor: ActorDep, now: NowDep
) -> dict[str, str]:
    supervision.respond(hotline, supervision_id, body.response, actor, now)
    return {"status": "responded"}


@router.post(
    "/supervisions/{supervision_id}/close",
    summary="督办办结",
    responses=problem_responses(401, 403, 404, 409),
)
def close_supervision(
    supervision_id: RecordId, body: CloseIn, hotline: HotlineDep, actor: ActorDep, now: NowDep
) -> dict[str, str]:
    supervision.close(hotline, supervision_id, body.outcome, actor, now)
    return {"status": "closed"}


@router.get("/callbacks/queue", summary="回访队列", responses=problem_responses(401, 403))
def queue(
    hotline: HotlineDep,
    actor: ActorDep,
    now: NowDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    """Cases whose next callback attempt is due, the most urgent deadline first (masked)."""
    return callback_queue(hotline, actor, now, limit)
