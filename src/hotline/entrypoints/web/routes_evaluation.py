"""The evaluation (考评), its exclusions and appeals (剔除/申诉), and the report editions.

``GET /api/v1/evaluation?month=2026-10&entity=district[&scheme=…][&compare=…]``;
``GET|POST /api/v1/evaluation/adjustments``, ``POST …/adjustments/{id}/approve|reject``;
``GET /api/v1/reports/editions`` and ``GET /api/v1/reports/editions/{id}/content``.
Schemes are named, never given as server paths: the API reads only the shipped schemes.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from hotline.domain.errors import InvalidInput
from hotline.domain.roles import Actor, Permission, require
from hotline.entrypoints.web.answers import json_answer
from hotline.entrypoints.web.auth import ActorDep, HotlineDep, NowDep
from hotline.entrypoints.web.params import RecordId
from hotline.entrypoints.web.problem_details import problem_responses
from hotline.entrypoints.web.routes_reports import NOTICE_FILE
from hotline.entrypoints.web.schemas_reports import (
    AdjustmentListOut,
    AdjustmentOut,
    EditionListOut,
    EvaluationOut,
)
from hotline.services.evaluation.adjustments import (
    AdjustmentRequest,
    decide_adjustment,
    list_adjustments,
    request_adjustment,
)
from hotline.services.evaluation.monthly import evaluation_report
from hotline.services.reporting.editions import edition_content, list_editions

router = APIRouter(prefix="/api/v1", tags=["考评与报表 evaluation"])

SCHEME_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
EntityQuery = Annotated[
    Literal["district", "unit", "street"],
    Query(description="district 区县及功能区 | unit 直属单位 | street 街道办事处"),
]


def _scheme_name(value: str | None, field: str) -> str | None:
    if value is None:
        return None
    if not SCHEME_NAME.match(value) or value.endswith((".yaml", ".yml")):
        raise InvalidInput(f"{field} 须为内置考评方案的名称，如 jinan-2026", fields=(field,))
    return value


@router.get("/evaluation", response_model=EvaluationOut,
            summary="月度考评：得分、名次、基准线、红黑榜、资金",
            responses=problem_responses(401, 403, 422))  # fmt: skip
def get_evaluation(
    hotline: HotlineDep,
    actor: ActorDep,
    now: NowDep,
    month: Annotated[
        str, Query(description="月份 YYYY-MM（2000–2099 年）", pattern=r"^\d{4}-\d{2}$")
    ],
    entity: EntityQuery = "district",
    scheme: Annotated[str | None, Query(description="考评方案名称；省略用城市配置")] = None,
    compare: Annotated[str | None, Query(description="对比方案名称（假设分析）")] = None,
) -> Response:
    """Every entity of the kind with score, rank, baseline pass/fail, lists, amount and the
    line-by-line explanation; with ``compare``, the same month under that scheme and the
    differences."""
    require(actor.role, Permission.READ_CASE)
    report = evaluation_report(hotline, month, now, _scheme_name(scheme, "scheme"), entity,
                               _scheme_name(compare, "compare"))  # fmt: skip
    return json_answer(report.as_data())


class AdjustmentIn(BaseModel):
    month: str = Field(pattern=r"^\d{4}-\d{2}$", description="月份 YYYY-MM")
    kind: Literal["exclude", "points"] = Field(description="exclude 剔除工单 | points 加减分")
    reason: str = Field(min_length=1, max_length=2000, description="申诉或剔除的理由")
    case: str | None = Field(default=None, description="剔除：工单编号")
    target: str | None = Field(default=None, description="剔除：指标或扣分项代码")
    entity_kind: Literal["district", "unit", "street"] | None = None
    entity_code: str | None = Field(default=None, description="加减分：对象代码")
    points: float | None = Field(default=None, description="加减分：分值（负数为减）")


class DecisionIn(BaseModel):
    note: str = Field(min_length=1, max_length=2000, description="审批意见")
    version: int | None = Field(default=None, description="所见版本；已被他人改动则 409")


@router.get("/evaluation/adjustments", response_model=AdjustmentListOut,
            summary="考评剔除与申诉列表（含审计记录）",
            responses=problem_responses(401, 403, 422))  # fmt: skip
def get_adjustments(
    hotline: HotlineDep,
    actor: ActorDep,
    month: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")] = None,
    status: Annotated[Literal["pending", "approved", "rejected"] | None, Query()] = None,
) -> Response:
    return json_answer({"items": list_adjustments(hotline, actor, month, status)})


@router.post("/evaluation/adjustments", status_code=201, response_model=AdjustmentOut,
             summary="申请剔除或加减分",
             responses=problem_responses(401, 403, 404, 422))  # fmt: skip
def post_adjustment(
    body: AdjustmentIn, hotline: HotlineDep, actor: ActorDep, now: NowDep
) -> Response:
    """Recorded as pending; it counts in the evaluation only once approved."""
    request = AdjustmentRequest(**body.model_dump())
    return json_answer(request_adjustment(hotline, actor, request, now), status_code=201)


def _decide(hotline: Any, actor: Actor, adjustment_id: int, approve: bool, body: DecisionIn,
            now: Any) -> Response:  # fmt: skip
    decided = decide_adjustment(
        hotline, actor, adjustment_id, approve, body.note, now, body.version
    )
    return json_answer(decided)


@router.post("/evaluation/adjustments/{adjustment_id}/approve", response_model=AdjustmentOut,
             summary="批准剔除或加减分",
             responses=problem_responses(401, 403, 404, 409, 422))  # fmt: skip
def approve_adjustment(
    adjustment_id: RecordId, body: DecisionIn, hotline: HotlineDep, actor: ActorDep, now: NowDep
) -> Response:
    return _decide(hotline, actor, adjustment_id, True, body, now)


@router.post("/evaluation/adjustments/{adjustment_id}/reject", response_model=AdjustmentOut,
             summary="驳回剔除或加减分",
             responses=problem_responses(401, 403, 404, 409, 422))  # fmt: skip
def reject_adjustment(
    adjustment_id: RecordId, body: DecisionIn, hotline: HotlineDep, actor: ActorDep, now: NowDep
) -> Response:
    return _decide(hotline, actor, adjustment_id, False, body, now)


@router.get("/reports/editions", response_model=EditionListOut,
            summary="通报与报表的版本及投递状态",
            responses=problem_responses(401, 403, 422))  # fmt: skip
def get_editions(
    hotline: HotlineDep,
    actor: ActorDep,
    kind: Annotated[Literal["daily", "weekly", "monthly"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    district: Annotated[
        str | None, Query(pattern=r"^\d{6}$", description="只列该区县的区县版")
    ] = None,
) -> Response:
    """Newest first — the city editions and each district's cut (区县版, ``district``) —;
    each delivery with status (pending, retrying, sent, failed, skipped), attempts, last error
    and the next retry."""
    require(actor.role, Permission.READ_REPORTS)
    return json_answer({"items": list_editions(hotline, kind, limit, district)})


@router.get("/reports/editions/{edition_id}/content", summary="下载一份已生成的通报或报表",
            response_class=Response,
            responses={200: NOTICE_FILE, **problem_responses(401, 403, 404, 422)})  # fmt: skip
def get_edition_content(edition_id: RecordId, hotline: HotlineDep, actor: ActorDep) -> Response:
    require(actor.role, Permission.READ_REPORTS)
    name, media_type, content = edition_content(hotline, edition_id)
    disposition = f'attachment; filename="{name}"'
    return Response(content, media_type=media_type, headers={"Content-Disposition": disposition})
