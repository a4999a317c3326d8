"""Supervision (督办单) and the callback queue (回访): lists and the steps on them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from hotline.entrypoints.web.answers import json_answer
from hotline.entrypoints.web.auth import ActorDep, HotlineDep, NowDep
from hotline.entrypoints.web.params import MAX_ID, RecordId
from hotline.entrypoints.web.problem_details import problem_responses
from hotline.entrypoints.web.schemas_ledger import (
    CallbackQueueOut,
    SupervisionClosedOut,
    SupervisionCreatedOut,
    SupervisionListOut,
    SupervisionRespondedOut,
)
from hotline.services.actions.callbacks import callback_queue
from hotline.services.ledger import supervision

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


@router.get(
    "/supervisions",
    response_model=SupervisionListOut,
    summary="督办单列表",
    responses=problem_responses(401, 403, 422),
)
def list_supervisions(
    hotline: HotlineDep,
    actor: ActorDep,
    level: Annotated[str | None, Query(description="督办级别")] = None,
    unit: Annotated[str | None, Query(description="承办单位代码")] = None,
    district: Annotated[str | None, Query(description="区县代码")] = None,
    status: Annotated[str | None, Query(description="open | responded | closed")] = "open",
    problem: Annotated[int | None, Query(ge=1, le=MAX_ID, description="问题台账编号")] = None,
) -> Response:
    """Open supervision by level, unit, district and problem; handlers see their own unit's."""
    items = supervision.list_supervisions(
        hotline, actor, level=level, unit=unit, district=district, status=status, problem_id=problem
    )
    return json_answer({"items": items})


@router.post(
    "/supervisions",
    status_code=201,
    response_model=SupervisionCreatedOut,
    summary="发起督办",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def open_supervision(
    body: SupervisionIn, hotline: HotlineDep, actor: ActorDep, now: NowDep
) -> Response:
    """A supervisor's manual supervision of a dispatched case; the answer names whom it reaches
    (``contact``) and warns when a 一把手督办 targets a unit without a named head."""
    opened = supervision.supervise_case(hotline, body.case, body.level, body.reason, actor, now)
    view = supervision.supervision_view(hotline, opened)
    answer = {"id": opened, "contact": view["contact"], "warning": view["warning"]}
    return json_answer(answer, status_code=201)


@router.post(
    "/supervisions/{supervision_id}/response",
    response_model=SupervisionRespondedOut,
    summary="督办回复",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def respond_supervision(
    supervision_id: RecordId, body: ResponseIn, hotline: HotlineDep, actor: ActorDep, now: NowDep
) -> Response:
    supervision.respond(hotline, supervision_id, body.response, actor, now)
    return json_answer({"status": "responded"})


@router.post(
    "/supervisions/{supervision_id}/close",
    response_model=SupervisionClosedOut,
    summary="督办办结",
    responses=problem_responses(401, 403, 404, 409),
)
def close_supervision(
    supervision_id: RecordId, body: CloseIn, hotline: HotlineDep, actor: ActorDep, now: NowDep
) -> Response:
    supervision.close(hotline, supervision_id, body.outcome, actor, now)
    return json_answer({"status": "closed"})


@router.get(
    "/callbacks/queue",
    response_model=CallbackQueueOut,
    summary="回访队列",
    responses=problem_responses(401, 403),
)
def queue(
    hotline: HotlineDep,
    actor: ActorDep,
    now: NowDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    """Cases whose next callback attempt is due, the most urgent deadline first (masked)."""
    return json_answer(callback_queue(hotline, actor, now, limit))
