"""Request and response bodies of the JSON API (flat, snake_case), as OpenAPI shows them.

Responses are built by the services as plain dicts; the response models here document their
shape (and allow fields added later) rather than filter them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from hotline.entrypoints.web.bounded_times import BoundedDateTime
from hotline.services.cases.intake import MAX_CONTENT


class Strict(BaseModel):
    """A request body: unknown fields are refused, naming them, instead of silently dropped."""

    model_config = ConfigDict(extra="forbid")


class CaseIn(Strict):
    """A new complaint (登记). Caller data is stored as given and masked on every read."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "channel": "12345",
                    "content": "历下区泉城路夜间施工噪音扰民，凌晨两点还在施工",
                    "address": "历下区泉城路 188 号",
                    "caller_name": "张三丰",
                    "caller_phone": "13812345678",
                }
            ]
        },
    )

    channel: str = Field(max_length=32, description="来源渠道代码，如 12345、16039、media")
    content: str = Field(min_length=1, max_length=MAX_CONTENT, description="诉求内容")
    title: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=300)
    lon: float | None = Field(default=None, ge=-180, le=180, description="经度")
    lat: float | None = Field(default=None, ge=-90, le=90, description="纬度")
    coord_system: Literal["wgs84", "gcj02"] | None = None
    category_code: str | None = Field(default=None, max_length=32, description="小类代码")
    urgency: Literal["normal", "urgent", "emergency"] = "normal"
    caller_name: str | None = Field(default=None, max_length=100)
    caller_phone: str | None = Field(default=None, max_length=40)
    anonymous: bool = False
    confidential: bool = Field(default=False, description="保密：不进入任何公开接口")
    district_code: str | None = Field(default=None, max_length=16)
    media_outlet: str | None = Field(default=None, max_length=200, description="媒体渠道：媒体名称")
    media_link: str | None = Field(default=None, max_length=500)
    media_published_at: BoundedDateTime | None = Field(
        default=None, description="媒体发布时间（2000–2099 年）；无时区的时间按本地时间"
    )


class Open(BaseModel):
    """A response body: documented fields, and any the services add later pass through."""

    model_config = ConfigDict(extra="allow")


class HistoryEventOut(Open):
    seq: int
    action: str = Field(
        description="receive、enrich、attach 或生命周期的操作名（docs/lifecycle.md）"
    )
    actor: str = Field(description="登录名，或 system")
    actor_name: str | None = Field(
        default=None, description="操作人的姓名（用户的显示名）；系统或未设姓名时为空"
    )
    at: datetime
    from_status: str | None
    to_status: str | None
    reason: str | None
    details: dict[str, Any]
    hash: str = Field(description="本事件的哈希（含上一事件的哈希，形成链）")


class CaseSummaryOut(Open):
    number: str = Field(examples=["20261124-000001"])
    status: str
    status_label: str
    version: int = Field(description="与 ETag 相同；操作时放在 If-Match 中")
    channel: str
    title: str | None
    content: str
    address: str | None
    category_code: str | None
    urgency: str
    caller_name: str | None = Field(description="已脱敏，如 张**")
    caller_phone: str | None = Field(description="已脱敏，如 138****5678")
    anonymous: bool
    confidential: bool
    district_code: str | None
    lead_unit: str | None
    accept_due_at: datetime | None
    reply_due_at: datetime | None
    created_at: datetime
    updated_at: datetime


class AssignmentOut(Open):
    id: int
    unit: str | None = Field(description="单位代码")
    role: str = Field(description="lead 主办 | co 协办")
    status: str
    parent_id: int | None = Field(description="下派时的上级派单")
    dispatched_at: datetime | None
    accepted_at: datetime | None
    replied_at: datetime | None
    due_at: datetime | None = Field(description="本派单的答复时限")


class CaseRequestOut(Open):
    id: int
    kind: str = Field(description="return 退单 | extension 延期")
    status: str = Field(description="pending 待审 | approved 同意 | refused 不同意")
    reason_code: str | None
    reason: str | None
    requested_by: str
    requested_at: datetime
    requested_due_at: datetime | None
    decided_by: str | None
    decided_at: datetime | None


class SlaOut(Open):
    accept: str | None = Field(description="签收时限：on_track | warning | overdue | met | missed")
    reply: str | None = Field(description="答复时限：on_track | warning | overdue | met | missed")


class CaseSupervisionOut(Open):
    id: int
    case: str | None
    problem_id: int | None
    level: str
    level_label: str
    source: str
    reason: str
    unit: str | None
    head_name: str | None
    head_title: str | None
    district_code: str | None
    status: str
    due_at: datetime | None
    response: str | None
    outcome: str | None
    created_at: datetime
    created_by: str


class CaseOut(CaseSummaryOut):
    lon: float | None
    lat: float | None
    coord_system: str | None
    problem_id: int | None = Field(description="所属问题台账编号")
    media_outlet: str | None
    media_link: str | None
    media_published_at: datetime | None
    result_type: str | None
    reply_text: str | None
    promised_on: date | None
    replied_at: datetime | None
    supervised: bool
    needs_verification: bool | None = Field(description="是否需核查（派遣前未定时为空）")
    needs_callback: bool | None = Field(description="是否需回访（派遣前未定时为空）")
    callback_attempts: int
    reopen_count: int
    extension_count: int
    closed_as: str | None
    closed_at: datetime | None
    accept_late: bool | None
    reply_late: bool | None
    verify_due_at: datetime | None
    callback_due_at: datetime | None
    promise_due_at: datetime | None
    accept_warn_at: datetime | None = Field(description="签收预警时刻（之后为预警色）")
    reply_warn_at: datetime | None = Field(description="答复预警时刻（之后为预警色）")
    sla: SlaOut
    received_on: date | None
    created_by: str | None
    street_code: str | None
    community_code: str | None
    district_name: str | None
    street_name: str | None
    community_name: str | None
    lead_unit_name: str | None
    category_name: str | None
    channel_name: str | None
    co_units: list[str]
    assignments: list[AssignmentOut]
    requests: list[CaseRequestOut]
    supervisions: list[CaseSupervisionOut] = Field(description="本工单的督办单，最新的在前")
    allowed_actions: list[str] = Field(description="当前状态下本人角色可执行的操作")
    history: list[HistoryEventOut] = Field(description="历史，最早的在前")


class CaseListItemOut(CaseSummaryOut):
    sla_state: str | None = Field(
        default=None,
        description="时限状态 on_track 正常、warning 预警、overdue 超期（在办各环节最严重者）",
    )


class CaseListOut(Open):
    total: int = Field(description="符合条件的工单数；超过 10,000 时为估计值")
    total_is_estimate: bool = Field(default=False, description="total 是否为估计值")
    page: int
    page_size: int
    sort: str = Field(default="-created", description="实际使用的排序")
    items: list[CaseListItemOut]


class RevealIn(Strict):
    purpose: str = Field(min_length=1, max_length=300, description="查看用途（记入访问日志）")


class RevealOut(Open):
    number: str
    caller_name: str | None
    caller_phone: str | None


class AccessLogEntryOut(Open):
    user: str
    case_number: str
    at: datetime
    purpose: str
    fields: list[str]


class AccessLogOut(Open):
    items: list[AccessLogEntryOut]


class LoginIn(Strict):
    name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class LoginOut(Open):
    token: str = Field(description="新的 API 令牌，只返回这一次")
    token_type: Literal["Bearer"] = "Bearer"
    expires_at: datetime
    user: str
    role: str


class DraftIn(Strict):
    """An operator's unsaved form: the enrichment steps suggest district, category and more."""

    channel: str = Field(max_length=32)
    content: str = Field(min_length=1, max_length=MAX_CONTENT)
    title: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=300)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    caller_phone: str | None = Field(
        default=None, max_length=40, description="来电号码：只用于识别同一来电人的重复投诉"
    )


class SuggestionOut(Open):
    field: str
    value: Any
    confidence: float
    reason: str
    source: str


class SuggestionsOut(Open):
    suggestions: list[SuggestionOut]


class AttachmentOut(Open):
    id: int
    kind: Literal["before", "after", "document"]
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime
    download_url: str
    longitude: float | None = Field(default=None, description="拍摄位置经度（WGS-84）")
    latitude: float | None = Field(default=None, description="拍摄位置纬度（WGS-84）")
    accuracy_m: float | None = Field(default=None, description="定位精度（米）")
    captured_at: datetime | None = Field(default=None, description="拍摄时间（上传端给出）")
    exif_taken_at: datetime | None = Field(
        default=None, description="相机记录的拍摄时间（JPEG 的 EXIF，如有）"
    )
    distance_m: int | None = Field(
        default=None, description="拍摄位置距工单定位点的距离（米）；任一方无坐标时为空"
    )


class AttachmentListOut(Open):
    items: list[AttachmentOut]


class SessionOut(Open):
    """The browser session: who is logged in, what the role may do, when the session ends."""

    user: str = Field(description="登录名")
    display_name: str | None = Field(default=None, description="姓名")
    role: str = Field(description="角色代码", examples=["operator"])
    role_label: str = Field(description="角色中文名", examples=["话务员"])
    unit: str | None = Field(default=None, description="所属单位代码（承办人）")
    unit_name: str | None = None
    district: str | None = Field(default=None, description="所属区县代码（区级用户）")
    district_name: str | None = None
    permissions: list[str] = Field(
        description="该角色可执行的权限与工单操作代码（docs/roles.md 的角色 × 操作表）"
    )
    idle_expires_at: datetime = Field(description="无操作到此时刻会话即过期；每次请求顺延")
    expires_at: datetime = Field(description="会话最迟到此时刻结束，与是否操作无关")
    csrf_token: str = Field(
        description="Cookie 认证的 POST/PUT/PATCH/DELETE 请求须放在 X-CSRF-Token 请求头中"
    )
