"""Which cases an actor may see: out of scope reads as not found (404), never as forbidden."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import Session

from hotline.adapters.db.models import Assignment, Case, Unit
from hotline.domain.errors import NotFound
from hotline.domain.numbering import looks_like_case_number
from hotline.domain.roles import Actor, ScopeKind
from hotline.services.reference.units import subtree_ids


def restrict_to_scope(session: Session, stmt: Select[Case], actor: Actor) -> Select[Case]:
    scope = actor.scope
    if scope.kind is ScopeKind.ALL:
        return stmt
    if scope.kind is ScopeKind.DISTRICT:
        # The district's units as a list of ids (the unit table is small), not a subquery: then
        # both sides of the OR are index conditions, which PostgreSQL can combine with a list's
        # other indexes (a text search's GIN bitmap) instead of testing every row it reads.
        in_district = select(Unit.id).where(Unit.region_code == scope.district_code)
        district_units = list(session.scalars(in_district))
        return stmt.where(
            or_(Case.district_code == scope.district_code, Case.lead_unit_id.in_(district_units))
        )
    assert scope.unit_id is not None
    units = subtree_ids(session, scope.unit_id)
    assigned = exists().where(Assignment.case_id == Case.id, Assignment.unit_id.in_(units))
    return stmt.where(assigned)


def load_case_in_scope(
    session: Session, number: str, actor: Actor, *, for_update: bool = False
) -> Case:
    if not looks_like_case_number(number):
        raise NotFound(f"工单编号「{number}」格式不正确")
    stmt = restrict_to_scope(session, select(Case).where(Case.number == number), actor)
    if for_update:
        stmt = stmt.with_for_update(of=Case)
    case = session.scalars(stmt).first()
    if case is None:
        raise NotFound(f"未找到工单 {number}")
    return case


def scope_filter(actor: Actor) -> Callable[[Session, Select[Case]], Select[Case]]:
    """The actor's scope as a filter other read paths (reports' drill-downs) can apply."""

    def restrict(session: Session, stmt: Select[Case]) -> Select[Case]:
        return restrict_to_scope(session, stmt, actor)

    return restrict
