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

from sqlalchemy import ColumnElement, Select, and_, func, literal_column, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

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


UNIT_FIELDS = ("inbox", "new_cases", "awaiting_accept", "co_pending", "warning", "overdue")
SUPERVISION_FIELDS = ("supervisions_open", "new_supervisions")


def unit_counts_query(
    unit_id: int, since: datetime | None, now: datetime
) -> Select[int, int, int, int, int, int]:
    """The unit's own assignments still to act on, and how its lead cases stand on time: one
    row of ``UNIT_FIELDS`` (bench/bench_counters.py times this very statement)."""
    lead = Assignment.role == literal_column("'lead'")
    co = Assignment.role == literal_column("'co'")
    return (
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
    )


def supervision_counts_query(unit_id: int, since: datetime | None) -> Select[int, int]:
    """The supervisions open against the unit, and those opened since: ``SUPERVISION_FIELDS``."""
    return select(func.count(), func.count().filter(_after(Supervision.created_at, since))).where(
        Supervision.target_unit_id == unit_id, OPEN_SUPERVISION
    )


def _one_row(session: Session, stmt: Executable, names: tuple[str, ...]) -> dict[str, int]:
    row = session.execute(stmt).one()
    return dict(zip(names, (int(value) for value in row), strict=True))


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


EMPTY_UNIT: dict[str, int | None] = dict.fromkeys(UNIT_FIELDS + SUPERVISION_FIELDS)


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
            unit_query = unit_counts_query(actor.unit_id, since, now)
            answer.update(_one_row(session, unit_query, UNIT_FIELDS))
            supervisions = supervision_counts_query(actor.unit_id, since)
            answer.update(_one_row(session, supervisions, SUPERVISION_FIELDS))
        if actor.role is Role.INSPECTOR:
            answer.update(_verification_counts(session, actor, since))
        return answer
