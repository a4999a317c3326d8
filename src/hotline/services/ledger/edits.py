"""Operators correcting the ledger: link a case to another problem, unlink it (it gets a problem
of its own), and import groups found by ``hotline repeats cluster``. Each edit is one transaction,
audited in problem_links and in the case's history; concurrent edits: one wins, the other 409.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from hotline.adapters.db.models import Case, Problem
from hotline.domain.errors import ConcurrentChange, IllegalTransition, NotFound
from hotline.domain.ledger import ProblemStatus
from hotline.domain.lifecycle import Action, Status
from hotline.domain.roles import Actor, require
from hotline.services.accounts.scope import load_case_in_scope
from hotline.services.cases.history import append_event
from hotline.services.context import Hotline
from hotline.services.ledger.problems import (
    LinkNote,
    attach,
    lock_ledger,
    lock_problems,
    new_problem,
    review_problem,
)
from hotline.services.ledger.views import problem_in_scope

# Sorting cases into problems is the centre's work: whoever may register (立案) may relink.
EDIT_PERMISSION = Action.REGISTER


def _check_version(case: Case, expected: int | None) -> None:
    if expected is not None and case.version != expected:
        raise ConcurrentChange(
            f"工单 {case.number} 已被他人修改（当前版本 {case.version}，"
            f"您看到的是 {expected}），请刷新后重试"
        )


def _movable(case: Case) -> None:
    if case.status == Status.VOID:
        raise IllegalTransition(f"工单 {case.number} 已作废，不在问题台账上")


def _record(
    session: Session, case: Case, action: str, actor: str, now: datetime, details: dict[str, Any]
) -> None:
    case.updated_at = now
    append_event(
        session,
        case,
        action=action,
        actor=actor,
        at=now,
        from_status=case.status,
        to_status=case.status,
        details=details,
    )


def _move(
    hotline: Hotline,
    session: Session,
    case: Case,
    target: Problem,
    note: LinkNote,
    now: datetime,
) -> dict[str, Any]:
    previous = case.problem_id
    recurrence = attach(session, case, target, note, now)
    review_problem(hotline, session, target, case, now)
    return {"problem": target.id, "previous_problem": previous, "recurrence": recurrence}


def link_case(
    hotline: Hotline,
    number: str,
    problem_id: int,
    actor: Actor,
    now: datetime,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    """Put case ``number`` on problem ``problem_id``; returns the case's new version."""
    require(actor.role, EDIT_PERMISSION)
    try:
        with hotline.db.transaction() as session:
            case = load_case_in_scope(session, number, actor, for_update=True)
            _check_version(case, expected_version)
            _movable(case)
            lock_ledger(session)
            problem_in_scope(session, problem_id, actor)
            locked = lock_problems(session, [problem_id, case.problem_id])
            target = locked[problem_id]
            if target.status in (ProblemStatus.MERGED, ProblemStatus.VOID):
                raise IllegalTransition(f"问题 {problem_id} 已合并或作废，不能再归入工单")
            if case.problem_id == problem_id:
                return {"number": number, "version": case.version, "problem": problem_id}
            note = LinkNote(actor.name, None, ({"code": "manual", "text": reason or "人工归并"},))
            details = _move(hotline, session, case, target, note, now)
            _record(session, case, "link_problem", actor.name, now, details)
            session.flush()
            return {"number": number, "version": case.version, **details}
    except StaleDataError as exc:
        raise ConcurrentChange(f"工单 {number} 或其问题已被他人同时修改，请刷新后重试") from exc


def unlink_case(
    hotline: Hotline,
    number: str,
    actor: Actor,
    now: datetime,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
    from_problem: int | None = None,
) -> dict[str, Any]:
    """Take case ``number`` off its problem (``from_problem`` when given): it becomes a new
    problem of its own."""
    require(actor.role, EDIT_PERMISSION)
    try:
        with hotline.db.transaction() as session:
            case = load_case_in_scope(session, number, actor, for_update=True)
            _check_version(case, expected_version)
            _movable(case)
            if from_problem is not None and case.problem_id != from_problem:
                raise NotFound(f"工单 {number} 不在问题 {from_problem} 上")
            lock_ledger(session)
            current = lock_problems(session, [case.problem_id]).get(case.problem_id or 0)
            if current is not None and current.case_count == 1:
                raise IllegalTransition(f"工单 {number} 已单独成为一个问题，无需拆分")
            note = LinkNote(actor.name, None, ({"code": "manual", "text": reason or "人工拆分"},))
            details = _move(hotline, session, case, new_problem(session, case, now), note, now)
            _record(session, case, "unlink_problem", actor.name, now, details)
            session.flush()
            return {"number": number, "version": case.version, **details}
    except StaleDataError as exc:
        raise ConcurrentChange(f"工单 {number} 或其问题已被他人同时修改，请刷新后重试") from exc


@dataclass
class ImportReport:
    rows: int = 0
    groups: int = 0
    cases_moved: int = 0
    problems_created: int = 0
    problems_merged: int = 0
    unchanged: int = 0
    unknown_ids: list[str] = field(default_factory=list)
    void_ids: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def import_groups(
    hotline: Hotline, groups: dict[str, list[str]], source: str, now: datetime
) -> ImportReport:
    """Each group (case numbers) becomes one problem: the problem of its earliest case, into
    which the others' problems merge. Idempotent: a second run finds nothing to move. One
    transaction: an import either lands whole or not at all."""
    report = ImportReport(rows=sum(len(members) for members in groups.values()))
    with hotline.db.transaction() as session:
        lock_ledger(session)
        for members in groups.values():
            cases = _known_cases(session, members, report)
            if cases:
                report.groups += 1
                _import_group(hotline, session, cases, source, now, report)
    return report


def _known_cases(session: Session, members: list[str], report: ImportReport) -> list[Case]:
    found = {
        case.number: case for case in session.scalars(select(Case).where(Case.number.in_(members)))
    }
    report.unknown_ids += [number for number in members if number not in found]
    report.void_ids += [n for n in members if n in found and found[n].status == Status.VOID]
    usable = [case for case in found.values() if case.status != Status.VOID]
    return sorted(usable, key=lambda case: (case.created_at, case.id))


def _import_group(
    hotline: Hotline,
    session: Session,
    cases: list[Case],
    source: str,
    now: datetime,
    report: ImportReport,
) -> None:
    lock_problems(session, [case.problem_id for case in cases])
    target = session.get(Problem, cases[0].problem_id) if cases[0].problem_id else None
    if target is None:
        target = new_problem(session, cases[0], now)
        report.problems_created += 1
    before = {case.problem_id for case in cases if case.problem_id not in (None, target.id)}
    note = LinkNote(f"import:{source}"[:64], None, ({"code": "import", "text": "批量分组导入"},))
    for case in cases:
        if case.problem_id == target.id:
            report.unchanged += 1
            continue
        details = _move(hotline, session, case, target, note, now)
        _record(session, case, "link_problem", note.by, now, details)
        report.cases_moved += 1
    for problem_id in before:
        left = session.get(Problem, problem_id)
        if left is not None and left.status == ProblemStatus.MERGED:
            report.problems_merged += 1
