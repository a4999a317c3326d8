"""The callback queue (回访): cases awaiting a call, due first, retries spaced out.

Callback operators work the queue; the phone number stays masked here and is revealed (and the
reveal audited) only when an operator calls (see case_views.reveal_caller).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from hotline.adapters.db.models import Case
from hotline.domain.lifecycle import Action, Status
from hotline.domain.privacy import mask_name, mask_phone
from hotline.domain.roles import Actor, require
from hotline.services.accounts.scope import restrict_to_scope
from hotline.services.context import Hotline


def _item(case: Case, now: datetime) -> dict[str, Any]:
    return {
        "number": case.number,
        "title": case.title,
        "content": case.content[:200],
        "caller_name": mask_name(case.caller_name),
        "caller_phone": mask_phone(case.caller_phone),
        "attempts": case.callback_attempts,
        "callback_due_at": case.callback_due_at.isoformat() if case.callback_due_at else None,
        "overdue": case.callback_due_at is not None and case.callback_due_at < now,
        "result_type": case.result_type,
        "reply_text": case.reply_text,
        "version": case.version,
    }


def callback_queue(
    hotline: Hotline, actor: Actor, now: datetime, limit: int = 50
) -> dict[str, Any]:
    """Cases whose next callback attempt is due, the most urgent deadline first."""
    require(actor.role, Action.RECORD_CALLBACK)
    with hotline.db.transaction() as session:
        pending = restrict_to_scope(
            session, select(Case).where(Case.status == Status.CALLBACK_PENDING.value), actor
        )
        due = pending.where(Case.callback_next_at <= now)
        rows = session.scalars(due.order_by(Case.callback_due_at, Case.id).limit(limit)).all()
        waiting = session.scalar(select(func.count()).select_from(pending.subquery())) or 0
        return {"due_now": [_item(case, now) for case in rows], "pending_total": waiting}
