"""Extensions (延期): a unit asks, the right level approves or refuses; the deadline moves only
on approval, at most ``max_extensions`` times (docs/lifecycle.md, time limits)."""

from __future__ import annotations

from datetime import datetime

from hotline.domain import deadlines
from hotline.domain.changes import NewRequest
from hotline.domain.commands import ApproveExtension, RefuseExtension, RequestExtension
from hotline.domain.errors import Forbidden, IllegalTransition, InvalidInput
from hotline.domain.handlers.common import (
    decide_request,
    holding,
    move_reply_deadline,
    pending_request,
)
from hotline.domain.handlers.draft import Draft, Outcome, RequestNow
from hotline.domain.handlers.facts import Context
from hotline.domain.handlers.inputs import required_reason, utc_moment
from hotline.domain.lifecycle import Status
from hotline.domain.sla import ExtensionLevel, approval_level, may_approve
from hotline.domain.vocabulary import RequestStatus


def _requested_due(command: RequestExtension, draft: Draft, ctx: Context) -> datetime:
    days, due = command.extra_working_days, command.requested_due_at
    if (days is None) == (due is None):
        raise InvalidInput(
            "须且只能提供 requested_due_at 或 extra_working_days 之一",
            fields=("requested_due_at", "extra_working_days"),
        )
    current = draft.reply_due_at
    if days is not None:
        if not 0 < days <= 60:
            raise InvalidInput("延期天数须为 1–60 的工作日数", fields=("extra_working_days",))
        moved = deadlines.add_working_days(ctx.rules.clock, current or ctx.now, float(days))
    else:
        assert due is not None
        moved = utc_moment(due, ctx.rules.tz)
    if current is not None and moved <= current:
        raise InvalidInput("申请的期限须晚于当前办结期限", fields=("requested_due_at",))
    return utc_moment(moved, ctx.rules.tz)


def _level(draft: Draft, ctx: Context, due: datetime) -> ExtensionLevel:
    rules = ctx.rules
    return approval_level(rules.clock, rules.policy, draft.reply_due_at, due, ctx.now)


def request_extension(command: RequestExtension, draft: Draft, ctx: Context) -> Outcome:
    """Who may ask, and whether one is pending or the maximum reached, the guard checked."""
    assignment = holding(draft)
    due = _requested_due(command, draft, ctx)
    level = _level(draft, ctx, due)
    draft.new_requests.append(
        NewRequest(
            kind="extension",
            assignment_id=assignment.id,
            status=RequestStatus.PENDING,
            requested_by=ctx.actor.name,
            requested_at=ctx.now,
            reason=required_reason(command.reason),
            requested_due_at=due,
        )
    )
    details: dict[str, object] = {"requested_due_at": due.isoformat(), "approval_level": level.name}
    return Outcome(Status(draft.record.status), details)


def _check_approver(ctx: Context, level: ExtensionLevel) -> None:
    if not may_approve(level, ctx.actor.role.value, ctx.actor.district_code):
        raise Forbidden(f"该延期须由「{level.label}」审批")


def _pending(draft: Draft) -> tuple[RequestNow, datetime]:
    request = pending_request(draft, "extension")
    if request is None or request.requested_due_at is None:
        raise IllegalTransition("没有待审批的延期申请")
    return request, request.requested_due_at


def approve_extension(command: ApproveExtension, draft: Draft, ctx: Context) -> Outcome:
    _, requested = _pending(draft)
    granted = utc_moment(command.granted_due_at or requested, ctx.rules.tz)
    previous = draft.reply_due_at
    if previous is not None and granted <= previous:
        raise InvalidInput("批准的期限须晚于当前办结期限", fields=("granted_due_at",))
    level = _level(draft, ctx, granted)
    _check_approver(ctx, level)
    decide_request(draft, ctx, "extension", RequestStatus.APPROVED, command.reason)
    move_reply_deadline(draft, ctx, granted)  # the case's and the holding unit's deadline alike
    draft.set({"extension_count": draft.record.extension_count + 1})
    return Outcome(
        Status(draft.record.status),
        {
            "previous_due_at": previous.isoformat() if previous else None,
            "reply_due_at": granted.isoformat(),
            "approval_level": level.name,
        },
    )


def refuse_extension(command: RefuseExtension, draft: Draft, ctx: Context) -> Outcome:
    _, requested = _pending(draft)
    _check_approver(ctx, _level(draft, ctx, requested))
    required_reason(command.reason)
    decide_request(draft, ctx, "extension", RequestStatus.REFUSED, command.reason)  # 不批准
    return Outcome(Status(draft.record.status), {})
