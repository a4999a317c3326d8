"""Closing the loop: verify (核查), record callback (回访), reopen (重办), close (结案)."""

from __future__ import annotations

from datetime import timedelta

from hotline.domain import deadlines
from hotline.domain.changes import NewCallback, SupervisionOpening
from hotline.domain.commands import Close, RecordCallback, Reopen, Verify
from hotline.domain.errors import IllegalTransition, InvalidInput
from hotline.domain.handlers.common import assign_lead, case_facts, end_assignments
from hotline.domain.handlers.draft import Draft, Outcome
from hotline.domain.handlers.facts import Context
from hotline.domain.handlers.inputs import required_reason, text
from hotline.domain.lifecycle import Status
from hotline.domain.rules import (
    CallbackAnswer,
    CallbackOutcome,
    ReopenTarget,
    ResultType,
    reopen_status,
    status_after_callback,
    status_after_verification,
)
from hotline.domain.supervision import RESPONSE_WORKING_DAYS, SupervisionLevel
from hotline.domain.vocabulary import AssignmentStatus


def _result_type(draft: Draft) -> ResultType | None:
    value = draft.record.result_type
    return ResultType(value) if value else None


def verify(command: Verify, draft: Draft, ctx: Context) -> Outcome:
    passed, note = command.passed, text(command.note, "note")
    if not passed and not note and not command.reason:
        raise InvalidInput("核查不通过须说明原因", fields=("reason",))
    facts = case_facts(draft, ctx, _result_type(draft))
    target = status_after_verification(passed, facts, ctx.rules.closing)
    if target is Status.ACCEPTED:
        _rework_same_unit(draft)
    elif target is Status.CLOSED:
        _close(draft, ctx, "verified")
    else:
        rules = ctx.rules
        draft.set({"callback_due_at": deadlines.callback_due(rules.clock, rules.policy, ctx.now)})
    return Outcome(target, {"passed": passed, "note": note})


def _rework_same_unit(draft: Draft) -> None:
    """A failed verification hands the case back to the unit that replied, already accepted."""
    for assignment in draft.assignments():
        if assignment.role == "lead" and assignment.status == AssignmentStatus.REPLIED:
            draft.update_assignment(assignment.id, {"status": AssignmentStatus.ACCEPTED})
    draft.set({"reopen_count": draft.record.reopen_count + 1, "replied_at": None})


def _answer(command: RecordCallback) -> CallbackAnswer:
    return CallbackAnswer(
        outcome=command.outcome,
        process=command.process_satisfaction,
        result=command.result_satisfaction,
        solved=command.solved,
        reopen_to=command.reopen_to or ReopenTarget.SAME_UNIT,
    )


def _closed_as(answer: CallbackAnswer) -> str:
    if answer.outcome is not CallbackOutcome.REACHED:
        return answer.outcome.value
    return "satisfied"


def _supervise_unsatisfied(draft: Draft, ctx: Context) -> None:
    """不满意 → 督办 of the unit that answered (before the reopen gives the case away)."""
    level = SupervisionLevel.SUPERVISE
    due = deadlines.add_working_days(ctx.rules.clock, ctx.now, RESPONSE_WORKING_DAYS[level])
    draft.supervisions.append(
        SupervisionOpening(
            level=level,
            source="callback_unsatisfied",
            reason="回访不满意，重办督办",
            actor=ctx.actor.name,
            target_unit_id=draft.lead_unit_id,
            due_at=due,
        )
    )


def record_callback(command: RecordCallback, draft: Draft, ctx: Context) -> Outcome:
    answer = _answer(command)
    case = draft.record
    target = status_after_callback(answer, case.callback_attempts, ctx.rules.closing)
    attempt = case.callback_attempts + 1
    draft.set({"callback_attempts": attempt})
    draft.callbacks.append(
        NewCallback(
            attempt=attempt,
            unit_id=case.lead_unit_id,
            outcome=answer.outcome.value,
            process_satisfaction=answer.process.value if answer.process else None,
            result_satisfaction=answer.result.value if answer.result else None,
            solved=answer.solved,
            comment=text(command.comment, "comment"),
            at=ctx.now,
            by=ctx.actor.name,
        )
    )
    reopened: dict[str, object] = {}
    if target is Status.CLOSED:
        _close(draft, ctx, _closed_as(answer))
    elif target is Status.CALLBACK_PENDING:  # unreachable: try again later
        retry = timedelta(minutes=ctx.rules.policy.callback_retry_minutes)
        draft.set({"callback_next_at": ctx.now + retry})
    else:
        _supervise_unsatisfied(draft, ctx)
        # the new round's unit and deadlines go in the event: the indicators count it as due
        reopened = _reopen(draft, ctx, answer.reopen_to)
    return Outcome(
        target,
        {
            "attempt": attempt,
            "outcome": answer.outcome.value,
            "process_satisfaction": answer.process.value if answer.process else None,
            "result_satisfaction": answer.result.value if answer.result else None,
            "solved": answer.solved,
            **reopened,
        },
    )


def _reopen(draft: Draft, ctx: Context, target: ReopenTarget) -> dict[str, object]:
    previous_lead = draft.lead_unit_id
    end_assignments(draft)
    for assignment in draft.assignments():
        if assignment.status == AssignmentStatus.REPLIED:
            draft.update_assignment(assignment.id, {"status": AssignmentStatus.ENDED})
    draft.set(
        {
            "reopen_count": draft.record.reopen_count + 1,
            "closed_at": None,
            "closed_as": None,
            "replied_at": None,
            "result_type": None,
            "reply_text": None,
            "callback_attempts": 0,
        }
    )
    unit = ctx.reference.unit_by_id(previous_lead) if previous_lead is not None else None
    if target is ReopenTarget.RESORT or unit is None:
        draft.set({"lead_unit_id": None})
        return {"target": ReopenTarget.RESORT.value}
    category = draft.record.category_code
    return {"target": target.value, **assign_lead(draft, ctx, unit, [], category)}


def reopen(command: Reopen, draft: Draft, ctx: Context) -> Outcome:
    required_reason(command.reason)
    target = command.target or ReopenTarget.SAME_UNIT
    if target is ReopenTarget.SAME_UNIT and draft.record.lead_unit_id is None:
        raise IllegalTransition("工单没有原承办单位，只能退回中心重新分类")
    return Outcome(reopen_status(target), _reopen(draft, ctx, target))


def _close(draft: Draft, ctx: Context, closed_as: str) -> None:
    draft.set({"closed_at": ctx.now, "closed_as": closed_as})
    # A co-unit that never gave its opinion has nothing left to do on a closed case; CLOSED
    # (not ENDED) keeps it listed among the case's co-units.
    end_assignments(draft, AssignmentStatus.CLOSED)


def close(command: Close, draft: Draft, ctx: Context) -> Outcome:
    _close(draft, ctx, "closed_by_centre")
    return Outcome(Status.CLOSED, {})
