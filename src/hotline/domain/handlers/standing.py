"""A case's standing (:class:`hotline.domain.availability.CaseStanding`) read from its facts:
what the guard in front of every handler, and the case view's ``allowed_actions``, decide on."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from hotline.domain.availability import CaseStanding, PendingExtension
from hotline.domain.handlers.facts import AssignmentRecord, CaseRecord, Rules
from hotline.domain.lifecycle import Status
from hotline.domain.sla import approval_level
from hotline.domain.vocabulary import ASSIGNMENT_AT_WORK, AssignmentStatus, RequestStatus


def holding_assignment(assignments: Iterable[AssignmentRecord]) -> AssignmentRecord | None:
    """The lead-chain assignment now holding the case (the newest pending or accepted one)."""
    holding = [a for a in assignments if a.role == "lead" and a.status in ASSIGNMENT_AT_WORK]
    return max(holding, key=lambda a: a.id) if holding else None


def _pending_extension(case: CaseRecord, rules: Rules, now: datetime) -> PendingExtension | None:
    pending = [
        r for r in case.requests if r.kind == "extension" and r.status == RequestStatus.PENDING
    ]
    due = pending[-1].requested_due_at if pending else None
    if due is None:
        return None
    level = approval_level(rules.clock, rules.policy, case.reply_due_at, due, now)
    later = case.reply_due_at is None or due > case.reply_due_at
    return PendingExtension(level, later)


def case_standing(
    case: CaseRecord, rules: Rules, now: datetime, *, holding_has_subunits: bool
) -> CaseStanding:
    """``holding_has_subunits``: whether the holding unit has an active unit below it (the
    organisation is the sink's to read)."""
    status = Status(case.status)
    holding = holding_assignment(case.assignments)
    co = [a for a in case.assignments if a.role == "co"]
    return CaseStanding(
        status=status,
        holding_unit_id=holding.unit_id if holding else None,
        holding_unit_has_subunits=(
            status is Status.ACCEPTED and holding is not None and holding_has_subunits
        ),
        co_units_awaiting_opinion=frozenset(
            a.unit_id for a in co if a.status in ASSIGNMENT_AT_WORK
        ),
        co_units_with_opinion=frozenset(
            a.unit_id for a in co if a.status == AssignmentStatus.REPLIED
        ),
        pending_extension=_pending_extension(case, rules, now),
        extension_count=case.extension_count,
        max_extensions=rules.policy.max_extensions,
    )
