"""Response bodies of the caller's own routes (/api/v1/me) and the working calendar."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from hotline.entrypoints.web.schemas import Open


class CountersOut(Open):
    """Live-inbox figures at ``as_of``. A handler's unit fields are null for an inspector, the
    verification fields null for a handler. ``new_*`` count what arrived after ``since``."""

    as_of: datetime = Field(description="服务器计数时刻")
    since: datetime | None = Field(description="请求给出的起点；为空时「新」即全部")
    unit: str | None = Field(description="承办单位代码（承办人）")
    unit_name: str | None = None
    inbox: int | None = Field(description="本单位待处理（待签收、已签收、待协办意见）的工单数")
    new_cases: int | None = Field(description="since 之后派到本单位的待处理工单数")
    awaiting_accept: int | None = Field(description="待签收（主办）")
    co_pending: int | None = Field(description="待出具协办意见")
    warning: int | None = Field(description="主办工单中已过预警线未超期的")
    overdue: int | None = Field(description="主办工单中已超期的")
    supervisions_open: int | None = Field(description="针对本单位、尚未办结的督办单")
    new_supervisions: int | None = Field(description="since 之后新开的督办单")
    to_verify: int | None = Field(description="辖区内待核查的工单数（核查员）")
    new_to_verify: int | None = Field(description="since 之后进入待核查的")


class WorkingPeriodOut(Open):
    start: datetime
    end: datetime


class WorkingPeriodsOut(Open):
    """The working periods of each local day in the span, holidays and 调休 applied."""

    items: list[WorkingPeriodOut]
