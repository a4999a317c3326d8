"""Response bodies of the problem ledger (问题台账), supervision (督办单) and the callback queue.

As in ``schemas``, the models document what the services build (``Open``: fields added later
pass through); the routes answer the services' dicts unchanged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from hotline.entrypoints.web.schemas import Open

SupervisionLevel = Literal["urge", "supervise", "priority", "head"]
SupervisionStatus = Literal["open", "responded", "closed"]
ProblemStatus = Literal["open", "written_off", "merged", "void"]


class ProblemOut(Open):
    """One problem as the ledger lists it."""

    id: int = Field(description="问题编号（台账号）")
    status: ProblemStatus = Field(
        description="open 在账 | written_off 已销账 | merged 已合并 | void 作废"
    )
    status_label: str
    version: int = Field(description="问题的版本，每次变化加一")
    title: str
    category_code: str | None
    district_code: str | None
    street_code: str | None
    lead_unit: str | None = Field(description="主办单位代码")
    lead_unit_name: str | None
    head_name: str | None = Field(description="主办单位一把手姓名")
    head_title: str | None = Field(description="主办单位一把手职务")
    case_count: int = Field(description="投诉次数（归入该问题的工单数）")
    recurrence_count: int = Field(description="销账后又被投诉的次数")
    age_days: int = Field(description="挂账天数（自第一件投诉起）")
    first_case_at: datetime
    last_case_at: datetime
    reopened_at: datetime | None = Field(description="销账后因再投诉重新挂账的时间")
    written_off_at: datetime | None = Field(description="销账时间")
    supervision_level: SupervisionLevel | None = Field(description="当前督办级别")
    merged_into: int | None = Field(description="已合并到的问题编号")


class ProblemListOut(Open):
    total: int
    page: int
    page_size: int
    items: list[ProblemOut]


class LedgerCaseOut(Open):
    """A case on a problem: the list fields of a case, caller data masked."""

    number: str = Field(examples=["20261124-000001"])
    status: str
    status_label: str
    version: int = Field(description="与工单的 ETag 相同")
    channel: str
    title: str | None
    content: str
    address: str | None
    lon: float | None
    lat: float | None
    coord_system: str | None
    category_code: str | None
    urgency: str
    caller_name: str | None = Field(description="已脱敏，如 张**")
    caller_phone: str | None = Field(description="已脱敏，如 138****5678")
    anonymous: bool
    confidential: bool
    district_code: str | None
    lead_unit: str | None
    problem_id: int | None
    accept_due_at: datetime | None
    reply_due_at: datetime | None
    created_at: datetime
    updated_at: datetime


class LinkReasonOut(Open):
    code: str = Field(description="依据代码，如 text、same_area、same_caller、manual、new")
    text: str = Field(description="中文说明")
    factor: float | SkipJsonSchema[None] = Field(
        default=None, description="该依据对相似度的乘数（仅系统比对时有）"
    )


class ProblemLinkOut(Open):
    case: str | None = Field(description="工单编号；工单已不在该问题上时为 null")
    action: Literal["link", "unlink", "suggest"] = Field(
        description="link 归入 | unlink 拆出 | suggest 建议归并"
    )
    score: float | None = Field(description="系统比对的相似度；人工操作为 null")
    reasons: list[LinkReasonOut]
    by: str = Field(description="操作人，或 system")
    at: datetime


class ProblemSupervisionOut(Open):
    id: int
    level: SupervisionLevel
    source: str = Field(description="来源：manual 为人工发起，其余为系统按时限或投诉次数自动发起")
    reason: str
    unit: str | None = Field(description="被督办单位代码")
    head_name: str | None
    head_title: str | None
    status: SupervisionStatus
    due_at: datetime | None
    created_at: datetime


class ProblemDetailOut(ProblemOut):
    cases: list[LedgerCaseOut] = Field(description="该问题的工单（来电人已脱敏），最早的在前")
    links: list[ProblemLinkOut] = Field(description="归并与拆分的审计记录，最早的在前")
    supervisions: list[ProblemSupervisionOut] = Field(description="对该问题的督办")


class ProblemMoveOut(Open):
    """The receipt of a link edit: the case's new version and the problems it moved between."""

    number: str
    version: int = Field(description="工单的新版本（新的 ETag）")
    problem: int = Field(description="工单现在所在的问题")
    previous_problem: int | None = Field(
        default=None, description="工单原来所在的问题；工单本已在该问题上时不返回"
    )
    recurrence: bool | SkipJsonSchema[None] = Field(
        default=None, description="是否使已销账的问题重新挂账；工单本已在该问题上时不返回"
    )


class SupervisionOut(Open):
    id: int
    case: str | None = Field(description="工单编号；针对问题的督办为 null")
    problem_id: int | None = Field(description="问题台账编号")
    level: SupervisionLevel = Field(
        description="urge 催办 | supervise 督办 | priority 重点督办 | head 一把手督办"
    )
    level_label: str
    source: str = Field(description="来源：manual 为人工发起，其余为系统按时限或投诉次数自动发起")
    reason: str
    unit: str | None = Field(description="被督办单位代码")
    head_name: str | None
    head_title: str | None
    contact: str | None = Field(
        default=None, description="落实到人：一把手姓名、分管领导与电话（来自单位资料）"
    )
    warning: str | None = Field(
        default=None, description="一把手督办而单位未登记一把手姓名时的提示；否则为 null"
    )
    district_code: str | None
    status: SupervisionStatus = Field(description="open 待回复 | responded 已回复 | closed 已办结")
    due_at: datetime | None = Field(description="回复期限")
    response: str | None = Field(description="承办单位的督办回复")
    outcome: str | None = Field(description="办结情况")
    created_at: datetime
    created_by: str


class SupervisionListOut(Open):
    items: list[SupervisionOut] = Field(description="最新的在前")


class SupervisionCreatedOut(Open):
    id: int = Field(description="新督办单的编号")
    contact: str | None = Field(description="督办对象：单位、负责人、分管领导与电话")
    warning: str | None = Field(
        description="一把手督办的目标单位未登记一把手姓名时的提示；否则为 null"
    )


class SupervisionRespondedOut(Open):
    status: Literal["responded"]


class SupervisionClosedOut(Open):
    status: Literal["closed"]


class CallbackItemOut(Open):
    number: str
    title: str | None
    content: str = Field(description="诉求内容的前 200 字")
    caller_name: str | None = Field(description="已脱敏")
    caller_phone: str | None = Field(description="已脱敏")
    attempts: int = Field(description="已回访次数")
    callback_due_at: datetime | None = Field(description="回访期限")
    overdue: bool
    result_type: str | None = Field(description="办理结果类型")
    reply_text: str | None = Field(description="承办单位的答复")
    version: int = Field(description="与工单的 ETag 相同；记录回访时放在 If-Match 中")


class CallbackQueueOut(Open):
    due_now: list[CallbackItemOut] = Field(description="现在该回访的工单，回访期限最早的在前")
    pending_total: int = Field(description="范围内待回访的工单总数（含尚未到下次回访时间的）")
