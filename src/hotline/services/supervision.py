"""Supervision (督办单): 催办 → 督办 → 重点督办 → 一把手督办.

``escalate`` is the one way to open a supervision, called inside the caller's transaction by the
deadline sweep, by callbacks, by the problem ledger and by supervisors. Opening one writes a case
history event and queues a notification to the target unit; the same level and source is never
opened twice while one is open.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.adapters.db.models import Case, Supervision, Unit
from hotline.domain.errors import IllegalTransition, InvalidInput, NotFound
from hotline.domain.roles import Actor, Permission, Role, require
from hotline.services.context import Hotline
from hotline.services.deadlines import add_working_days
from hotline.services.history import append_event
from hotline.services.outbox import enqueue
from hotline.services.scope import load_case_in_scope


class Level(StrEnum):
    URGE = "urge"  # 催办
    SUPERVISE = "supervise"  # 督办
    PRIORITY = "priority"  # 重点督办
    HEAD = "head"  # 一把手督办


LEVEL_LABELS = {
    Level.URGE: "催办",
    Level.SUPERVISE: "督办",
    Level.PRIORITY: "重点督办",
    Level.HEAD: "一把手督办",
}
RESPONSE_WORKING_DAYS = {Level.URGE: 1, Level.SUPERVISE: 2, Level.PRIORITY: 3, Level.HEAD: 3}
MARKS_CASE_SUPERVISED = {Level.SUPERVISE, Level.PRIORITY, Level.HEAD}


def _level(value: str) -> Level:
    try:
        return Level(value)
    except ValueError as exc:
        allowed = "/".join(level.value for level in Level)
        raise InvalidInput(f"督办级别须为 {allowed}", fields=("level",)) from exc


def _already_open(session: Session, case: Case, level: Level, source: str) -> Supervision | None:
    stmt = select(Supervision).where(
        Supervision.case_id == case.id,
        Supervision.level == level,
        Supervision.source == source,
        Supervision.status != "closed",
    )
    return session.scalars(stmt).first()


def escalate(
    hotline: Hotline,
    session: Session,
    case: Case,
    level: Level,
    reason: str,
    source: str,
    actor: str,
    now: datetime,
) -> Supervision:
    """Open a supervision of ``case`` (in the caller's transaction); idempotent per level+source."""
    existing = _already_open(session, case, level, source)
    if existing is not None:
        return existing
    unit = session.get(Unit, case.lead_unit_id) if case.lead_unit_id else None
    record = Supervision(
        case_id=case.id,
        level=level.value,
        source=source,
        reason=reason,
        target_unit_id=unit.id if unit else None,
        head_name=unit.head_name if unit else None,
        head_title=unit.head_title if unit else None,
        district_code=case.district_code,
        status="open",
        created_at=now,
        created_by=actor,
        due_at=add_working_days(hotline, now, RESPONSE_WORKING_DAYS[level]),
    )
    session.add(record)
    session.flush()
    if level in MARKS_CASE_SUPERVISED:
        case.supervised = True
    case.updated_at = now
    append_event(
        session,
        case,
        action="supervise",
        actor=actor,
        at=now,
        from_status=case.status,
        to_status=case.status,
        reason=reason,
        details={
            "supervision": record.id,
            "level": level.value,
            "source": source,
            "unit": unit.code if unit else None,
            "head": _head_label(unit),
        },
    )
    enqueue(
        session,
        "notify",
        {
            "template": "supervision",
            "supervision": record.id,
            "case": case.number,
            "level": level.value,
            "unit": unit.code if unit else None,
        },
        now,
    )
    return record


def _head_label(unit: Unit | None) -> str | None:
    if unit is None:
        return None
    return f"{unit.name}{unit.head_title or '负责人'}{unit.head_name or ''}"


def supervise_case(
    hotline: Hotline, number: str, level: str, reason: str, actor: Actor, now: datetime
) -> int:
    """A supervisor's manual supervision; returns the supervision id."""
    require(actor.role, Permission.SUPERVISE)
    if not reason or not reason.strip():
        raise InvalidInput("督办须写明原因", fields=("reason",))
    with hotline.db.transaction() as session:
        case = load_case_in_scope(session, number, actor, for_update=True)
        if case.lead_unit_id is None:
            raise IllegalTransition("工单尚未派遣，无督办对象")
        return escalate(
            hotline, session, case, _level(level), reason.strip(), "manual", actor.name, now
        ).id


def _load_for(session: Session, supervision_id: int, actor: Actor) -> Supervision:
    record = session.get(Supervision, supervision_id, with_for_update=True)
    if record is None:
        raise NotFound(f"未找到督办单 {supervision_id}")
    if actor.role is Role.HANDLER and record.target_unit_id != actor.unit_id:
        raise NotFound(f"未找到督办单 {supervision_id}")
    return record


def respond(
    hotline: Hotline, supervision_id: int, response: str, actor: Actor, now: datetime
) -> None:
    """The target unit answers the supervision (what it did, who is responsible)."""
    require(actor.role, Permission.RESPOND_SUPERVISION)
    if not response or not response.strip():
        raise InvalidInput("督办回复不能为空", fields=("response",))
    with hotline.db.transaction() as session:
        record = _load_for(session, supervision_id, actor)
        if record.status != "open":
            raise IllegalTransition("该督办单已回复或已办结")
        record.status, record.response = "responded", response.strip()
        record.responded_at, record.responded_by = now, actor.name


def close(hotline: Hotline, supervision_id: int, outcome: str, actor: Actor, now: datetime) -> None:
    require(actor.role, Permission.SUPERVISE)
    with hotline.db.transaction() as session:
        record = _load_for(session, supervision_id, actor)
        if record.status == "closed":
            raise IllegalTransition("该督办单已办结")
        record.status, record.outcome = "closed", (outcome or "").strip() or None
        record.closed_at, record.closed_by = now, actor.name


def _view(record: Supervision, units: dict[int, str], cases: dict[int, str]) -> dict[str, Any]:
    return {
        "id": record.id,
        "case": cases.get(record.case_id or 0),
        "problem_id": record.problem_id,
        "level": record.level,
        "level_label": LEVEL_LABELS[Level(record.level)],
        "source": record.source,
        "reason": record.reason,
        "unit": units.get(record.target_unit_id or 0),
        "head_name": record.head_name,
        "head_title": record.head_title,
        "district_code": record.district_code,
        "status": record.status,
        "due_at": record.due_at.isoformat() if record.due_at else None,
        "response": record.response,
        "outcome": record.outcome,
        "created_at": record.created_at.isoformat(),
        "created_by": record.created_by,
    }


def list_supervisions(
    hotline: Hotline,
    actor: Actor,
    *,
    level: str | None = None,
    unit: str | None = None,
    district: str | None = None,
    status: str | None = "open",
) -> list[dict[str, Any]]:
    """Open supervision by level, unit and district, newest first, within the actor's reach."""
    if actor.role is Role.HANDLER:
        unit_filter: int | None = actor.unit_id
    else:
        require(actor.role, Permission.READ_CASE)
        unit_filter = None
    with hotline.db.transaction() as session:
        units = {row.id: row.code for row in session.execute(select(Unit.id, Unit.code))}
        stmt = select(Supervision).order_by(Supervision.id.desc())
        if level:
            stmt = stmt.where(Supervision.level == _level(level).value)
        if status:
            stmt = stmt.where(Supervision.status == status)
        if unit:
            stmt = stmt.where(
                Supervision.target_unit_id.in_(select(Unit.id).where(Unit.code == unit))
            )
        if unit_filter is not None:
            stmt = stmt.where(Supervision.target_unit_id == unit_filter)
        district = actor.district_code or district
        if district:
            stmt = stmt.where(Supervision.district_code == district)
        records = session.scalars(stmt.limit(1000)).all()
        ids = [r.case_id for r in records if r.case_id]
        cases = {
            row.id: row.number
            for row in session.execute(select(Case.id, Case.number).where(Case.id.in_(ids)))
        }
        return [_view(record, units, cases) for record in records]
