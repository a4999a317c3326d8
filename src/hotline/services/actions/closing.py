"""Closing the loop: verify (核查), record callback (回访), reopen (重办), close (结案)."""

from __future__ import annotations

from datetime import timedelta

from hotline.adapters.db.models import Callback, Unit
from hotline.domain.errors import IllegalTransition, InvalidInput
from hotline.domain.lifecycle import Status
from hotline.domain.rules import (
    CallbackAnswer,
    CallbackOutcome,
    ReopenTarget,
    Satisfaction,
    reopen_status,
    status_after_callback,
    status_after_verification,
)
from hotline.services.actions.centre import assign_lead
from hotline.services.actions.deadlines import callback_due
from hotline.services.actions.support import (
    ActionContext,
    Outcome,
    bool_field,
    case_facts,
    end_assignments,
    required_reason,
    text_field,
)
from hotline.services.ledger.supervision import Level, escalate


def verify(ctx: ActionContext) -> Outcome:
    passed = bool_field(ctx, "passed")
    note = text_field(ctx, "note")
    if not passed and not note and not ctx.reason:
        raise InvalidInput("核查不通过须说明原因", fields=("reason",))
    target = status_after_verification(passed, case_facts(ctx), ctx.hotline.closing_rules)
    if target is Status.ACCEPTED:
        _rework_same_unit(ctx)
    elif target is Status.CLOSED:
        _close(ctx, "verified")
    else:
        ctx.case.callback_due_at = callback_due(ctx.hotline, ctx.now)
    return Outcome(target, {"passed": passed, "note": note})


def _rework_same_unit(ctx: ActionContext) -> None:
    """A failed verification hands the case back to the unit that replied, already accepted."""
    replied = [a for a in ctx.case.assignments if a.role == "lead" and a.status == "replied"]
    for assignment in replied:
        assignment.status = "accepted"
    ctx.case.reopen_count += 1
    ctx.case.replied_at = None


def _enum(
    ctx: ActionContext,
    name: str,
    kind: type[Satisfaction] | type[CallbackOutcome] | type[ReopenTarget],
    *,
    required: bool = False,
) -> str | None:
    value = text_field(ctx, name, required=required, max_length=32)
    if value is None:
        return None
    allowed = [item.value for item in kind]
    if value not in allowed:
        raise InvalidInput(f"字段「{name}」须为 {'/'.join(allowed)}", fields=(name,))
    return value


def _answer(ctx: ActionContext) -> CallbackAnswer:
    solved = ctx.fields.get("solved")
    if solved is not None and not isinstance(solved, bool):
        raise InvalidInput("字段「solved」须为 true 或 false", fields=("solved",))
    process = _enum(ctx, "process_satisfaction", Satisfaction)
    result = _enum(ctx, "result_satisfaction", Satisfaction)
    return CallbackAnswer(
        outcome=CallbackOutcome(_enum(ctx, "outcome", CallbackOutcome, required=True) or ""),
        process=Satisfaction(process) if process else None,
        result=Satisfaction(result) if result else None,
        solved=solved,
        reopen_to=ReopenTarget(_enum(ctx, "reopen_to", ReopenTarget) or "same_unit"),
    )


def record_callback(ctx: ActionContext) -> Outcome:
    answer = _answer(ctx)
    reopened: dict[str, object] = {}
    target = status_after_callback(answer, ctx.case.callback_attempts, ctx.hotline.closing_rules)
    ctx.case.callback_attempts += 1
    ctx.session.add(
        Callback(
            case_id=ctx.case.id,
            unit_id=ctx.case.lead_unit_id,
            attempt=ctx.case.callback_attempts,
            outcome=answer.outcome.value,
            process_satisfaction=answer.process.value if answer.process else None,
            result_satisfaction=answer.result.value if answer.result else None,
            solved=answer.solved,
            comment=text_field(ctx, "comment"),
            at=ctx.now,
            by=ctx.actor.name,
        )
    )
    if target is Status.CLOSED:
        _close(ctx, _closed_as(answer))
    elif target is Status.CALLBACK_PENDING:  # unreachable: try again later
        ctx.case.callback_next_at = ctx.now + timedelta(
            minutes=ctx.hotline.policy.callback_retry_minutes
        )
    else:
        # 不满意 → 督办 of the unit that answered, then 重办 (same unit or re-sorting).
        escalate(
            ctx.hotline,
            ctx.session,
            ctx.case,
            Level.SUPERVISE,
            "回访不满意，重办督办",
            "callback_unsatisfied",
            ctx.actor.name,
            ctx.now,
        )
        # the new round's unit and deadlines go in the event: the indicators count it as due
        reopened = _reopen(ctx, answer.reopen_to)
    return Outcome(
        target,
        {
            "attempt": ctx.case.callback_attempts,
            "outcome": answer.outcome.value,
            "process_satisfaction": answer.process.value if answer.process else None,
            "result_satisfaction": answer.result.value if answer.result else None,
            "solved": answer.solved,
            **reopened,
        },
    )


def _closed_as(answer: CallbackAnswer) -> str:
    if answer.outcome is not CallbackOutcome.REACHED:
        return answer.outcome.value
    return "satisfied"


def _reopen(ctx: ActionContext, target: ReopenTarget) -> dict[str, object]:
    previous_lead = ctx.case.lead_unit_id
    end_assignments(ctx.case)
    for assignment in ctx.case.assignments:
        if assignment.status == "replied":
            assignment.status = "ended"
    ctx.case.reopen_count += 1
    ctx.case.closed_at = ctx.case.closed_as = ctx.case.replied_at = None
    ctx.case.result_type = ctx.case.reply_text = None
    ctx.case.callback_attempts = 0
    if target is ReopenTarget.RESORT or previous_lead is None:
        ctx.case.lead_unit_id = None
        return {"target": ReopenTarget.RESORT.value}
    unit = ctx.session.get(Unit, previous_lead)
    assert unit is not None
    return {"target": target.value, **assign_lead(ctx, unit, [])}


def reopen(ctx: ActionContext) -> Outcome:
    required_reason(ctx)
    target = ReopenTarget(_enum(ctx, "target", ReopenTarget) or "same_unit")
    if target is ReopenTarget.SAME_UNIT and ctx.case.lead_unit_id is None:
        raise IllegalTransition("工单没有原承办单位，只能退回中心重新分类")
    details = _reopen(ctx, target)
    return Outcome(reopen_status(target), details)


def _close(ctx: ActionContext, closed_as: str) -> None:
    ctx.case.closed_at = ctx.now
    ctx.case.closed_as = closed_as
    # A co-unit that never gave its opinion has nothing left to do on a closed case; "closed"
    # (not "ended") keeps it listed among the case's co-units.
    end_assignments(ctx.case, "closed")


def close(ctx: ActionContext) -> Outcome:
    _close(ctx, "closed_by_centre")
    return Outcome(Status.CLOSED, {})
