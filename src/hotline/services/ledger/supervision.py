"""Supervision (督办单): opening, answering, closing and listing them.

``escalate`` is the one way to open a supervision, of a case or (given ``problem``) of a ledger
problem, called inside the caller's transaction by callbacks, by the problem ledger and by
supervisors; ``escalate_many`` is the same for a batch of cases (the deadline sweep). What opens —
the record, the event's details, the notification, the case's mark, the due time, once per level
and source while one is open — is decided in :mod:`hotline.domain.supervision`
(``open_supervision``, ``NewSupervision``), so this online path and a bulk sink cannot drift
apart; here the rows are loaded, locked and written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from hotline.adapters.db.bulk import insert_rows_returning_ids
from hotline.adapters.db.models import Case, Problem, Supervision, Unit
from hotline.domain.errors import IllegalTransition, InvalidInput, NotFound
from hotline.domain.roles import Actor, Permission, Role, require
from hotline.domain.supervision import LEVEL_LABELS as LEVEL_LABELS
from hotline.domain.supervision import MARKS_CASE_SUPERVISED as MARKS_CASE_SUPERVISED
from hotline.domain.supervision import NO_HEAD_WARNING as NO_HEAD_WARNING
from hotline.domain.supervision import RESPONSE_WORKING_DAYS as RESPONSE_WORKING_DAYS
from hotline.domain.supervision import (
    Escalation,
    NewSupervision,
    Subject,
    SupervisionLevel,
    SupervisionStatus,
    TargetUnit,
    open_supervision,
    response_due,
)
from hotline.domain.supervision import case_changes as case_changes
from hotline.domain.supervision import head_warning as _named_head_warning
from hotline.services.accounts.scope import load_case_in_scope
from hotline.services.cases.history import BatchHistory, append_event
from hotline.services.context import Hotline
from hotline.services.outbox import enqueue, enqueue_many
from hotline.services.reference.units import contact_label, unit_codes

# The names callers imported from here before the rules moved to the domain; new code imports
# hotline.domain.supervision.
Level = SupervisionLevel


def _level(value: str) -> Level:
    try:
        return Level(value)
    except ValueError as exc:
        allowed = "/".join(level.value for level in Level)
        raise InvalidInput(f"督办级别须为 {allowed}", fields=("level",)) from exc


def _open_ones(
    session: Session, owner: ColumnElement[bool], level: Level, source: str
) -> list[Supervision]:
    """The open supervisions of this level and source for ``owner`` (a case or a problem)."""
    stmt = select(Supervision).where(
        owner,
        Supervision.level == level,
        Supervision.source == source,
        Supervision.status != SupervisionStatus.CLOSED,
    )
    return list(session.scalars(stmt))


def _head_label(unit: Unit | None) -> str | None:
    return contact_label(unit)


def head_warning(level: str, unit: Unit | None) -> str | None:
    """A 一把手督办 of a unit without a named head reaches nobody: say so."""
    return _named_head_warning(level, unit.head_name if unit else None)


def target_unit(unit: Unit | None) -> TargetUnit | None:
    """The unit row as a supervision names it."""
    if unit is None:
        return None
    return TargetUnit(
        unit.id, unit.code, unit.name, unit.head_name, unit.head_title, contact_label(unit)
    )


def escalate(
    hotline: Hotline,
    session: Session,
    case: Case,
    level: Level,
    reason: str,
    source: str,
    actor: str,
    now: datetime,
    *,
    problem: Problem | None = None,
) -> Supervision:
    """Open a supervision (in the caller's transaction); idempotent per level and source.

    Of ``case``, addressed to its lead unit; or, given ``problem``, of that ledger problem,
    addressed to the problem's lead unit and its head, with ``case`` the complaint that
    triggered it (its history records the supervision). What opens is decided by
    :func:`hotline.domain.supervision.open_supervision`; here it is loaded and written."""
    if problem is not None:
        owner, lead_unit_id = Supervision.problem_id == problem.id, problem.lead_unit_id
        subject = Subject.of_problem(
            problem.id, problem.district_code, case.id, case.number, case.district_code
        )
    else:
        owner, lead_unit_id = Supervision.case_id == case.id, case.lead_unit_id
        subject = Subject(case.id, case.number, case.district_code)
    existing = _open_ones(session, owner, level, source)
    unit = target_unit(session.get(Unit, lead_unit_id) if lead_unit_id else None)
    escalation = Escalation(level, reason, source, actor)
    opening = open_supervision(subject, escalation, unit, hotline.clock, now, existing)
    if opening is None:
        return existing[0]
    return _write(session, case, opening)


def close_problem_supervisions(
    session: Session, problem_id: int, outcome: str, now: datetime
) -> list[int]:
    """Close the still-open supervisions of a ledger problem (in the caller's transaction): a
    problem written off ends its round of supervision, so a recurrence opens a new one."""
    stmt = select(Supervision).where(
        Supervision.problem_id == problem_id, Supervision.status != SupervisionStatus.CLOSED
    )
    records = list(session.scalars(stmt.order_by(Supervision.id)))
    for record in records:
        record.status, record.outcome = SupervisionStatus.CLOSED.value, outcome
        record.closed_at, record.closed_by = now, "system"
    return [record.id for record in records]


def _write(session: Session, case: Case, opening: NewSupervision) -> Supervision:
    """The record, the case's mark, its ``supervise`` event and the notification."""
    record = Supervision(**opening.record())
    session.add(record)
    session.flush()
    for name, value in opening.case_changes().items():
        setattr(case, name, value)
    append_event(
        session,
        case,
        action="supervise",
        actor=opening.escalation.actor,
        at=opening.now,
        from_status=case.status,
        to_status=case.status,
        reason=opening.escalation.reason,
        details=opening.event_details(record.id),
    )
    enqueue(session, "notify", opening.notice(record.id), opening.now)
    return record


@dataclass(frozen=True)
class Target:
    """A case to supervise as set-based work reads it: columns, not an ORM object. Its row must
    be locked by the caller (the sweep claims it FOR UPDATE)."""

    case_id: int
    number: str
    status: str
    lead_unit_id: int | None
    district_code: str | None


def _open_among(session: Session, case_ids: list[int], level: Level, source: str) -> set[int]:
    stmt = select(Supervision.case_id).where(
        Supervision.case_id.in_(case_ids),
        Supervision.level == level.value,
        Supervision.source == source,
        Supervision.status != SupervisionStatus.CLOSED,
    )
    return {case_id for case_id in session.scalars(stmt) if case_id is not None}


def _units(session: Session, ids: set[int]) -> dict[int, Unit]:
    if not ids:
        return {}
    return {unit.id: unit for unit in session.scalars(select(Unit).where(Unit.id.in_(ids)))}


def escalate_many(
    hotline: Hotline,
    session: Session,
    targets: list[Target],
    escalation: Escalation,
    now: datetime,
    history: BatchHistory,
) -> set[int]:
    """``escalate`` for many cases at once, with the same rules: a case that has this level and
    source open gets nothing new; every other gets the supervision, its ``supervise`` event
    (appended to ``history``, written by the caller) and its notification. Returns the ids of
    the cases supervised now; the caller applies ``case_changes`` to them."""
    if not targets:
        return set()
    level, source = escalation.level, escalation.source
    already = _open_among(session, [target.case_id for target in targets], level, source)
    targets = [target for target in targets if target.case_id not in already]
    if not targets:
        return set()
    rows = _units(session, {t.lead_unit_id for t in targets if t.lead_unit_id is not None})
    units = {unit_id: target_unit(row) for unit_id, row in rows.items()}
    due_at = response_due(hotline.clock, level, now)  # one opening time: one due time
    openings = [
        NewSupervision(
            Subject(target.case_id, target.number, target.district_code),
            escalation,
            units.get(target.lead_unit_id) if target.lead_unit_id is not None else None,
            now,
            due_at,
        )
        for target in targets
    ]
    ids = insert_rows_returning_ids(session, Supervision, [o.record() for o in openings])
    for target, opening, record_id in zip(targets, openings, ids, strict=True):
        history.append(
            target.case_id,
            target.number,
            action="supervise",
            actor=escalation.actor,
            at=now,
            from_status=target.status,
            to_status=target.status,
            reason=escalation.reason,
            details=opening.event_details(record_id),
        )
    enqueue_many(session, "notify", [o.notice(i) for o, i in zip(openings, ids, strict=True)], now)
    return {target.case_id for target in targets}


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
        if record.status != SupervisionStatus.OPEN:
            raise IllegalTransition("该督办单已回复或已办结")
        record.status, record.response = SupervisionStatus.RESPONDED.value, response.strip()
        record.responded_at, record.responded_by = now, actor.name


def close(hotline: Hotline, supervision_id: int, outcome: str, actor: Actor, now: datetime) -> None:
    require(actor.role, Permission.SUPERVISE)
    with hotline.db.transaction() as session:
        record = _load_for(session, supervision_id, actor)
        if record.status == SupervisionStatus.CLOSED:
            raise IllegalTransition("该督办单已办结")
        record.status = SupervisionStatus.CLOSED.value
        record.outcome = (outcome or "").strip() or None
        record.closed_at, record.closed_by = now, actor.name


def _view(
    record: Supervision, units: dict[int, str], cases: dict[int, str], people: dict[int, Unit]
) -> dict[str, Any]:
    unit = people.get(record.target_unit_id or 0)
    warning = head_warning(record.level, unit)
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
        "contact": _head_label(unit),
        "warning": None if record.status == SupervisionStatus.CLOSED else warning,
        "district_code": record.district_code,
        "status": record.status,
        "due_at": record.due_at.isoformat() if record.due_at else None,
        "response": record.response,
        "outcome": record.outcome,
        "created_at": record.created_at.isoformat(),
        "created_by": record.created_by,
    }


def supervision_view(hotline: Hotline, supervision_id: int) -> dict[str, Any]:
    """One supervision as the list shows it — whom it names (``contact``) and, for a
    一把手督办 of a unit without a named head, the ``warning`` — e.g. to answer its opening."""
    with hotline.db.transaction() as session:
        record = session.get(Supervision, supervision_id)
        if record is None:
            raise NotFound(f"未找到督办单 {supervision_id}")
        people = _units(session, {record.target_unit_id} if record.target_unit_id else set())
        codes = {unit_id: unit.code for unit_id, unit in people.items()}
        case = session.get(Case, record.case_id) if record.case_id else None
        cases = {case.id: case.number} if case is not None else {}
        return _view(record, codes, cases, people)


def list_supervisions(
    hotline: Hotline,
    actor: Actor,
    *,
    level: str | None = None,
    unit: str | None = None,
    district: str | None = None,
    status: str | None = SupervisionStatus.OPEN.value,
    problem_id: int | None = None,
) -> list[dict[str, Any]]:
    """Open supervision by level, unit, district and problem, newest first, within reach."""
    if actor.role is Role.HANDLER:
        unit_filter: int | None = actor.unit_id
    else:
        require(actor.role, Permission.READ_CASE)
        unit_filter = None
    with hotline.db.transaction() as session:
        units = unit_codes(session)
        stmt = select(Supervision).order_by(Supervision.id.desc())
        if level:
            stmt = stmt.where(Supervision.level == _level(level).value)
        if status:
            stmt = stmt.where(Supervision.status == status)
        if problem_id is not None:
            stmt = stmt.where(Supervision.problem_id == problem_id)
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
        targets = {r.target_unit_id for r in records if r.target_unit_id}
        people = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(targets)))}
        return [_view(record, units, cases, people) for record in records]


def supervisions_of_case(session: Session, case: Case) -> list[dict[str, Any]]:
    """The case's 督办单, newest first, in the same shape as the supervision list."""
    records = session.scalars(
        select(Supervision)
        .where(Supervision.case_id == case.id)
        .order_by(Supervision.created_at.desc(), Supervision.id.desc())
    ).all()
    targets = {r.target_unit_id for r in records if r.target_unit_id is not None}
    people = _units(session, targets)
    codes = {unit_id: unit.code for unit_id, unit in people.items()}
    return [_view(record, codes, {case.id: case.number}, people) for record in records]
