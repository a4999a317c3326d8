"""The guard's facts read from the database: a case's standing (the rest of it is the domain's,
:mod:`hotline.domain.handlers.standing`), and what the case view offers an actor."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.adapters.db.models import Case, Unit
from hotline.domain.availability import CaseStanding, available_actions
from hotline.domain.handlers import standing
from hotline.domain.lifecycle import Action, Status
from hotline.domain.roles import Actor
from hotline.services.actions.reference import handler_rules
from hotline.services.context import Hotline
from hotline.services.reference.units import subtree_ids


def _has_active_subunits(session: Session, unit_id: int) -> bool:
    below = subtree_ids(session, unit_id) - {unit_id}
    if not below:
        return False
    found = session.scalars(select(Unit.id).where(Unit.id.in_(below), Unit.active).limit(1))
    return found.first() is not None


def case_standing(hotline: Hotline, session: Session, case: Case, now: datetime) -> CaseStanding:
    """The facts :mod:`hotline.domain.availability` decides on, read from the loaded case."""
    holding = standing.holding_assignment(case.assignments)
    # Only an accepted case can be sub-dispatched: ask the organisation only then.
    subunits = (
        case.status == Status.ACCEPTED
        and holding is not None
        and _has_active_subunits(session, holding.unit_id)
    )
    rules = handler_rules(hotline)
    return standing.case_standing(case, rules, now, holding_has_subunits=subunits)


def offered_actions(
    hotline: Hotline, session: Session, case: Case, actor: Actor, now: datetime
) -> list[Action]:
    """What the case view offers ``actor``: exactly what :func:`perform_action` would accept."""
    return available_actions(case_standing(hotline, session, case, now), actor)
