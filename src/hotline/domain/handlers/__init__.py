"""Pure action handlers: one per lifecycle action, over a typed command, returning a change set.

:func:`handle` is the one entry point: it runs the action's handler on a draft of the case,
checks the target it chose against the transition table, and adds what every action changes
(the status, ``updated_at``, the callback queue) and the history event. The guard
(:func:`hotline.domain.availability.check_action`) runs before, in the sink's transaction.
"""

from __future__ import annotations

from datetime import datetime

from hotline.domain.changes import CaseField, ChangeSet, Event, Value
from hotline.domain.commands import (
    Accept,
    AnswerDirectly,
    ApproveExtension,
    ApproveReturn,
    Close,
    Command,
    CoOpinion,
    Dispatch,
    RecordCallback,
    RefuseExtension,
    Register,
    RejectReturn,
    Reopen,
    Reply,
    RequestExtension,
    Return,
    SubDispatch,
    Verify,
    Void,
)
from hotline.domain.handlers import centre, closing, extension, unit
from hotline.domain.handlers.draft import Draft, Outcome
from hotline.domain.handlers.facts import CaseRecord, Context
from hotline.domain.lifecycle import Status, transition


def _decide(command: Command, draft: Draft, ctx: Context) -> Outcome:
    match command:
        case Register():
            return centre.register(command, draft, ctx)
        case AnswerDirectly():
            return centre.answer_directly(command, draft, ctx)
        case Void():
            return centre.void(command, draft, ctx)
        case Dispatch():
            return centre.dispatch(command, draft, ctx)
        case SubDispatch():
            return unit.sub_dispatch(command, draft, ctx)
        case Accept():
            return unit.accept(command, draft, ctx)
        case Return():
            return unit.return_case(command, draft, ctx)
        case ApproveReturn():
            return unit.approve_return(command, draft, ctx)
        case RejectReturn():
            return unit.reject_return(command, draft, ctx)
        case Reply():
            return unit.reply(command, draft, ctx)
        case CoOpinion():
            return unit.co_opinion(command, draft, ctx)
        case RequestExtension():
            return extension.request_extension(command, draft, ctx)
        case ApproveExtension():
            return extension.approve_extension(command, draft, ctx)
        case RefuseExtension():
            return extension.refuse_extension(command, draft, ctx)
        case Verify():
            return closing.verify(command, draft, ctx)
        case RecordCallback():
            return closing.record_callback(command, draft, ctx)
        case Reopen():
            return closing.reopen(command, draft, ctx)
        case Close():
            return closing.close(command, draft, ctx)


def callback_queue_changes(before: Status, after: Status, now: datetime) -> dict[CaseField, Value]:
    """A case enters the callback queue when it reaches callback_pending and leaves it with any
    other state; retries set their own next attempt (see record_callback)."""
    if after is not Status.CALLBACK_PENDING:
        return {"callback_next_at": None}
    if before is not Status.CALLBACK_PENDING:
        return {"callback_next_at": now}
    return {}


def handle(command: Command, case: CaseRecord, ctx: Context) -> ChangeSet:
    """Everything ``command`` changes on ``case``, decided; nothing written."""
    draft = Draft(case)
    outcome = _decide(command, draft, ctx)
    before = Status(case.status)
    after = transition(before, command.action, outcome.to_status)
    draft.set({"status": after.value, "updated_at": ctx.now})
    draft.set(callback_queue_changes(before, after, ctx.now))
    event = Event(
        action=command.action.value,
        actor=ctx.actor.name,
        at=ctx.now,
        from_status=before.value,
        to_status=after.value,
        reason=command.reason,
        details=outcome.details,
    )
    return draft.freeze(event)
