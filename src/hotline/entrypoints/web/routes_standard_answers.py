"""Standard answers (知识库/常用语): search for every staff role, writes for supervisors.

``GET /api/v1/standard-answers?q=&category=&status=``, ``GET|PUT …/{id}``,
``POST /api/v1/standard-answers``, ``POST …/{id}/retire|restore``. An answer's version is its
ETag; a change needs If-Match with the version the editor saw, as for cases.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse
from pydantic import Field

from hotline.domain.roles import Actor
from hotline.entrypoints.web.answers import json_answer
from hotline.entrypoints.web.auth import ActorDep, HotlineDep, NowDep
from hotline.entrypoints.web.etags import ANY_VERSION, VERSION_TAG, etag_of
from hotline.entrypoints.web.params import RecordId
from hotline.entrypoints.web.problem_details import ApiProblem, problem_responses
from hotline.entrypoints.web.schemas import Open, Strict
from hotline.services.context import Hotline
from hotline.services.reference.standard_answers import (
    MAX_BODY,
    MAX_TITLE,
    AnswerQuery,
    AnswerText,
    StandardAnswerChanged,
    StatusFilter,
    create_answer,
    get_answer,
    list_answers,
    set_retired,
    update_answer,
)

router = APIRouter(prefix="/api/v1/standard-answers", tags=["知识库 standard answers"])
PATH = router.prefix


class StandardAnswerIn(Strict):
    """A standard answer as a supervisor writes it."""

    title: str = Field(min_length=1, max_length=MAX_TITLE, description="标题，如「夜间施工噪音」")
    body: str = Field(min_length=1, max_length=MAX_BODY, description="答复内容")
    category_code: str | None = Field(
        default=None, max_length=32, description="适用类别代码（任一级）；省略为通用"
    )


class StandardAnswerOut(Open):
    id: int
    title: str
    body: str
    category_code: str | None
    category_name: str | None = Field(description="适用类别名称；通用答复为空")
    active: bool = Field(description="在用；停用的不再提供给话务员")
    version: int = Field(description="版本号，也是 ETag")
    created_by: str
    created_at: datetime
    updated_by: str
    updated_by_name: str = Field(description="最后修改人的姓名；未登记姓名时为用户名")
    updated_at: datetime
    retired_by: str | None
    retired_at: datetime | None


class StandardAnswerListOut(Open):
    items: list[StandardAnswerOut]
    total: int
    limit: int
    offset: int


IfMatch = Annotated[
    str | None,
    Header(alias="If-Match", description='所见版本的 ETag，如 "2"；必填', examples=['"1"']),
]


def _expected_version(if_match: str | None) -> int | None:
    """The version the editor saw: missing → 428, unreadable → 412, ``*`` → any."""
    if if_match is None or not if_match.strip():
        detail = '修改标准答复须在 If-Match 中给出所见的版本（读取时的 ETag，如 "2"）'
        raise ApiProblem(428, "precondition_required", "缺少 If-Match 请求头", detail)
    if if_match.strip() == ANY_VERSION:
        return None
    match = VERSION_TAG.match(if_match)
    if match is None:
        raise ApiProblem(412, "precondition_failed", "If-Match 与标准答复当前版本不符",
                         f'无法识别的 If-Match「{if_match}」：须为一个强 ETag，如 "2"')  # fmt: skip
    return int(match.group(1) or match.group(2))


def _changed(error: StandardAnswerChanged) -> ApiProblem:
    """412 when the version seen was already stale; 409 when the race was lost in flight."""
    status, code = (409, error.code) if error.__cause__ else (412, "precondition_failed")
    return ApiProblem(status, code, error.title, error.detail)


def _answer_response(view: dict[str, Any], status: int = 200) -> JSONResponse:
    """The answer with its version as the ETag (and, when new, where it lives)."""
    headers = {"ETag": etag_of(view["version"])}
    if status == 201:
        headers["Location"] = f"{PATH}/{view['id']}"
    return json_answer(view, status, headers)


def _text(body: StandardAnswerIn) -> AnswerText:
    return AnswerText(body.title, body.body, body.category_code)


@router.get("", response_model=StandardAnswerListOut, summary="检索标准答复（知识库/常用语）",
            responses=problem_responses(401, 403, 422))  # fmt: skip
def list_endpoint(
    hotline: HotlineDep,
    actor: ActorDep,
    q: Annotated[
        str | None, Query(max_length=100, description="检索词：标题或内容包含（空格分隔，须全含）")
    ] = None,
    category: Annotated[
        str | None,
        Query(max_length=32, description="类别代码：该类别、其上级类别及通用的答复，近者在前"),
    ] = None,
    status: Annotated[
        StatusFilter, Query(description="active 在用 | retired 停用 | all")
    ] = "active",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> JSONResponse:
    return json_answer(list_answers(hotline, AnswerQuery(q, category, status, limit, offset)))


@router.post("", status_code=201, response_model=StandardAnswerOut, summary="新增标准答复",
             responses=problem_responses(401, 403, 422))  # fmt: skip
def create_endpoint(
    body: StandardAnswerIn, hotline: HotlineDep, actor: ActorDep, now: NowDep
) -> JSONResponse:
    """Supervisors and administrators only; the new answer is at version 1."""
    return _answer_response(create_answer(hotline, actor, _text(body), now), 201)


@router.get("/{answer_id}", response_model=StandardAnswerOut, summary="一条标准答复",
            responses=problem_responses(401, 403, 404, 422))  # fmt: skip
def get_endpoint(answer_id: RecordId, hotline: HotlineDep, actor: ActorDep) -> JSONResponse:
    return _answer_response(get_answer(hotline, answer_id))


@router.put("/{answer_id}", response_model=StandardAnswerOut, summary="修改标准答复",
            responses=problem_responses(401, 403, 404, 409, 412, 422, 428))  # fmt: skip
def update_endpoint(
    answer_id: RecordId,
    body: StandardAnswerIn,
    hotline: HotlineDep,
    actor: ActorDep,
    now: NowDep,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Title, text and category replaced; If-Match must name the version the editor saw."""
    expected = _expected_version(if_match)
    try:
        view = update_answer(hotline, actor, answer_id, _text(body), now, expected)
    except StandardAnswerChanged as error:
        raise _changed(error) from error
    return _answer_response(view)


def _retire(hotline: Hotline, actor: Actor, answer_id: int, retired: bool, now: datetime,
            if_match: str | None) -> JSONResponse:  # fmt: skip
    expected = _expected_version(if_match)
    try:
        view = set_retired(hotline, actor, answer_id, retired, now, expected)
    except StandardAnswerChanged as error:
        raise _changed(error) from error
    return _answer_response(view)


@router.post("/{answer_id}/retire", response_model=StandardAnswerOut, summary="停用标准答复",
             responses=problem_responses(401, 403, 404, 409, 412, 422, 428))  # fmt: skip
def retire_endpoint(
    answer_id: RecordId, hotline: HotlineDep, actor: ActorDep, now: NowDep, if_match: IfMatch = None
) -> JSONResponse:
    """Kept for the record, no longer offered to operators."""
    return _retire(hotline, actor, answer_id, True, now, if_match)


@router.post("/{answer_id}/restore", response_model=StandardAnswerOut, summary="恢复停用的标准答复",
             responses=problem_responses(401, 403, 404, 409, 412, 422, 428))  # fmt: skip
def restore_endpoint(
    answer_id: RecordId, hotline: HotlineDep, actor: ActorDep, now: NowDep, if_match: IfMatch = None
) -> JSONResponse:
    return _retire(hotline, actor, answer_id, False, now, if_match)
