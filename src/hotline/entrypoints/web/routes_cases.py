"""Cases: create (with Idempotency-Key), read, list, act on, and reveal the caller."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Query, Request
from fastapi.responses import JSONResponse, Response

from hotline.domain.errors import ConcurrentChange, InvalidInput, NotFound
from hotline.domain.roles import Actor
from hotline.entrypoints.web.action_schemas import ActionRequest
from hotline.entrypoints.web.auth import ActorDep, HotlineDep, NowDep
from hotline.entrypoints.web.etags import (
    case_response,
    concurrency_problem,
    etag_of,
    expected_version,
)
from hotline.entrypoints.web.idempotent import create_once
from hotline.entrypoints.web.params import MAX_ID, CaseNumber, Page
from hotline.entrypoints.web.problem_details import problem_responses
from hotline.entrypoints.web.schemas import CaseIn, CaseListOut, CaseOut, RevealIn, RevealOut
from hotline.services.actions.perform import perform_action
from hotline.services.cases.intake import NewCase, create_case
from hotline.services.cases.lists import CaseListQuery, list_cases
from hotline.services.cases.views import get_case, reveal_caller
from hotline.services.context import Hotline

router = APIRouter(prefix="/api/v1/cases", tags=["工单 cases"])
NO_STORE = {"Cache-Control": "no-store"}


def _case_after_change(
    hotline: Hotline,
    number: str,
    actor: Actor,
    now: datetime,
    status: int,
    version: int | None = None,
) -> JSONResponse:
    """The changed case; or, when the change took it out of the actor's scope (a district desk
    dispatching to another district's unit), a receipt with its number and version only: the
    change is done and must not read as a failure."""
    try:
        return case_response(get_case(hotline, number, actor, now), status)
    except NotFound:
        headers = {"ETag": etag_of(version)} if version is not None else {}
        return JSONResponse({"number": number, "version": version}, status, headers=headers)


def _created(hotline: Hotline, number: str, actor: Actor, now: datetime) -> JSONResponse:
    response = _case_after_change(hotline, number, actor, now, 201)
    response.headers["Location"] = f"{router.prefix}/{number}"
    return response


@router.post(
    "",
    status_code=201,
    response_model=CaseOut,
    summary="登记工单",
    responses=problem_responses(401, 403, 409, 422),
)
def create_case_endpoint(
    body: CaseIn,
    hotline: HotlineDep,
    actor: ActorDep,
    now: NowDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=255,
            description="重试同一请求时带同一个键，保证只登记一次（按用户，保留 24 小时）",
        ),
    ] = None,
) -> Response:
    """Take a complaint; 201 with the case (caller data masked), ETag and Location."""
    new_case = NewCase(**body.model_dump())
    if idempotency_key is None:
        return _created(hotline, create_case(hotline, new_case, actor, now), actor, now)
    return create_once(
        hotline,
        actor,
        idempotency_key,
        body.model_dump(mode="json"),
        now,
        lambda key: create_case(hotline, new_case, actor, now, key),
        lambda number: _created(hotline, number, actor, now),
    )


@router.get(
    "/{number}",
    response_model=CaseOut,
    summary="查看工单",
    responses=problem_responses(401, 403, 404),
)
def get_case_endpoint(
    number: CaseNumber, hotline: HotlineDep, actor: ActorDep, now: NowDep
) -> Response:
    """The case with its history (oldest first); the ETag is its version."""
    return case_response(get_case(hotline, number, actor, now))


@router.head("/{number}", include_in_schema=False)
def head_case_endpoint(
    number: CaseNumber, hotline: HotlineDep, actor: ActorDep, now: NowDep
) -> Response:
    """As GET without the body: the status and headers (ETag, length) alone, so a client can
    check whether a case changed without reading it. Not in OpenAPI: the GET documents it."""
    full = get_case_endpoint(number, hotline, actor, now)
    return Response(status_code=full.status_code, headers=dict(full.headers))


# Repeatable filters (alternatives) and the single-valued ones; anything else in the query
# string is refused by name: a parameter this version does not know (a typo, or one a newer
# workbench sends) must not come back as an unfiltered list.
LIST_REPEATABLE = frozenset({"status", "sla", "pending"})
LIST_SINGLE = frozenset(
    {
        "mine",
        "reopened",
        "problem",
        "unit",
        "district",
        "category",
        "channel",
        "created_from",
        "created_to",
        "q",
        "sort",
        "page",
        "page_size",
    }
)


def _refuse_unknown_parameters(request: Request) -> None:
    names = request.query_params.keys()
    for name in names:
        if name not in LIST_REPEATABLE and name not in LIST_SINGLE:
            known = "、".join(sorted(LIST_REPEATABLE | LIST_SINGLE))
            raise InvalidInput(f"未知的查询参数「{name}」，可用：{known}", fields=(name,))
        if name in LIST_SINGLE and len(request.query_params.getlist(name)) > 1:
            raise InvalidInput(f"查询参数「{name}」只能给一个值", fields=(name,))


@router.get(
    "", response_model=CaseListOut, summary="工单列表", responses=problem_responses(401, 403, 422)
)
def list_cases_endpoint(
    request: Request,
    hotline: HotlineDep,
    actor: ActorDep,
    now: NowDep,
    status: Annotated[list[str] | None, Query(description="状态，可重复（任一）")] = None,
    sla: Annotated[
        list[str] | None,
        Query(description="时限状态 on_track | warning | overdue，可重复（任一）；仅在办工单"),
    ] = None,
    mine: Annotated[
        str | None,
        Query(
            description="created：本人登记的；unit：本单位承办或协办的；co：本单位协办、尚未给出协办意见的"
        ),
    ] = None,
    pending: Annotated[
        list[str] | None,
        Query(description="有待审批的申请：extension 延期、return 退单，可重复（任一）"),
    ] = None,
    reopened: Annotated[
        bool | None,
        Query(
            description="true：重办过的（回访不满意、重办、核查不通过）；false：从未重办；"
            "与 status=registered 同用即退回中心重新分拣的工单"
        ),
    ] = None,
    problem: Annotated[int | None, Query(ge=1, le=MAX_ID, description="问题台账编号")] = None,
    unit: Annotated[str | None, Query(description="主办单位代码")] = None,
    district: Annotated[str | None, Query(description="区县代码")] = None,
    category: Annotated[str | None, Query(description="类别代码")] = None,
    channel: Annotated[str | None, Query(description="来源渠道代码")] = None,
    created_from: Annotated[
        datetime | None, Query(description="登记时间起（含），2000–2099 年")
    ] = None,
    created_to: Annotated[
        datetime | None, Query(description="登记时间止（不含），2000–2099 年")
    ] = None,
    q: Annotated[
        str | None,
        Query(
            description="搜索工单编号、标题、内容、地址；空格分隔的词须全部出现；中文词至少两个字",
        ),
    ] = None,
    sort: Annotated[
        str,
        Query(
            description="排序：reply_due | accept_due | created | updated，前加 - 为倒序",
            examples=["-created", "reply_due"],
        ),
    ] = "-created",
    page: Page = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Response:
    """Cases in the caller's scope, filtered and sorted; times without an offset are local
    time. ``total`` is exact up to 10,000, an estimate beyond (``total_is_estimate``)."""
    _refuse_unknown_parameters(request)
    tz = hotline.settings.tz
    query = CaseListQuery(
        status=tuple(status or ()),
        sla=tuple(sla or ()),
        mine=mine,
        pending=tuple(pending or ()),
        reopened=reopened,
        problem=problem,
        unit=unit,
        district=district,
        category=category,
        channel=channel,
        created_from=_aware(created_from, tz),
        created_to=_aware(created_to, tz),
        q=q,
        sort=sort,
        page=page,
        page_size=page_size,
    )
    return JSONResponse(list_cases(hotline, actor, query, now))


def _aware(value: datetime | None, tz: Any) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=tz)


@router.post(
    "/{number}/actions",
    response_model=CaseOut,
    summary="对工单执行操作",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
def act_endpoint(
    number: CaseNumber,
    body: Annotated[
        ActionRequest,
        Body(
            examples=[
                {"action": "register", "category_code": "E0301"},
                {"action": "dispatch", "unit": "LX-CGJ", "reason": "按派遣规则"},
            ]
        ),
    ],
    hotline: HotlineDep,
    actor: ActorDep,
    now: NowDep,
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match", description='所见版本的 ETag，如 "3"；必填', examples=['"1"', "*"]
        ),
    ] = None,
) -> Response:
    """Apply one action of the closed loop (docs/lifecycle.md); the response is the changed case."""
    try:
        version = perform_action(
            hotline,
            number,
            body.to_command(),
            actor,
            now,
            expected_version=expected_version(if_match),
        )
    except ConcurrentChange as error:
        raise concurrency_problem(error) from error
    return _case_after_change(hotline, number, actor, now, 200, version)


@router.post(
    "/{number}/reveal",
    response_model=RevealOut,
    summary="查看来电人信息（记录访问日志）",
    responses=problem_responses(401, 403, 404, 422),
)
def reveal_endpoint(
    number: CaseNumber, body: RevealIn, hotline: HotlineDep, actor: ActorDep, now: NowDep
) -> Response:
    """The unmasked caller name and phone; who, when, which case and why go to the access log."""
    revealed = reveal_caller(hotline, number, actor, body.purpose, now)
    return JSONResponse(revealed, headers=NO_STORE)
