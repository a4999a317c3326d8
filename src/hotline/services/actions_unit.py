"""The handling unit's actions and the decisions on them: sub-dispatch (下派), accept (签收),
return (退单) and its approval, extension (延期) and its approval, reply (办结).
"""

from __future__ import annotations

from datetime import UTC, datetime

from hotline.adapters.db.models import Assignment, CaseRequest
from hotline.domain.errors import IllegalTransition, InvalidInput
from hotline.domain.lifecycle import Status
from hotline.domain.rules import ResultType, needs_callback, status_after_reply
from hotline.services.action_support import (
    ActionContext,
    Outcome,
    case_facts,
    date_field,
    datetime_field,
    end_assignments,
    pending_request,
    require_holding_unit,
    required_reason,
    text_field,
)
from hotline.services.deadlines import add_working_days
from hotline.services.units import is_below, unit_by_code


def sub_dispatch(ctx: ActionContext) -> Outcome:
    parent = require_holding_unit(ctx)
    unit = unit_by_code(ctx.session, text_field(ctx, "unit", required=True) or "")
    if not is_below(ctx.session, unit.id, parent.unit_id):
        raise InvalidInput("只能下派给本单位的下级单位", fields=("unit",))
    ctx.case.assignments.append(
        Assignment(
            unit_id=unit.id,
            role="lead",
            parent_id=parent.id,
            status="pending",
            dispatched_at=ctx.now,
            dispatched_by=ctx.actor.name,
            due_at=parent.due_at,
        )
    )
    return Outcome(Status.DISPATCHED, {"unit": unit.code, "from_assignment": parent.id})


def accept(ctx: ActionContext) -> Outcome:
    assignment = require_holding_unit(ctx)
    assignment.status = "accepted"
    assignment.accepted_at = ctx.now
    late = ctx.case.accept_due_at is not None and ctx.now > ctx.case.accept_due_at
    return Outcome(Status.ACCEPTED, {"accepted_late": late})


def return_case(ctx: ActionContext) -> Outcome:
    assignment = require_holding_unit(ctx)
    code = text_field(ctx, "reason_code", required=True, max_length=32) or ""
    reasons = ctx.hotline.profile.return_reasons
    if reasons and code not in reasons:
        raise InvalidInput(
            f"未知的退单原因代码「{code}」，可选：{'、'.join(reasons)}", fields=("reason_code",)
        )
    ctx.case.requests.append(
        CaseRequest(
            kind="return",
            assignment_id=assignment.id,
            status="pending",
            reason_code=code,
            reason=required_reason(ctx),
            requested_by=ctx.actor.name,
            requested_at=ctx.now,
        )
    )
    return Outcome(Status.RETURNED, {"reason_code": code, "assignment": assignment.id})


def _decide(ctx: ActionContext, kind: str, status: str) -> CaseRequest:
    request = pending_request(ctx.case, kind)
    if request is None:
        label = "退单" if kind == "return" else "延期"
        raise IllegalTransition(f"没有待审批的{label}申请")
    request.status = status
    request.decided_by = ctx.actor.name
    request.decided_at = ctx.now
    request.decision_note = ctx.reason
    return request


def approve_return(ctx: ActionContext) -> Outcome:
    request = _decide(ctx, "return", "approved")
    returning = next(a for a in ctx.case.assignments if a.id == request.assignment_id)
    returning.status = "returned"
    if returning.parent_id is not None:  # back to the unit that sub-dispatched it
        return Outcome(Status.ACCEPTED, {"back_to_assignment": returning.parent_id})
    end_assignments(ctx.case)
    ctx.case.lead_unit_id = None
    return Outcome(Status.REGISTERED, {"back_to": "centre"})


def reject_return(ctx: ActionContext) -> Outcome:
    request = _decide(ctx, "return", "rejected")
    returning = next(a for a in ctx.case.assignments if a.id == request.assignment_id)
    returning.status = "accepted"  # 驳回: the unit must handle it
    returning.accepted_at = returning.accepted_at or ctx.now
    return Outcome(Status.ACCEPTED, {"forced_unit_assignment": returning.id})


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
        base = ctx.case.reply_due_at or ctx.now
        due = add_working_days(ctx.hotline, base, float(days))
    assert due is not None
    if ctx.case.reply_due_at is not None and due <= ctx.case.reply_due_at:
        raise InvalidInput("申请的期限须晚于当前办结期限", fields=("requested_due_at",))
    return due.astimezone(UTC)


def request_extension(ctx: ActionContext) -> Outcome:
    assignment = require_holding_unit(ctx)
    if pending_request(ctx.case, "extension") is not None:
        raise IllegalTransition("已有待审批的延期申请")
    due = _requested_due(ctx)
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
    return Outcome(Status(ctx.case.status), {"requested_due_at": due.isoformat()})


def approve_extension(ctx: ActionContext) -> Outcome:
    request = _decide(ctx, "extension", "approved")
    granted = datetime_field(ctx, "granted_due_at") or request.requested_due_at
    assert granted is not None
    previous = ctx.case.reply_due_at
    if previous is not None and granted <= previous:
        raise InvalidInput("批准的期限须晚于当前办结期限", fields=("granted_due_at",))
    ctx.case.reply_due_at = granted.astimezone(UTC)
    ctx.case.extension_count += 1
    return Outcome(
        Status(ctx.case.status),
        {
            "previous_due_at": previous.isoformat() if previous else None,
            "reply_due_at": ctx.case.reply_due_at.isoformat(),
        },
    )


def refuse_extension(ctx: ActionContext) -> Outcome:
    _decide(ctx, "extension", "refused")
    required_reason(ctx)
    return Outcome(Status(ctx.case.status), {})


def _result_type(ctx: ActionContext) -> ResultType:
    value = text_field(ctx, "result_type", required=True, max_length=16)
    try:
        return ResultType(value or "")
    except ValueError as exc:
        allowed = "/".join(item.value for item in ResultType)
        raise InvalidInput(f"办结类型须为 {allowed}", fields=("result_type",)) from exc


def reply(ctx: ActionContext) -> Outcome:
    assignment = require_holding_unit(ctx)
    result = _result_type(ctx)
    promised_on = date_field(ctx, "promised_on", required=result is ResultType.PROMISED)
    local_today = ctx.now.astimezone(ctx.hotline.settings.tz).date()
    if promised_on is not None and promised_on < local_today:
        raise InvalidInput("承诺解决日期不能早于今天", fields=("promised_on",))
    text = text_field(ctx, "reply_text", required=True)
    for held in _lead_chain(ctx, assignment):  # the reply rolls up to every unit above
        held.status, held.replied_at, held.reply_text = "replied", ctx.now, text
    case = ctx.case
    case.result_type, case.reply_text, case.promised_on = result.value, text, promised_on
    case.replied_at = ctx.now
    facts = case_facts(ctx)
    target = status_after_reply(facts, ctx.hotline.closing_rules)
    case.needs_verification = target is Status.VERIFYING
    case.needs_callback = target is Status.CALLBACK_PENDING or (
        target is Status.VERIFYING and _callback_applies(ctx)
    )
    late = case.reply_due_at is not None and ctx.now > case.reply_due_at
    return Outcome(
        target,
        {
            "result_type": result.value,
            "replied_late": late,
            "promised_on": promised_on.isoformat() if promised_on else None,
        },
    )


def _callback_applies(ctx: ActionContext) -> bool:
    return needs_callback(case_facts(ctx), ctx.hotline.closing_rules)


def _lead_chain(ctx: ActionContext, bottom: Assignment) -> list[Assignment]:
    by_id = {a.id: a for a in ctx.case.assignments}
    chain, current = [bottom], bottom
    while current.parent_id is not None:
        current = by_id[current.parent_id]
        chain.append(current)
    return chain
