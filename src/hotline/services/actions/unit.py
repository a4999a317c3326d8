"""The handling units' actions and the decisions on them: sub-dispatch (下派), accept (签收),
return (退单) and its approval, reply (办结), and a co-unit's opinion (协办意见).

Who may act (the holding unit, a co-unit still owing its opinion) is checked before a handler
runs, by :func:`hotline.domain.availability.check_action`.
"""

from __future__ import annotations

from datetime import date

from hotline.adapters.db.models import Assignment, CaseRequest, Unit
from hotline.domain.errors import IllegalTransition, InvalidInput
from hotline.domain.lifecycle import Status
from hotline.domain.rules import ResultType, needs_callback, status_after_reply
from hotline.services.actions.deadlines import callback_due, promise_due, verify_due
from hotline.services.actions.support import (
    ActionContext,
    Outcome,
    case_facts,
    co_assignment,
    current_assignment,
    date_field,
    end_assignments,
    move_unit_deadline,
    pending_request,
    required_reason,
    text_field,
)
from hotline.services.reference.units import is_below, unit_by_code


def sub_dispatch(ctx: ActionContext) -> Outcome:
    parent = current_assignment(ctx.case)
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
    assignment = current_assignment(ctx.case)
    assignment.status = "accepted"
    assignment.accepted_at = ctx.now
    late = ctx.case.accept_due_at is not None and ctx.now > ctx.case.accept_due_at
    if assignment.parent_id is None:  # the centre's accept stage settles here, frozen
        ctx.case.accept_late = late
    return Outcome(Status.ACCEPTED, {"accepted_late": late})


def return_case(ctx: ActionContext) -> Outcome:
    assignment = current_assignment(ctx.case)
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


def decide_request(ctx: ActionContext, kind: str, status: str) -> CaseRequest:
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
    request = decide_request(ctx, "return", "approved")
    returning = next(a for a in ctx.case.assignments if a.id == request.assignment_id)
    returning.status = "returned"
    if returning.parent_id is not None:  # back to the unit that sub-dispatched it
        paused = _resume_clock(ctx, request)
        return Outcome(
            Status.ACCEPTED,
            {"back_to_assignment": returning.parent_id, "clock_paused_minutes": paused},
        )
    end_assignments(ctx.case)
    ctx.case.lead_unit_id = None
    return Outcome(Status.REGISTERED, {"back_to": "centre"})


def reject_return(ctx: ActionContext) -> Outcome:
    request = decide_request(ctx, "return", "rejected")
    returning = next(a for a in ctx.case.assignments if a.id == request.assignment_id)
    returning.status = "accepted"  # 驳回: the unit must handle it
    returning.accepted_at = returning.accepted_at or ctx.now
    paused = _resume_clock(ctx, request)
    return Outcome(
        Status.ACCEPTED, {"forced_unit_assignment": returning.id, "clock_paused_minutes": paused}
    )


def _resume_clock(ctx: ActionContext, request: CaseRequest) -> int:
    """The clock stops while a return awaits a decision: the reply deadline moves on by the
    working minutes the return waited (docs/time-limits.md)."""
    case = ctx.case
    paused = ctx.hotline.clock.working_minutes_between(request.requested_at, ctx.now)
    if paused > 0 and case.reply_due_at is not None:
        move_unit_deadline(ctx, ctx.hotline.clock.add_working_minutes(case.reply_due_at, paused))
    return max(paused, 0)


def _result_type(ctx: ActionContext) -> ResultType:
    value = text_field(ctx, "result_type", required=True, max_length=16)
    try:
        return ResultType(value or "")
    except ValueError as exc:
        allowed = "/".join(item.value for item in ResultType)
        raise InvalidInput(f"办结类型须为 {allowed}", fields=("result_type",)) from exc


def reply(ctx: ActionContext) -> Outcome:
    assignment = current_assignment(ctx.case)
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
    case.reply_late = late  # the reply stage settles here; the flag is frozen from now on
    _next_stage_deadlines(ctx, target, promised_on)
    return Outcome(
        target,
        {
            "result_type": result.value,
            "replied_late": late,
            "promised_on": promised_on.isoformat() if promised_on else None,
        },
    )


def _next_stage_deadlines(ctx: ActionContext, target: Status, promised_on: date | None) -> None:
    hotline, case = ctx.hotline, ctx.case
    case.promise_due_at = promise_due(hotline, promised_on) if promised_on else None
    if target is Status.VERIFYING:
        # A promise is checked once its date has come; anything else within the verify limit.
        case.verify_due_at = case.promise_due_at or verify_due(hotline, ctx.now)
    elif target is Status.CALLBACK_PENDING:
        case.callback_due_at = callback_due(hotline, ctx.now)


def _callback_applies(ctx: ActionContext) -> bool:
    return needs_callback(case_facts(ctx), ctx.hotline.closing_rules)


def _lead_chain(ctx: ActionContext, bottom: Assignment) -> list[Assignment]:
    by_id = {a.id: a for a in ctx.case.assignments}
    chain, current = [bottom], bottom
    while current.parent_id is not None:
        current = by_id[current.parent_id]
        chain.append(current)
    return chain


def co_opinion(ctx: ActionContext) -> Outcome:
    """协办意见: a co-unit gives the lead unit its opinion; its share of the case is then done."""
    assignment = co_assignment(ctx.case, ctx.actor.unit_id)
    text = text_field(ctx, "opinion", required=True)
    assignment.status, assignment.replied_at, assignment.reply_text = "replied", ctx.now, text
    unit = ctx.session.get(Unit, assignment.unit_id)
    details = {"unit": unit.code if unit else None, "assignment": assignment.id, "opinion": text}
    return Outcome(Status(ctx.case.status), details)
