"""A live inbox: the few numbers a handler's or inspector's page polls (GET /api/v1/me/counters).

Polled every 30 s by every open page, so each figure is one indexed read of what the caller
still has to act on, never of everything the unit ever handled: a unit's pending and accepted
assignments (partial index ``ix_case_assignments_unit_active``), the supervisions still open
against it (``ix_supervisions_unit_open``), the cases awaiting verification. The counts are
totals, not deltas: a client polls with ``since`` = when its user last looked at the inbox, and
the same poll twice gives the same answer (docs/api.md, "A live inbox").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal_column, select, true
from sqlalchemy.orm import Session

from hotline.adapters.db.models import Assignment, Case, Supervision, Unit
from hotline.domain.errors import Forbidden
from hotline.domain.roles import Actor, Permission, Role, require
from hotline.domain.sla import SlaState
from hotline.services.accounts.scope import restrict_to_scope
from hotline.services.cases.lists import sla_condition
from hotline.services.context import Hotline

# Inline, as the partial indexes' WHERE, so that the planner matches them.
ACTIVE = Assignment.status.in_([literal_column("'pending'"), literal_column("'accepted'")])
OPEN_SUPERVISION = Supervision.status == literal_column("'open'")
PENDING: ColumnElement[str] = literal_column("'pending'")


def _after(column: Any, since: datetime | None) -> ColumnElement[bool]:
    return true() if since is None else column > since


def _unit_counts(
    session: Session, unit_id: int, since: datetime | None, now: datetime
) -> dict[str, int]:
    """The unit's own assignments still to act on, and how its lead cases stand on time."""
    lead = Assignment.role == literal_column("'lead'")
    co = Assignment.role == literal_column("'co'")
    row = session.execute(
        select(
            func.count(),
            func.count().filter(_after(Assignment.dispatched_at, since)),
            func.count().filter(and_(lead, Assignment.status == PENDING)),
            func.count().filter(and_(co, Assignment.status == PENDING)),
            func.count().filter(and_(lead, sla_condition(SlaState.WARNING, now))),
            func.count().filter(and_(lead, sla_condition(SlaState.OVERDUE, now))),
        )
        .select_from(Assignment)
        .join(Case, Case.id == Assignment.case_id)
        .where(Assignment.unit_id == unit_id, ACTIVE)
    ).one()
    names = ("inbox", "new_cases", "awaiting_accept", "co_pending", "warning", "overdue")
    return dict(zip(names, (int(value) for value in row), strict=True))


def _supervision_counts(session: Session, unit_id: int, since: datetime | None) -> dict[str, int]:
    opened, new = session.execute(
        select(func.count(), func.count().filter(_after(Supervision.created_at, since))).where(
            Supervision.target_unit_id == unit_id, OPEN_SUPERVISION
        )
    ).one()
    return {"supervisions_open": int(opened), "new_supervisions": int(new)}


def _verification_counts(session: Session, actor: Actor, since: datetime | None) -> dict[str, int]:
    """Cases in the inspector's scope awaiting verification (核查), and those that came since."""
    stmt = select(Case.id, Case.replied_at).where(Case.status == literal_column("'verifying'"))
    waiting = restrict_to_scope(session, stmt, actor).subquery()  # type: ignore[arg-type]
    total, new = session.execute(
        select(func.count(), func.count().filter(_after(waiting.c.replied_at, since))).select_from(
            waiting
        )
    ).one()
    return {"to_verify": int(total), "new_to_verify": int(new)}


EMPTY_UNIT: dict[str, int | None] = dict.fromkeys(
    (
        "inbox",
        "new_cases",
        "awaiting_accept",
        "co_pending",
        "warning",
        "overdue",
        "supervisions_open",
        "new_supervisions",
    )
)


def my_counters(
    hotline: Hotline, actor: Actor, since: datetime | None, now: datetime
) -> dict[str, Any]:
    """The caller's live-inbox figures at ``now``; ``new_*`` count what came after ``since``
    (everything, without it). A handler gets its unit's, an inspector the verification queue
    of its scope; other desks have queues of their own (the dispatch and callback desks)."""
    require(actor.role, Permission.READ_CASE)
    if actor.role not in (Role.HANDLER, Role.INSPECTOR):
        raise Forbidden("待办计数仅适用于承办人和核查员")
    with hotline.db.transaction() as session:
        answer: dict[str, Any] = {
            "as_of": now.isoformat(),
            "since": since.isoformat() if since is not None else None,
            "unit": None,
            "unit_name": None,
            **EMPTY_UNIT,
            "to_verify": None,
            "new_to_verify": None,
        }
        if actor.role is Role.HANDLER and actor.unit_id is not None:
            unit = session.get(Unit, actor.unit_id)
            answer["unit"], answer["unit_name"] = (unit.code, unit.name) if unit else (None, None)
            answer.update(_unit_counts(session, actor.unit_id, since, now))
            answer.update(_supervision_counts(session, actor.unit_id, since))
        if actor.role is Role.INSPECTOR:
            answer.update(_verification_counts(session, actor, since))
        return answer
