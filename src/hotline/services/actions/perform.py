"""Every change to a case goes through :func:`perform_action`: one transaction, one history event.

The order matters: find the case in the actor's scope, check the version the caller saw, check
that the action is available to the actor (:func:`hotline.domain.availability.check_action`: the
role, the (state, action) pair against the transition table, the case's standing — the same
function that lists ``allowed_actions`` in the case view), run the handler, check the chosen target
against the table again, then write the event. Any refusal raises before commit, so nothing is
half-applied.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields as dataclass_fields
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from hotline.adapters.db.models import Case
from hotline.domain.availability import check_action
from hotline.domain.commands import Command
from hotline.domain.errors import ConcurrentChange
from hotline.domain.handlers import CONVERTED, handle
from hotline.domain.handlers.facts import Context
from hotline.domain.ledger import TrailEvent
from hotline.domain.lifecycle import Action, Status, transition
from hotline.domain.roles import Actor
from hotline.services.accounts.scope import load_case_in_scope
from hotline.services.actions import centre, closing, extension, unit
from hotline.services.actions.reference import SessionReference, handler_rules
from hotline.services.actions.sink import apply_changes
from hotline.services.actions.support import ActionContext, Outcome, case_standing
from hotline.services.cases.history import append_event
from hotline.services.context import Hotline
from hotline.services.ledger.problems import sync_case_problem

Handler = Callable[[ActionContext], Outcome]

HANDLERS: dict[Action, Handler] = {
    Action.REGISTER: centre.register,
    Action.ANSWER_DIRECTLY: centre.answer_directly,
    Action.VOID: centre.void,
    Action.DISPATCH: centre.dispatch,
    Action.SUB_DISPATCH: unit.sub_dispatch,
    Action.ACCEPT: unit.accept,
    Action.RETURN: unit.return_case,
    Action.APPROVE_RETURN: unit.approve_return,
    Action.REJECT_RETURN: unit.reject_return,
    Action.REQUEST_EXTENSION: extension.request_extension,
    Action.APPROVE_EXTENSION: extension.approve_extension,
    Action.REFUSE_EXTENSION: extension.refuse_extension,
    Action.REPLY: unit.reply,
    Action.VERIFY: closing.verify,
    Action.RECORD_CALLBACK: closing.record_callback,
    Action.REOPEN: closing.reopen,
    Action.CLOSE: closing.close,
    Action.CO_OPINION: unit.co_opinion,
}


def _maintain_callback_queue(case: Case, from_status: Status, now: datetime) -> None:
    """A case enters the callback queue when it reaches callback_pending and leaves it with
    any other state; retries set their own next attempt (see record_callback)."""
    if case.status != Status.CALLBACK_PENDING.value:
        case.callback_next_at = None
    elif from_status is not Status.CALLBACK_PENDING:
        case.callback_next_at = now


def _legacy_fields(command: Command) -> dict[str, Any]:
    """The fields a handler still in the services reads (while the actions move to the domain)."""
    values = {f.name: getattr(command, f.name) for f in dataclass_fields(command)}
    values.pop("reason")
    return {k: list(v) if isinstance(v, tuple) else v for k, v in values.items() if v is not None}


def _run_legacy(hotline: Hotline, session: Session, case: Case, command: Command, actor: Actor,
                now: datetime) -> None:  # fmt: skip
    action = command.action
    from_status = Status(case.status)
    fields = _legacy_fields(command)
    ctx = ActionContext(hotline, session, case, actor, now, fields, command.reason)
    outcome = HANDLERS[action](ctx)
    case.status = transition(from_status, action, outcome.to_status).value
    case.updated_at = now
    _maintain_callback_queue(case, from_status, now)
    pending = TrailEvent(action.value, case.status, now, outcome.details)
    ledger = sync_case_problem(hotline, session, case, now, pending)  # 挂号销账
    append_event(
        session,
        case,
        action=action.value,
        actor=actor.name,
        at=now,
        from_status=from_status.value,
        to_status=case.status,
        reason=command.reason,
        details={**outcome.details, **ledger},
    )


def perform_action(
    hotline: Hotline,
    number: str,
    command: Command,
    actor: Actor,
    now: datetime,
    *,
    expected_version: int | None = None,
) -> int:
    """Apply ``command`` to case ``number``; returns the case's new version."""
    try:
        with hotline.db.transaction() as session:
            case = load_case_in_scope(session, number, actor, for_update=True)
            if expected_version is not None and case.version != expected_version:
                raise ConcurrentChange(
                    f"工单 {number} 已被他人修改（当前版本 {case.version}，"
                    f"您看到的是 {expected_version}），请刷新后重试"
                )
            # Refuse what the case view would not offer, before touching anything.
            check_action(case_standing(hotline, session, case, now), actor, command.action)
            if command.action in CONVERTED:
                ctx = Context(
                    actor, now, handler_rules(hotline), SessionReference(hotline, session)
                )
                apply_changes(hotline, session, case, handle(command, case, ctx))
            else:
                _run_legacy(hotline, session, case, command, actor, now)
            session.flush()
            return case.version
    except StaleDataError as exc:
        raise ConcurrentChange(f"工单 {number} 已被他人同时修改，请刷新后重试") from exc
