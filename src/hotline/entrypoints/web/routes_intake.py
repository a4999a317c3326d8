"""Suggestions for the operator's form, from the same enrichment steps the worker runs."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from hotline.entrypoints.web.auth import ActorDep, HotlineDep, NowDep
from hotline.entrypoints.web.problem_details import problem_responses
from hotline.entrypoints.web.schemas import DraftIn, SuggestionsOut
from hotline.services.cases.enrichment import IntakeDraft
from hotline.services.cases.suggestions import suggest_for_draft

router = APIRouter(prefix="/api/v1/intake", tags=["登记辅助 intake"])


@router.post(
    "/suggestions",
    response_model=SuggestionsOut,
    summary="登记建议（不创建工单）",
    responses=problem_responses(401, 403, 422),
)
def suggestions_endpoint(
    body: DraftIn, hotline: HotlineDep, actor: ActorDep, now: NowDep
) -> Response:
    """District, category and more suggested for a draft; nothing is stored."""
    draft = IntakeDraft(**body.model_dump())
    found = suggest_for_draft(hotline, draft, actor, now)
    return JSONResponse({"suggestions": [asdict(item) for item in found]})
