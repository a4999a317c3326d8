"""Extensions (延期): a unit asks, the right level approves or refuses; the deadline moves only
on approval, at most ``max_extensions`` times (docs/time-limits.md)."""

from __future__ import annotations

from datetime import UTC, datetime

from hotline.adapters.db.models import CaseRequest
from hotline.domain.errors import Forbidden, IllegalTransition, InvalidInput
from hotline.domain.lifecycle import Status
from hotline.domain.sla import ExtensionLevel, may_approve
from hotline.services.actions.deadlines import add_working_days
from hotline.services.actions.support import (
    ActionContext,
    Outcome,
    current_assignment,
    datetime_field,
    extension_approval_level,
    move_unit_deadline,
    pending_request,
    required_reason,
)
from hotline.services.actions.unit import decide_request


def _requested_due(ctx: ActionContext) -> datetime:
    days = ctx.fields.get("extra_working_days")
    due = datetime_field(ctx, "requested_due_at")
    if (days is None) == (due is None):
        raise InvalidInput(
            "须且只能提供 requested_due_at 或 extra_working_days 之一",
            fields=("requested_due_at", "extra_working_days"),
        )
    if days is not None:
        if not isinstance(days, int | float) or isinstance(days, bool) or not 0 < days <= 60:
            raise InvalidInput("延期天数须为 1–60 的工作日数", fields=("extra_working_days",))
        due = add_working_days(ctx.hotline, ctx.case.reply_due_at or ctx.now, float(days))
    assert due is not None
    if ctx.case.reply_due_at is not None and due <= ctx.case.reply_due_at:
        raise InvalidInput("申请的期限须晚于当前办结期限", fields=("requested_due_at",))
    return due.astimezone(UTC)


def _level_for(ctx: ActionContext, due: datetime) -> ExtensionLevel:
    return extension_approval_level(ctx.hotline, ctx.case, due, ctx.now)


def request_extension(ctx: ActionContext) -> Outcome:
    """Who may ask, and whether one is pending or the maximum reached, the guard checked."""
    assignment = current_assignment(ctx.case)
    due = _requested_due(ctx)
    level = _level_for(ctx, due)
    ctx.case.requests.append(
        CaseRequest(
            kind="extension",
            assignment_id=assignment.id,
            status="pending",
            reason=required_reason(ctx),
            requested_by=ctx.actor.name,
            requested_at=ctx.now,
            requested_due_at=due,
        )
    )
    return Outcome(
        Status(ctx.case.status), {"requested_due_at": due.isoformat(), "approval_level": level.name}
    )


def _check_approver(ctx: ActionContext, level: ExtensionLevel) -> None:
    if not may_approve(level, ctx.actor.role.value, ctx.actor.district_code):
        raise Forbidden(f"该延期须由「{level.label}」审批")


def approve_extension(ctx: ActionContext) -> Outcome:
    request = pending_request(ctx.case, "extension")
    if request is None or request.requested_due_at is None:
        raise IllegalTransition("没有待审批的延期申请")
    granted = (datetime_field(ctx, "granted_due_at") or request.requested_due_at).astimezone(UTC)
    previous = ctx.case.reply_due_at
    if previous is not None and granted <= previous:
        raise InvalidInput("批准的期限须晚于当前办结期限", fields=("granted_due_at",))
    level = _level_for(ctx, granted)
    _check_approver(ctx, level)
    decide_request(ctx, "extension", "approved")
    move_unit_deadline(ctx, granted)  # the case's and the holding unit's deadline alike
    ctx.case.extension_count += 1
    return Outcome(
        Status(ctx.case.status),
        {
            "previous_due_at": previous.isoformat() if previous else None,
            "reply_due_at": granted.isoformat(),
            "approval_level": level.name,
        },
    )


def refuse_extension(ctx: ActionContext) -> Outcome:
    request = pending_request(ctx.case, "extension")
    if request is None or request.requested_due_at is None:
        raise IllegalTransition("没有待审批的延期申请")
    _check_approver(ctx, _level_for(ctx, request.requested_due_at))
    required_reason(ctx)
    decide_request(ctx, "extension", "refused")
    return Outcome(Status(ctx.case.status), {})
