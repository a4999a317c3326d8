"""Reference data for the workbench and partners: the taxonomy, the units, dispatch advice."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from hotline.entrypoints.web.answers import json_answer
from hotline.entrypoints.web.auth import ActorDep, HotlineDep
from hotline.entrypoints.web.problem_details import problem_responses
from hotline.entrypoints.web.schemas_reference import CategoryListOut, RouteOut, UnitListOut
from hotline.services.reference.organisation import list_units
from hotline.services.reference.routing import suggest_route
from hotline.services.reference.taxonomy import list_categories

router = APIRouter(prefix="/api/v1", tags=["分类与派遣 taxonomy & routing"])


@router.get(
    "/categories",
    response_model=CategoryListOut,
    summary="类别（部件/事件 → 大类 → 小类）",
    responses=problem_responses(401),
)
def categories(
    hotline: HotlineDep,
    _actor: ActorDep,
    level: Annotated[str | None, Query(description="type | major | minor")] = None,
    kind: Annotated[str | None, Query(description="facility 部件 | event 事件")] = None,
    parent: Annotated[str | None, Query(description="上级类别代码")] = None,
    include_inactive: bool = False,
) -> Response:
    items = list_categories(
        hotline, level=level, kind=kind, parent=parent, include_inactive=include_inactive
    )
    return json_answer({"items": items})


@router.get(
    "/units", response_model=UnitListOut, summary="承办单位", responses=problem_responses(401)
)
def units(
    hotline: HotlineDep,
    _actor: ActorDep,
    kind: Annotated[str | None, Query(description="单位类型")] = None,
    region: Annotated[str | None, Query(description="区县/功能区代码")] = None,
    parent: Annotated[str | None, Query(description="上级单位代码")] = None,
    q: Annotated[str | None, Query(description="名称或代码片段")] = None,
    include_inactive: bool = False,
) -> Response:
    items = list_units(
        hotline, kind=kind, region=region, parent=parent, query=q, include_inactive=include_inactive
    )
    return json_answer({"items": items})


class RouteDraft(BaseModel):
    category_code: str | None = Field(default=None, max_length=32)
    district: str | None = Field(default=None, max_length=32, description="区县代码或名称")
    street_code: str | None = Field(default=None, max_length=16)
    community_code: str | None = Field(default=None, max_length=16)
    address: str | None = Field(default=None, max_length=300)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    crs: Literal["wgs84", "gcj02"] | None = Field(default=None, description="坐标系，默认 wgs84")
    channel: str | None = Field(default=None, max_length=32)
    urgency: str | None = Field(default=None, max_length=16)


@router.post(
    "/route",
    response_model=RouteOut,
    summary="派遣建议（不创建任何记录）",
    responses=problem_responses(401, 422),
)
def route(body: RouteDraft, hotline: HotlineDep, _actor: ActorDep) -> Response:
    """Which unit the routing rules pick for a draft, the rule that fired and why."""
    return json_answer(suggest_route(hotline, **body.model_dump()))
