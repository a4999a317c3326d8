"""Every change to a case goes through :func:`perform_action`: one transaction, one history event.

The order matters: find the case in the actor's scope and lock it, check the version the caller
saw, check that the action is available to the actor
(:func:`hotline.domain.availability.check_action`: the role, the (state, action) pair against the
transition table, the case's standing — the same function that lists ``allowed_actions`` in the
case view), let the action's pure handler decide the change set
(:func:`hotline.domain.handlers.handle`, which checks the chosen target against the table again;
a reply first needs the on-site photo the city's 现场处置 rule asks for, read from the case's
attachments), then apply it (:mod:`hotline.services.actions.sink`). Any refusal raises before
commit, so nothing is half-applied.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm.exc import StaleDataError

from hotline.domain.availability import check_action
from hotline.domain.commands import Command, Reply
from hotline.domain.errors import ConcurrentChange
from hotline.domain.handlers import handle
from hotline.domain.handlers.facts import Context
from hotline.domain.roles import Actor
from hotline.services.accounts.scope import load_case_in_scope
from hotline.services.actions.reference import SessionReference, handler_rules
from hotline.services.actions.sink import apply_changes
from hotline.services.actions.support import case_standing
from hotline.services.cases.attachments import require_reply_evidence
from hotline.services.context import Hotline


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
            if isinstance(command, Reply):  # 现场处置: an after photo with a position first
                require_reply_evidence(session, hotline, case, command.result_type.value)
            ctx = Context(actor, now, handler_rules(hotline), SessionReference(hotline, session))
            apply_changes(hotline, session, case, handle(command, case, ctx))
            session.flush()
            return case.version
    except StaleDataError as exc:
        raise ConcurrentChange(f"工单 {number} 已被他人同时修改，请刷新后重试") from exc
