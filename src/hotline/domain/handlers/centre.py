"""The centre's actions: register (立案), answer directly (直办), void (作废), dispatch (派遣)."""

from __future__ import annotations

from hotline.domain.commands import AnswerDirectly, Dispatch, Register, Void
from hotline.domain.errors import InvalidInput
from hotline.domain.handlers.common import assign_lead, unit_named
from hotline.domain.handlers.draft import Draft, Outcome
from hotline.domain.handlers.facts import Context, UnitInfo
from hotline.domain.handlers.inputs import required_reason, required_text, text
from hotline.domain.lifecycle import Status


def _category(ctx: Context, code: str | None) -> str | None:
    """A category code the case may take (an active one), or None when none was given."""
    chosen = text(code, "category_code", max_length=32)
    if chosen is not None and not ctx.reference.category_active(chosen):
        raise InvalidInput(f"未知的类别代码「{chosen}」", fields=("category_code",))
    return chosen


def register(command: Register, draft: Draft, ctx: Context) -> Outcome:
    case = draft.record
    category = _category(ctx, command.category_code) or case.category_code
    district = text(command.district_code, "district_code", max_length=16)
    if district is not None and not ctx.reference.region_exists(district):
        raise InvalidInput(f"未知的区县代码「{district}」", fields=("district_code",))
    district = district or case.district_code
    urgency = command.urgency or case.urgency
    draft.set({"category_code": category, "district_code": district, "urgency": urgency})
    draft.classifier_registration = True  # the category chosen, as the classifier's feedback
    return Outcome(
        Status.REGISTERED,
        {"category_code": category, "district_code": district, "urgency": urgency},
    )


def answer_directly(command: AnswerDirectly, draft: Draft, ctx: Context) -> Outcome:
    draft.set(
        {
            "reply_text": required_text(command.reply_text, "reply_text"),
            "result_type": "explained",
            "replied_at": ctx.now,
            "closed_at": ctx.now,
            "closed_as": "answered_directly",
        }
    )
    return Outcome(Status.ANSWERED_DIRECTLY)


def void(command: Void, draft: Draft, ctx: Context) -> Outcome:
    required_reason(command.reason)
    draft.set({"closed_at": ctx.now, "closed_as": "void"})
    return Outcome(Status.VOID)


def _co_units(ctx: Context, lead: UnitInfo, codes: tuple[str, ...]) -> list[UnitInfo]:
    units = [unit_named(ctx, code, "co_units") for code in dict.fromkeys(codes)]
    if any(unit.id == lead.id for unit in units):
        raise InvalidInput("协办单位不能与主办单位相同", fields=("co_units",))
    return units


def dispatch(command: Dispatch, draft: Draft, ctx: Context) -> Outcome:
    lead = unit_named(ctx, required_text(command.unit, "unit"))
    co_units = _co_units(ctx, lead, command.co_units)
    # 重新分类: the dispatcher may correct the category when dispatching (after a reopen to the
    # centre or an approved return, typically); the new one sets the time limits.
    previous = draft.record.category_code
    category = _category(ctx, command.category_code) or previous
    details = assign_lead(draft, ctx, lead, co_units, category)
    if category != previous:
        draft.set({"category_code": category})
        details |= {"category_code": category, "previous_category_code": previous}
    # The routing rule the dispatcher followed, so returns can be counted per rule.
    rule = text(command.rule, "rule", max_length=64)
    if rule:
        details["rule"] = rule
    return Outcome(Status.DISPATCHED, details)
