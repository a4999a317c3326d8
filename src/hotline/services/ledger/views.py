"""Reading the ledger: problem lists (filters, sorting, paging) and one problem with its cases,
link audit and supervision. Scope as for cases (services/accounts/scope.py): a district user sees
the problems of the district, a handler those with a case of its units; out of scope reads as not
found. Caller data is masked (the case summaries of case_views)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, false, func, or_, select, true
from sqlalchemy.orm import Session, selectinload

from hotline.adapters.db.models import Assignment, Case, Problem, ProblemLink, Supervision, Unit
from hotline.domain.errors import InvalidInput, NotFound
from hotline.domain.ledger import PROBLEM_STATUS_LABELS, SORTS, ProblemStatus
from hotline.domain.roles import Actor, Permission, ScopeKind, require
from hotline.services.accounts.scope import restrict_to_scope
from hotline.services.cases.views import summary_view
from hotline.services.context import Hotline
from hotline.services.reference.units import subtree_ids

STATUSES = (*(status.value for status in ProblemStatus), "all")
SECONDS_PER_DAY = 86_400


def _visible(session: Session, actor: Actor) -> ColumnElement[bool]:
    scope = actor.scope
    if scope.kind is ScopeKind.ALL:
        return true()
    if scope.kind is ScopeKind.DISTRICT:
        in_district = select(Unit.id).where(Unit.region_code == scope.district_code)
        return or_(
            Problem.district_code == scope.district_code, Problem.lead_unit_id.in_(in_district)
        )
    if scope.unit_id is None:
        return false()
    return exists().where(
        Case.problem_id == Problem.id,
        Assignment.case_id == Case.id,
        Assignment.unit_id.in_(subtree_ids(session, scope.unit_id)),
    )


def problem_in_scope(session: Session, problem_id: int, actor: Actor) -> Problem:
    problem = session.scalars(
        select(Problem).where(Problem.id == problem_id, _visible(session, actor))
    ).first()
    if problem is None:
        raise NotFound(f"未找到问题 {problem_id}")
    return problem


@dataclass(frozen=True)
class ProblemFilter:
    status: str = "open"
    district: str | None = None
    unit: str | None = None
    category: str | None = None
    min_complaints: int | None = None
    min_age_days: int | None = None
    sort: str = "age"
    page: int = 1
    page_size: int = 50

    def check(self) -> None:
        if self.status not in STATUSES:
            raise InvalidInput(f"status 须为 {'/'.join(STATUSES)}", fields=("status",))
        if self.sort not in SORTS:
            raise InvalidInput(f"sort 须为 {'/'.join(SORTS)}", fields=("sort",))
        if self.page < 1 or not 1 <= self.page_size <= 500:
            raise InvalidInput("page ≥ 1，page_size 须在 1–500 之间", fields=("page", "page_size"))
        if self.min_complaints is not None and self.min_complaints < 1:
            raise InvalidInput("min_complaints 须 ≥ 1", fields=("min_complaints",))
        if self.min_age_days is not None and self.min_age_days < 0:
            raise InvalidInput("min_age_days 不能为负数", fields=("min_age_days",))


def _filtered(session: Session, f: ProblemFilter, actor: Actor, now: datetime) -> Select[Any]:
    stmt = select(Problem).where(_visible(session, actor))
    if f.status != "all":
        stmt = stmt.where(Problem.status == f.status)
    if f.district:
        stmt = stmt.where(Problem.district_code == f.district)
    if f.unit:
        stmt = stmt.where(Problem.lead_unit_id.in_(select(Unit.id).where(Unit.code == f.unit)))
    if f.category:
        stmt = stmt.where(Problem.category_code == f.category)
    if f.min_complaints is not None:
        stmt = stmt.where(Problem.case_count >= f.min_complaints)
    if f.min_age_days is not None:
        cutoff = now.timestamp() - f.min_age_days * SECONDS_PER_DAY
        stmt = stmt.where(Problem.first_case_at <= datetime.fromtimestamp(cutoff, now.tzinfo))
    return stmt


ORDER: dict[str, tuple[ColumnElement[Any], ...]] = {
    "age": (Problem.first_case_at.asc(), Problem.id.asc()),
    "count": (Problem.case_count.desc(), Problem.id.asc()),
    "recurrences": (Problem.recurrence_count.desc(), Problem.case_count.desc(), Problem.id.asc()),
    "recent": (Problem.last_case_at.desc(), Problem.id.desc()),
}


def _units(session: Session, ids: Iterable[int | None]) -> dict[int, Unit]:
    """The units named (a city has thousands of units; a page names a few)."""
    wanted = {unit_id for unit_id in ids if unit_id}
    return {unit.id: unit for unit in session.scalars(select(Unit).where(Unit.id.in_(wanted)))}


def _age_days(problem: Problem, now: datetime) -> int:
    end = problem.written_off_at or now
    return max(0, int((end - problem.first_case_at).total_seconds() // SECONDS_PER_DAY))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def problem_view(problem: Problem, units: dict[int, Unit], now: datetime) -> dict[str, Any]:
    unit = units.get(problem.lead_unit_id or 0)
    return {
        "id": problem.id,
        "status": problem.status,
        "status_label": PROBLEM_STATUS_LABELS[ProblemStatus(problem.status)],
        "version": problem.version,
        "title": problem.title,
        "category_code": problem.category_code,
        "district_code": problem.district_code,
        "street_code": problem.street_code,
        "lead_unit": unit.code if unit else None,
        "lead_unit_name": unit.name if unit else None,
        "head_name": unit.head_name if unit else None,
        "head_title": unit.head_title if unit else None,
        "case_count": problem.case_count,
        "recurrence_count": problem.recurrence_count,
        "age_days": _age_days(problem, now),
        "first_case_at": _iso(problem.first_case_at),
        "last_case_at": _iso(problem.last_case_at),
        "reopened_at": _iso(problem.reopened_at),
        "written_off_at": _iso(problem.written_off_at),
        "supervision_level": problem.supervision_level,
        "merged_into": problem.merged_into_id,
    }


def list_problems(
    hotline: Hotline, actor: Actor, f: ProblemFilter, now: datetime
) -> dict[str, Any]:
    """The ledger, filtered and sorted (age: oldest first; count, recurrences: most first)."""
    require(actor.role, Permission.READ_CASE)
    f.check()
    with hotline.db.transaction() as session:
        stmt = _filtered(session, f, actor, now)
        total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = session.scalars(
            stmt.order_by(*ORDER[f.sort]).offset((f.page - 1) * f.page_size).limit(f.page_size)
        ).all()
        units = _units(session, (problem.lead_unit_id for problem in rows))
        return {
            "total": total,
            "page": f.page,
            "page_size": f.page_size,
            "items": [problem_view(problem, units, now) for problem in rows],
        }


def _links(session: Session, problem_id: int, numbers: dict[int, str]) -> list[dict[str, Any]]:
    links = session.scalars(
        select(ProblemLink).where(ProblemLink.problem_id == problem_id).order_by(ProblemLink.id)
    ).all()
    missing = {link.case_id for link in links} - set(numbers)
    if missing:
        rows = session.execute(select(Case.id, Case.number).where(Case.id.in_(missing)))
        numbers = numbers | {case_id: number for case_id, number in rows}
    return [
        {
            "case": numbers.get(link.case_id),
            "action": link.action,
            "score": link.score,
            "reasons": link.reasons,
            "by": link.by,
            "at": _iso(link.at),
        }
        for link in links
    ]


def _supervisions(records: Sequence[Supervision], units: dict[int, Unit]) -> list[dict[str, Any]]:
    return [
        {
            "id": record.id,
            "level": record.level,
            "source": record.source,
            "reason": record.reason,
            "unit": units[record.target_unit_id].code if record.target_unit_id else None,
            "head_name": record.head_name,
            "head_title": record.head_title,
            "status": record.status,
            "due_at": _iso(record.due_at),
            "created_at": _iso(record.created_at),
        }
        for record in records
    ]


def get_problem(hotline: Hotline, problem_id: int, actor: Actor, now: datetime) -> dict[str, Any]:
    """One problem: its cases (in the actor's scope, masked), link audit and supervision."""
    require(actor.role, Permission.READ_CASE)
    with hotline.db.transaction() as session:
        problem = problem_in_scope(session, problem_id, actor)
        stmt = restrict_to_scope(session, select(Case).where(Case.problem_id == problem.id), actor)
        cases = session.scalars(
            stmt.order_by(Case.created_at, Case.id).options(selectinload(Case.assignments))
        ).all()
        supervisions = session.scalars(
            select(Supervision).where(Supervision.problem_id == problem.id).order_by(Supervision.id)
        ).all()
        units = _units(
            session,
            [problem.lead_unit_id, *(c.lead_unit_id for c in cases),
             *(s.target_unit_id for s in supervisions)],
        )  # fmt: skip
        codes = {unit_id: unit.code for unit_id, unit in units.items()}
        return {
            **problem_view(problem, units, now),
            "cases": [summary_view(case, codes) for case in cases],
            "links": _links(session, problem.id, {case.id: case.number for case in cases}),
            "supervisions": _supervisions(supervisions, units),
        }
