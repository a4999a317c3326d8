"""Code lists for the workbench: channel, return-reason and region names."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response
from pydantic import Field

from hotline.entrypoints.web.auth import ActorDep, HotlineDep
from hotline.entrypoints.web.problem_details import problem_responses
from hotline.entrypoints.web.schemas import Open
from hotline.services.reference.vocabularies import vocabularies

router = APIRouter(prefix="/api/v1", tags=["分类与派遣 taxonomy & routing"])


class ChannelOut(Open):
    code: str
    name: str = Field(description="渠道名称，如 12345市民服务热线")
    active: bool


class ReturnReasonOut(Open):
    code: str
    name: str = Field(description="退单原因，如 非本单位职责")


class RegionOut(Open):
    code: str
    name: str
    level: str = Field(description="district 区县 | zone 功能区 | street 街道 | community 社区")
    parent: str | None


class VocabulariesOut(Open):
    channels: list[ChannelOut]
    return_reasons: list[ReturnReasonOut]
    regions: list[RegionOut] = Field(description="区县和功能区；给出 region_parent 时为其下级")


@router.get(
    "/reference",
    response_model=VocabulariesOut,
    summary="代码表：来源渠道、退单原因、行政区划",
    responses=problem_responses(401, 403, 422),
)
def reference_lists(
    hotline: HotlineDep,
    actor: ActorDep,
    region_parent: Annotated[
        str | None, Query(max_length=16, description="列出此区划的下级（如街道、社区）")
    ] = None,
) -> Response:
    return JSONResponse(vocabularies(hotline, actor, region_parent))
