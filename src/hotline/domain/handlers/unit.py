"""The handling units' actions and the decisions on them: sub-dispatch (下派), accept (签收),
return (退单) and its approval, reply (办结), and a co-unit's opinion (协办意见).

Who may act (the holding unit, a co-unit still owing its opinion) the guard checked before a
handler runs (:func:`hotline.domain.availability.check_action`).
"""

from __future__ import annotations

from datetime import date

from hotline.domain import deadlines
from hotline.domain.changes import NewAssignment, NewRequest
from hotline.domain.commands import (
    Accept,
    ApproveReturn,
    CoOpinion,
    RejectReturn,
    Reply,
    Return,
    SubDispatch,
)
from hotline.domain.errors import IllegalTransition, InvalidInput
from hotline.domain.handlers.common import (
    case_facts,
    decide_request,
    end_assignments,
    holding,
    move_reply_deadline,
    unit_named,
    withdraw_requests,
)
from hotline.domain.handlers.draft import AssignmentNow, Draft, Outcome, RequestNow
from hotline.domain.handlers.facts import Context
from hotline.domain.handlers.inputs import required_reason, required_text
from hotline.domain.lifecycle import Status
from hotline.domain.rules import ResultType, needs_callback, status_after_reply
from hotline.domain.vocabulary import ASSIGNMENT_AT_WORK, AssignmentStatus, RequestStatus


def sub_dispatch(command: SubDispatch, draft: Draft, ctx: Context) -> Outcome:
    parent = holding(draft)
    unit = unit_named(ctx, required_text(command.unit, "unit"))
    if not ctx.reference.is_below(unit.id, parent.unit_id):
        raise InvalidInput("只能下派给本单位的下级单位", fields=("unit",))
    draft.new_assignments.append(
        NewAssignment(
            unit_id=unit.id,
            role="lead",
            status=AssignmentStatus.PENDING,
            dispatched_at=ctx.now,
            dispatched_by=ctx.actor.name,
            due_at=parent.due_at,
            parent_id=parent.id,
        )
    )
    return Outcome(Status.DISPATCHED, {"unit": unit.code, "from_assignment": parent.id})


def accept(command: Accept, draft: Draft, ctx: Context) -> Outcome:
    assignment = holding(draft)
    draft.update_assignment(
        assignment.id, {"status": AssignmentStatus.ACCEPTED, "accepted_at": ctx.now}
    )
    due = draft.record.accept_due_at
    late = due is not None and ctx.now > due
    if assignment.parent_id is None:  # the centre's accept stage settles here, frozen
        draft.set({"accept_late": late})
    return Outcome(Status.ACCEPTED, {"accepted_late": late})


def return_case(command: Return, draft: Draft, ctx: Context) -> Outcome:
    assignment = holding(draft)
    code = required_text(command.reason_code, "reason_code", max_length=32)
    reasons = ctx.rules.return_reasons
    if reasons and code not in reasons:
        raise InvalidInput(
            f"未知的退单原因代码「{code}」，可选：{'、'.join(reasons)}", fields=("reason_code",)
        )
    draft.new_requests.append(
        NewRequest(
            kind="return",
            assignment_id=assignment.id,
            status=RequestStatus.PENDING,
            requested_by=ctx.actor.name,
            requested_at=ctx.now,
            reason=required_reason(command.reason),
            reason_code=code,
        )
    )
    return Outcome(Status.RETURNED, {"reason_code": code, "assignment": assignment.id})


def _returning(draft: Draft, request: RequestNow) -> AssignmentNow:
    return next(a for a in draft.assignments() if a.id == request.assignment_id)


def _resume_clock(draft: Draft, ctx: Context, request: RequestNow) -> int:
    """The clock stops while a return awaits a decision: the reply deadline moves on by the
    working minutes the return waited (docs/lifecycle.md)."""
    clock = ctx.rules.clock
    paused = clock.working_minutes_between(request.requested_at, ctx.now)
    due = draft.reply_due_at
    if paused > 0 and due is not None:
        move_reply_deadline(draft, ctx, clock.add_working_minutes(due, paused))
    return max(paused, 0)


def approve_return(command: ApproveReturn, draft: Draft, ctx: Context) -> Outcome:
    request = decide_request(draft, ctx, "return", RequestStatus.APPROVED, command.reason)
    returning = _returning(draft, request)
    draft.update_assignment(returning.id, {"status": AssignmentStatus.RETURNED})
    # An extension the returning unit asked for is nobody's to grant once its share ended.
    withdraw_requests(draft, {returning.id})
    if returning.parent_id is not None:  # back to the unit that sub-dispatched it
        paused = _resume_clock(draft, ctx, request)
        return Outcome(
            Status.ACCEPTED,
            {"back_to_assignment": returning.parent_id, "clock_paused_minutes": paused},
        )
    end_assignments(draft)
    draft.set({"lead_unit_id": None})
    return Outcome(Status.REGISTERED, {"back_to": "centre"})


def reject_return(command: RejectReturn, draft: Draft, ctx: Context) -> Outcome:
    request = decide_request(draft, ctx, "return", RequestStatus.REJECTED, command.reason)
    returning = _returning(draft, request)
    # 驳回: the unit must handle it
    draft.update_assignment(
        returning.id,
        {"status": AssignmentStatus.ACCEPTED, "accepted_at": returning.accepted_at or ctx.now},
    )
    paused = _resume_clock(draft, ctx, request)
    return Outcome(
        Status.ACCEPTED, {"forced_unit_assignment": returning.id, "clock_paused_minutes": paused}
    )


def _lead_chain(draft: Draft, bottom: AssignmentNow) -> list[AssignmentNow]:
    by_id = {a.id: a for a in draft.assignments()}
    chain, current = [bottom], bottom
    while current.parent_id is not None:
        current = by_id[current.parent_id]
        chain.append(current)
    return chain


def _promised_on(command: Reply, ctx: Context) -> date | None:
    promised_on = command.promised_on
    if promised_on is None and command.result_type is ResultType.PROMISED:
        raise InvalidInput("缺少必填字段「promised_on」", fields=("promised_on",))
    local_today = ctx.now.astimezone(ctx.rules.tz).date()
    if promised_on is not None and promised_on < local_today:
        raise InvalidInput("承诺解决日期不能早于今天", fields=("promised_on",))
    return promised_on


def _next_stage_deadlines(
    draft: Draft, ctx: Context, target: Status, promised_on: date | None
) -> None:
    rules, now = ctx.rules, ctx.now
    promise_due = deadlines.promise_due(rules.tz, promised_on) if promised_on else None
    draft.set({"promise_due_at": promise_due})
    if target is Status.VERIFYING:
        # A promise is checked once its date has come; anything else within the verify limit.
        verify_due = promise_due or deadlines.verify_due(rules.clock, rules.policy, now)
        draft.set({"verify_due_at": verify_due})
    elif target is Status.CALLBACK_PENDING:
        draft.set({"callback_due_at": deadlines.callback_due(rules.clock, rules.policy, now)})


def reply(command: Reply, draft: Draft, ctx: Context) -> Outcome:
    assignment = holding(draft)
    result = command.result_type
    promised_on = _promised_on(command, ctx)
    text = required_text(command.reply_text, "reply_text")
    for held in _lead_chain(draft, assignment):  # the reply rolls up to every unit above
        draft.update_assignment(
            held.id,
            {"status": AssignmentStatus.REPLIED, "replied_at": ctx.now, "reply_text": text},
        )
    facts = case_facts(draft, ctx, result)
    target = status_after_reply(facts, ctx.rules.closing)
    due = draft.reply_due_at
    late = due is not None and ctx.now > due
    draft.set(
        {
            "result_type": result.value,
            "reply_text": text,
            "promised_on": promised_on,
            "replied_at": ctx.now,
            "needs_verification": target is Status.VERIFYING,
            "needs_callback": target is Status.CALLBACK_PENDING
            or (target is Status.VERIFYING and needs_callback(facts, ctx.rules.closing)),
            "reply_late": late,  # the reply stage settles here; the flag is frozen from now on
        }
    )
    _next_stage_deadlines(draft, ctx, target, promised_on)
    return Outcome(
        target,
        {
            "result_type": result.value,
            "replied_late": late,
            "promised_on": promised_on.isoformat() if promised_on else None,
        },
    )


def co_opinion(command: CoOpinion, draft: Draft, ctx: Context) -> Outcome:
    """协办意见: a co-unit gives the lead unit its opinion; its share of the case is then done."""
    assignment = _co_assignment(draft, ctx.actor.unit_id)
    text = required_text(command.opinion, "opinion")
    draft.update_assignment(
        assignment.id,
        {"status": AssignmentStatus.REPLIED, "replied_at": ctx.now, "reply_text": text},
    )
    unit = ctx.reference.unit_by_id(assignment.unit_id)
    details: dict[str, object] = {
        "unit": unit.code if unit else None,
        "assignment": assignment.id,
        "opinion": text,
    }
    return Outcome(Status(draft.record.status), details)


def _co_assignment(draft: Draft, unit_id: int | None) -> AssignmentNow:
    """The co-unit (协办) assignment of ``unit_id`` that still owes its opinion."""
    for assignment in draft.assignments():
        at_work = assignment.status in ASSIGNMENT_AT_WORK
        if assignment.role == "co" and assignment.unit_id == unit_id and at_work:
            return assignment
    raise IllegalTransition("本单位没有待提交意见的协办任务")
