"""The problem ledger (问题台账, 挂号销账): lists, one problem, and operators' link edits."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from hotline.domain.ledger import SORTS
from hotline.entrypoints.web.answers import json_answer
from hotline.entrypoints.web.auth import ActorDep, HotlineDep, NowDep
from hotline.entrypoints.web.etags import expected_version
from hotline.entrypoints.web.params import MAX_ID, CaseNumber, Page, RecordId
from hotline.entrypoints.web.problem_details import problem_responses
from hotline.entrypoints.web.schemas_ledger import ProblemDetailOut, ProblemListOut, ProblemMoveOut
from hotline.services.ledger.edits import link_case, unlink_case
from hotline.services.ledger.views import ProblemFilter, get_problem, list_problems

router = APIRouter(prefix="/api/v1/problems", tags=["问题台账 problems"])
MAX_AGE_DAYS = 36_500  # a century: older than any ledger, inside what a datetime can go back
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match", description='工单所见版本的 ETag，如 "3"；必填', examples=['"1"', "*"]
    ),
]


class LinkIn(BaseModel):
    case: str = Field(max_length=32, description="工单编号")
    reason: str | None = Field(default=None, max_length=500, description="归并原因")


@router.get(
    "",
    response_model=ProblemListOut,
    summary="问题台账列表",
    responses=problem_responses(401, 403, 422),
)
def list_endpoint(
    hotline: HotlineDep,
    actor: ActorDep,
    now: NowDep,
    status: Annotated[
        str, Query(description="open 在账 | written_off 已销账 | merged | void | all")
    ] = "open",
    district: Annotated[str | None, Query(description="区县代码")] = None,
    unit: Annotated[str | None, Query(description="主办单位代码")] = None,
    category: Annotated[str | None, Query(description="类别代码")] = None,
    min_complaints: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="投诉次数至少")
    ] = None,
    min_age_days: Annotated[
        int | None, Query(ge=0, le=MAX_AGE_DAYS, description="挂账天数至少")
    ] = None,
    sort: Annotated[str, Query(description=" | ".join(SORTS))] = "age",
    page: Page = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Response:
    """Problems in the caller's scope: age sorts oldest first, count and recurrences most first."""
    found = ProblemFilter(
        status=status,
        district=district,
        unit=unit,
        category=category,
        min_complaints=min_complaints,
        min_age_days=min_age_days,
        sort=sort,
        page=page,
        page_size=page_size,
    )
    return json_answer(list_problems(hotline, actor, found, now))


@router.get(
    "/{problem_id}",
    response_model=ProblemDetailOut,
    summary="查看问题",
    responses=problem_responses(401, 403, 404),
)
def get_endpoint(
    problem_id: RecordId, hotline: HotlineDep, actor: ActorDep, now: NowDep
) -> Response:
    """The problem with its cases (masked), link audit and supervision."""
    return json_answer(get_problem(hotline, problem_id, actor, now))


@router.post(
    "/{problem_id}/cases",
    response_model=ProblemMoveOut,
    summary="把工单归入该问题",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
def link_endpoint(
    problem_id: RecordId,
    body: LinkIn,
    hotline: HotlineDep,
    actor: ActorDep,
    now: NowDep,
    if_match: IfMatch = None,
) -> Response:
    """Move a case onto this problem (its old problem loses it); 409 when the case changed."""
    moved = link_case(
        hotline,
        body.case,
        problem_id,
        actor,
        now,
        expected_version=expected_version(if_match),
        reason=body.reason,
    )
    return json_answer(moved)


@router.delete(
    "/{problem_id}/cases/{number}",
    response_model=ProblemMoveOut,
    summary="把工单从该问题拆出（单独挂号）",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
def unlink_endpoint(
    problem_id: RecordId,
    number: CaseNumber,
    hotline: HotlineDep,
    actor: ActorDep,
    now: NowDep,
    if_match: IfMatch = None,
    reason: Annotated[str | None, Query(max_length=500, description="拆分原因")] = None,
) -> Response:
    """Take a case off this problem: it becomes a new problem of its own."""
    moved = unlink_case(
        hotline,
        number,
        actor,
        now,
        expected_version=expected_version(if_match),
        reason=reason,
        from_problem=problem_id,
    )
    return json_answer(moved)
