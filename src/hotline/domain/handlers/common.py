"""What several handlers share: who holds the case, giving it to a lead unit, moving the reply
deadline, ending the assignments still at work, deciding a pending request."""

from __future__ import annotations

from datetime import datetime

from hotline.domain import deadlines
from hotline.domain.changes import AssignmentRole, NewAssignment
from hotline.domain.errors import IllegalTransition, InvalidInput
from hotline.domain.handlers.draft import AssignmentNow, Draft, RequestNow
from hotline.domain.handlers.facts import Context, UnitInfo
from hotline.domain.rules import CaseFacts, ResultType
from hotline.domain.vocabulary import ASSIGNMENT_AT_WORK, AssignmentStatus, RequestStatus


def holding(draft: Draft) -> AssignmentNow:
    """The lead-chain assignment now holding the case (the newest pending or accepted one); the
    guard lets a unit act only on a case that has one."""
    held = [a for a in draft.assignments() if a.role == "lead" and a.status in ASSIGNMENT_AT_WORK]
    if not held:
        raise IllegalTransition("工单当前没有承办单位")
    return max(held, key=lambda a: a.id)


def unit_named(ctx: Context, code: str, field: str = "unit") -> UnitInfo:
    unit = ctx.reference.unit(code)
    if unit is None:
        raise InvalidInput(f"未知的承办单位「{code}」", fields=(field,))
    return unit


def case_facts(draft: Draft, ctx: Context, result_type: ResultType | None) -> CaseFacts:
    """What the closing rules decide on (``result_type``: the one the case has now)."""
    case = draft.record
    channel = ctx.reference.channel(case.channel_code)
    return CaseFacts(
        channel=case.channel_code,
        category_code=case.category_code,
        result_type=result_type,
        supervised=case.supervised,
        has_contact=bool(case.caller_phone),
        anonymous=case.anonymous,
        channel_needs_callback=channel.needs_callback if channel else True,
        channel_requires_verification=channel.requires_verification if channel else False,
    )


def assign_lead(
    draft: Draft, ctx: Context, lead: UnitInfo, co_units: list[UnitInfo], category: str | None
) -> dict[str, object]:
    """Give the case to ``lead`` (and co-units) with fresh stage deadlines from now; the time
    limits are those of ``category`` (the case's, or the one a re-sort just chose)."""
    case, rules, now = draft.record, ctx.rules, ctx.now
    limits = ctx.reference.stage_limits(category, case.urgency)
    due = deadlines.stage_deadlines(
        rules.clock, rules.tz, rules.policy, limits, case.urgency, now, case.channel_code
    )
    draft.set(deadlines.dispatch_deadline_changes(rules.clock, rules.policy, due, now))
    draft.set({"lead_unit_id": lead.id})
    if case.district_code is None and lead.region_code is not None:
        draft.set({"district_code": lead.region_code})
    roles: list[tuple[UnitInfo, AssignmentRole]] = [(lead, "lead")]
    roles += [(unit, "co") for unit in co_units]
    for unit, role in roles:
        draft.new_assignments.append(
            NewAssignment(
                unit_id=unit.id,
                role=role,
                status=AssignmentStatus.PENDING,
                dispatched_at=now,
                dispatched_by=ctx.actor.name,
                due_at=due.reply_due_at,
            )
        )
    return {
        "unit": lead.code,
        "co_units": [unit.code for unit in co_units],
        "accept_due_at": due.accept_due_at.isoformat(),
        "reply_due_at": due.reply_due_at.isoformat(),
        "head": lead.contact,  # 交办 names the person who answers (issue 18)
    }


def move_unit_deadline(draft: Draft, ctx: Context) -> None:
    """Bring the lead-chain units now working on the case to the case's (moved) deadline."""
    for assignment in draft.assignments():
        if assignment.role == "lead" and assignment.status in ASSIGNMENT_AT_WORK:
            draft.update_assignment(assignment.id, {"due_at": draft.reply_due_at})


def move_reply_deadline(draft: Draft, ctx: Context, new_due: datetime) -> None:
    """Move the reply deadline of the case and of the lead-chain units now working on it."""
    rules = ctx.rules
    start = deadlines.reply_stage_start(draft.assignments(), ctx.now)
    draft.set(
        deadlines.moved_reply_deadline_changes(rules.clock, rules.policy, start, new_due, ctx.now)
    )
    move_unit_deadline(draft, ctx)


def pending_request(draft: Draft, kind: str) -> RequestNow | None:
    pending = [r for r in draft.requests() if r.kind == kind and r.status == RequestStatus.PENDING]
    return pending[-1] if pending else None


def decide_request(
    draft: Draft, ctx: Context, kind: str, status: str, note: str | None
) -> RequestNow:
    request = pending_request(draft, kind)
    if request is None:
        label = "退单" if kind == "return" else "延期"
        raise IllegalTransition(f"没有待审批的{label}申请")
    draft.update_request(
        request.id,
        {
            "status": status,
            "decided_by": ctx.actor.name,
            "decided_at": ctx.now,
            "decision_note": note,
        },
    )
    return request


def end_assignments(draft: Draft, status: AssignmentStatus = AssignmentStatus.ENDED) -> None:
    """Every assignment still at work stops; requests its units made and nobody decided lapse
    (an extension asked by a unit that no longer holds the case is nobody's to grant)."""
    ended = set()
    for assignment in draft.assignments():
        if assignment.status in ASSIGNMENT_AT_WORK:
            draft.update_assignment(assignment.id, {"status": status})
            ended.add(assignment.id)
    withdraw_requests(draft, ended)


def withdraw_requests(draft: Draft, assignment_ids: set[int]) -> None:
    """The undecided requests of assignments that stopped lapse (withdrawn)."""
    for request in draft.requests():
        if request.status == RequestStatus.PENDING and request.assignment_id in assignment_ids:
            draft.update_request(request.id, {"status": RequestStatus.WITHDRAWN})
