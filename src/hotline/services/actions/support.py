"""What every action handler shares: the context it gets, the outcome it returns, field readers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.adapters.db.models import Assignment, Case, CaseRequest, Channel, Unit
from hotline.domain.availability import CaseStanding, PendingExtension, available_actions
from hotline.domain.calendar import as_local
from hotline.domain.errors import IllegalTransition, InvalidInput
from hotline.domain.indicators import supported_day
from hotline.domain.lifecycle import Action, Status
from hotline.domain.roles import Actor
from hotline.domain.rules import CaseFacts, ResultType
from hotline.domain.sla import ExtensionLevel, extension_level
from hotline.services.actions.deadlines import move_reply_deadline
from hotline.services.context import Hotline
from hotline.services.reference.units import subtree_ids


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
        return supported_day(value, name)
    try:
        day = date.fromisoformat(str(value))
    except ValueError as exc:
        raise InvalidInput(f"字段「{name}」须为日期 YYYY-MM-DD", fields=(name,)) from exc
    return supported_day(day, name)


def datetime_field(ctx: ActionContext, name: str) -> datetime | None:
    """An ISO 8601 time in the supported span; without an offset it is local time in the
    configured zone."""
    value = ctx.fields.get(name)
    if value is None:
        return None
    try:
        parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise InvalidInput(f"字段「{name}」须为 ISO 8601 时间", fields=(name,)) from exc
    supported_day(parsed.date(), name)  # year 1 or 9999 would overflow on the way to UTC
    return as_local(parsed, ctx.hotline.settings.tz)


OPEN = ("pending", "accepted")  # an assignment still at work


def holding_assignment(case: Case) -> Assignment | None:
    """The lead-chain assignment now holding the case (the newest pending or accepted one)."""
    holding = [a for a in case.assignments if a.role == "lead" and a.status in OPEN]
    return max(holding, key=lambda a: a.id) if holding else None


def current_assignment(case: Case) -> Assignment:
    """The holding assignment of a case the guard let a unit act on (it always has one)."""
    assignment = holding_assignment(case)
    if assignment is None:
        raise IllegalTransition("工单当前没有承办单位")
    return assignment


def co_assignment(case: Case, unit_id: int | None) -> Assignment:
    """The co-unit (协办) assignment of ``unit_id`` that still owes its opinion."""
    for assignment in case.assignments:
        if assignment.role == "co" and assignment.unit_id == unit_id and assignment.status in OPEN:
            return assignment
    raise IllegalTransition("本单位没有待提交意见的协办任务")


def extension_approval_level(
    hotline: Hotline, case: Case, due: datetime, now: datetime
) -> ExtensionLevel:
    """Who may approve moving the reply deadline to ``due`` (by the working days it adds)."""
    base = case.reply_due_at or now
    minutes = hotline.clock.working_minutes_between(base, due)
    return extension_level(hotline.policy, max(minutes, 0) / hotline.clock.standard_day_minutes)


def _pending_extension(hotline: Hotline, case: Case, now: datetime) -> PendingExtension | None:
    request = pending_request(case, "extension")
    if request is None or request.requested_due_at is None:
        return None
    due = request.requested_due_at
    later = case.reply_due_at is None or due > case.reply_due_at
    return PendingExtension(extension_approval_level(hotline, case, due, now), later)


def _has_active_subunits(session: Session, unit_id: int) -> bool:
    below = subtree_ids(session, unit_id) - {unit_id}
    if not below:
        return False
    found = session.scalars(select(Unit.id).where(Unit.id.in_(below), Unit.active).limit(1))
    return found.first() is not None


def case_standing(hotline: Hotline, session: Session, case: Case, now: datetime) -> CaseStanding:
    """The facts :mod:`hotline.domain.availability` decides on, read from the loaded case."""
    status = Status(case.status)
    holding = holding_assignment(case)
    co = [a for a in case.assignments if a.role == "co"]
    return CaseStanding(
        status=status,
        holding_unit_id=holding.unit_id if holding else None,
        holding_unit_has_subunits=(
            status is Status.ACCEPTED
            and holding is not None
            and _has_active_subunits(session, holding.unit_id)
        ),
        co_units_awaiting_opinion=frozenset(a.unit_id for a in co if a.status in OPEN),
        co_units_with_opinion=frozenset(a.unit_id for a in co if a.status == "replied"),
        pending_extension=_pending_extension(hotline, case, now),
        extension_count=case.extension_count,
        max_extensions=hotline.policy.max_extensions,
    )


def move_unit_deadline(ctx: ActionContext, new_due: datetime) -> None:
    """Move the reply deadline of the case and of the lead-chain units now working on it."""
    move_reply_deadline(ctx.hotline, ctx.case, new_due, ctx.now)
    for assignment in ctx.case.assignments:
        if assignment.role == "lead" and assignment.status in OPEN:
            assignment.due_at = new_due


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
    """Every assignment still at work stops; requests its units made and nobody decided lapse
    (an extension asked by a unit that no longer holds the case is nobody's to grant)."""
    ended = set()
    for assignment in case.assignments:
        if assignment.status in OPEN:
            assignment.status = status
            ended.add(assignment.id)
    for request in case.requests:
        if request.status == "pending" and request.assignment_id in ended:
            request.status = "withdrawn"


def offered_actions(
    hotline: Hotline, session: Session, case: Case, actor: Actor, now: datetime
) -> list[Action]:
    """What the case view offers ``actor``: exactly what :func:`perform_action` would accept."""
    return available_actions(case_standing(hotline, session, case, now), actor)
