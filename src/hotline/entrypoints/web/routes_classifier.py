"""The classifier's production accuracy: ``GET /api/v1/classifier/report?from=&to=``.

For supervisors, leaders and administrators (``view_classifier_report``). Aggregate figures only,
city-wide, as the indicator report: no case content or number appears.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from hotline.domain.indicators import Period
from hotline.domain.roles import Permission, require
from hotline.entrypoints.web.answers import json_answer
from hotline.entrypoints.web.auth import ActorDep, HotlineDep
from hotline.entrypoints.web.problem_details import problem_responses
from hotline.entrypoints.web.schemas_reports import ClassifierReportOut
from hotline.reports.classifier_accuracy import classifier_report

router = APIRouter(prefix="/api/v1/classifier", tags=["分类模型 classifier"])

FromQuery = Annotated[
    date, Query(alias="from", description="受理日期起（本地日期，含，2000–2099 年）")
]
ToQuery = Annotated[date, Query(description="受理日期止（本地日期，含，2000–2099 年）")]


@router.get(
    "/report",
    response_model=ClassifierReportOut,
    summary="分类模型生产准确率（覆盖率、采纳/改判率、对最终类别的准确率）",
    responses=problem_responses(401, 403, 422),
)
def get_classifier_report(
    hotline: HotlineDep, actor: ActorDep, from_: FromQuery, to: ToQuery
) -> Response:
    """Coverage, top-1/top-3 agreement with the registered category, override and re-sorting
    rates, accuracy against the final category: in total, per model version and per category,
    each as ``{numerator, denominator, value}`` (``value: null`` when the denominator is 0)."""
    require(actor.role, Permission.VIEW_CLASSIFIER_REPORT)
    return json_answer(classifier_report(hotline.db, Period(from_, to)))
