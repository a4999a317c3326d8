"""The centre's actions: register (立案), answer directly (直办), void (作废), dispatch (派遣)."""

from __future__ import annotations

from hotline.adapters.db.models import Assignment, Category, Region, Unit
from hotline.domain.errors import InvalidInput
from hotline.domain.lifecycle import Status
from hotline.services.actions.deadlines import set_dispatch_deadlines
from hotline.services.actions.support import ActionContext, Outcome, required_reason, text_field
from hotline.services.cases.intake import URGENCIES
from hotline.services.classifier.feedback import record_registration
from hotline.services.reference.units import contact_label, unit_by_code


def _set_category(ctx: ActionContext) -> None:
    code = text_field(ctx, "category_code", max_length=32)
    if code is None:
        return
    category = ctx.session.get(Category, code)
    if category is None or not category.active:
        raise InvalidInput(f"未知的类别代码「{code}」", fields=("category_code",))
    ctx.case.category_code = code


def _set_district(ctx: ActionContext) -> None:
    code = text_field(ctx, "district_code", max_length=16)
    if code is None:
        return
    if ctx.session.get(Region, code) is None:
        raise InvalidInput(f"未知的区县代码「{code}」", fields=("district_code",))
    ctx.case.district_code = code


def register(ctx: ActionContext) -> Outcome:
    _set_category(ctx)
    _set_district(ctx)
    record_registration(ctx.session, ctx.case, ctx.actor.name, ctx.now)
    urgency = text_field(ctx, "urgency", max_length=16)
    if urgency is not None:
        if urgency not in URGENCIES:
            raise InvalidInput(f"紧急程度须为 {'/'.join(URGENCIES)}", fields=("urgency",))
        ctx.case.urgency = urgency
    return Outcome(
        Status.REGISTERED,
        {
            "category_code": ctx.case.category_code,
            "district_code": ctx.case.district_code,
            "urgency": ctx.case.urgency,
        },
    )


def answer_directly(ctx: ActionContext) -> Outcome:
    ctx.case.reply_text = text_field(ctx, "reply_text", required=True)
    ctx.case.result_type = "explained"
    ctx.case.replied_at = ctx.now
    ctx.case.closed_at = ctx.now
    ctx.case.closed_as = "answered_directly"
    return Outcome(Status.ANSWERED_DIRECTLY)


def void(ctx: ActionContext) -> Outcome:
    required_reason(ctx)
    ctx.case.closed_at = ctx.now
    ctx.case.closed_as = "void"
    return Outcome(Status.VOID)


def _co_units(ctx: ActionContext, lead: Unit) -> list[Unit]:
    codes = ctx.fields.get("co_units") or []
    if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
        raise InvalidInput("协办单位须为单位代码列表", fields=("co_units",))
    units = [unit_by_code(ctx.session, code, "co_units") for code in dict.fromkeys(codes)]
    if any(unit.id == lead.id for unit in units):
        raise InvalidInput("协办单位不能与主办单位相同", fields=("co_units",))
    return units


def assign_lead(ctx: ActionContext, lead: Unit, co_units: list[Unit]) -> dict[str, object]:
    """Give the case to ``lead`` (and co-units) with fresh stage deadlines from now."""
    category = ctx.session.get(Category, ctx.case.category_code) if ctx.case.category_code else None
    due = set_dispatch_deadlines(ctx.hotline, ctx.case, category, ctx.now)
    ctx.case.lead_unit_id = lead.id
    if ctx.case.district_code is None and lead.region_code is not None:
        ctx.case.district_code = lead.region_code
    for unit, role in [(lead, "lead"), *((unit, "co") for unit in co_units)]:
        ctx.case.assignments.append(
            Assignment(
                unit_id=unit.id,
                role=role,
                status="pending",
                dispatched_at=ctx.now,
                dispatched_by=ctx.actor.name,
                due_at=due.reply_due_at,
            )
        )
    return {
        "unit": lead.code,
        "co_units": [unit.code for unit in co_units],
        "accept_due_at": due.accept_due_at.isoformat(),
        "reply_due_at": due.reply_due_at.isoformat(),
        "head": contact_label(lead),  # 交办 names the person who answers (issue 18)
    }


def _resort(ctx: ActionContext) -> dict[str, object]:
    """重新分类: the dispatcher may correct the category when dispatching (after a reopen to the
    centre or an approved return, typically); the new one sets the time limits."""
    previous = ctx.case.category_code
    _set_category(ctx)
    if ctx.case.category_code == previous:
        return {}
    return {"category_code": ctx.case.category_code, "previous_category_code": previous}


def dispatch(ctx: ActionContext) -> Outcome:
    lead = unit_by_code(ctx.session, text_field(ctx, "unit", required=True) or "")
    co_units = _co_units(ctx, lead)
    resorted = _resort(ctx)
    details = assign_lead(ctx, lead, co_units) | resorted
    # The routing rule the dispatcher followed, so returns can be counted per rule.
    rule = text_field(ctx, "rule", max_length=64)
    if rule:
        details["rule"] = rule
    return Outcome(Status.DISPATCHED, details)
