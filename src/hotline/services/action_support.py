"""What every action handler shares: the context it gets, the outcome it returns, field readers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from hotline.adapters.db.models import Assignment, Case, CaseRequest, Channel
from hotline.domain.errors import Forbidden, IllegalTransition, InvalidInput
from hotline.domain.lifecycle import Status
from hotline.domain.roles import Actor, Role
from hotline.domain.rules import CaseFacts, ResultType
from hotline.services.context import Hotline


@dataclass
class ActionContext:
    hotline: Hotline
    session: Session
    case: Case
    actor: Actor
    now: datetime
    fields: dict[str, Any]
    reason: str | None = None


@dataclass
class Outcome:
    to_status: Status
    details: dict[str, Any] = field(default_factory=dict)


def text_field(
    ctx: ActionContext, name: str, *, required: bool = False, max_length: int = 4000
) -> str | None:
    value = ctx.fields.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInput(f"缺少必填字段「{name}」", fields=(name,))
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"字段「{name}」须为文本", fields=(name,))
    if len(value) > max_length:
        raise InvalidInput(f"字段「{name}」不能超过 {max_length} 字", fields=(name,))
    return value.strip()


def required_reason(ctx: ActionContext) -> str:
    if not ctx.reason or not ctx.reason.strip():
        raise InvalidInput("该操作必须填写原因", fields=("reason",))
    return ctx.reason.strip()


def bool_field(ctx: ActionContext, name: str) -> bool:
    value = ctx.fields.get(name)
    if not isinstance(value, bool):
        raise InvalidInput(f"字段「{name}」须为 true 或 false", fields=(name,))
    return value


def date_field(ctx: ActionContext, name: str, *, required: bool = False) -> date | None:
    value = ctx.fields.get(name)
    if value is None:
        if required:
            raise InvalidInput(f"缺少必填字段「{name}」", fields=(name,))
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise InvalidInput(f"字段「{name}」须为日期 YYYY-MM-DD", fields=(name,)) from exc


def datetime_field(ctx: ActionContext, name: str) -> datetime | None:
    """An ISO 8601 time; without an offset it is local time in the configured zone."""
    value = ctx.fields.get(name)
    if value is None:
        return None
    try:
        parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise InvalidInput(f"字段「{name}」须为 ISO 8601 时间", fields=(name,)) from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ctx.hotline.settings.tz)
    return parsed


def current_assignment(case: Case) -> Assignment:
    """The lead-chain assignment now holding the case (the newest pending or accepted one)."""
    holding = [
        a for a in case.assignments if a.role == "lead" and a.status in ("pending", "accepted")
    ]
    if not holding:
        raise IllegalTransition("工单当前没有承办单位")
    return max(holding, key=lambda a: a.id)


def require_holding_unit(ctx: ActionContext) -> Assignment:
    """Unit actions are taken by a handler of the unit that holds the case."""
    assignment = current_assignment(ctx.case)
    if ctx.actor.role is Role.HANDLER and ctx.actor.unit_id != assignment.unit_id:
        raise Forbidden("只有当前承办单位可以执行该操作")
    return assignment


def pending_request(case: Case, kind: str) -> CaseRequest | None:
    pending = [r for r in case.requests if r.kind == kind and r.status == "pending"]
    return pending[-1] if pending else None


def case_facts(ctx: ActionContext) -> CaseFacts:
    channel = ctx.session.get(Channel, ctx.case.channel_code)
    return CaseFacts(
        channel=ctx.case.channel_code,
        category_code=ctx.case.category_code,
        result_type=ResultType(ctx.case.result_type) if ctx.case.result_type else None,
        supervised=ctx.case.supervised,
        has_contact=bool(ctx.case.caller_phone),
        anonymous=ctx.case.anonymous,
        channel_needs_callback=channel.needs_callback if channel else True,
        channel_requires_verification=channel.requires_verification if channel else False,
    )


def end_assignments(case: Case, status: str = "ended") -> None:
    for assignment in case.assignments:
        if assignment.status in ("pending", "accepted"):
            assignment.status = status
