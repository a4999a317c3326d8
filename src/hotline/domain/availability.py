"""Which lifecycle actions an actor may take on a case now: one answer for both the case view's
``allowed_actions`` and the guard in front of every action handler, so that what a screen offers
is exactly what would be accepted with minimal valid input, and nothing else.

Beyond the role table and the transition table, an action depends on the case's standing: who
holds it, which co-units (协办) still owe an opinion, whether an extension request is pending
and at which approval level, how many extensions were granted. The service reads those facts
from the database into :class:`CaseStanding`; everything here is pure.

A refusal comes back as the error the guard raises: 403 (:class:`Forbidden`) when the actor is
the wrong person (role, unit, approval level), 409 (:class:`IllegalTransition`) when the case is
in the wrong state for anyone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hotline.domain.errors import DomainError, Forbidden, IllegalTransition
from hotline.domain.lifecycle import Action, Status, targets
from hotline.domain.roles import Actor, Role, require
from hotline.domain.sla import ExtensionLevel, may_approve


@dataclass(frozen=True)
class PendingExtension:
    """The extension request awaiting a decision."""

    level: ExtensionLevel  # who may decide it (from the requested deadline)
    # False when the deadline has since moved past the requested one (a paused clock after a
    # return): it can then only be refused.
    extends_deadline: bool = True


@dataclass(frozen=True)
class CaseStanding:
    """The facts about one case that decide which actions are available."""

    status: Status
    holding_unit_id: int | None = None  # the lead-chain unit now holding the case
    holding_unit_has_subunits: bool = False  # whether there is anyone to sub-dispatch to
    co_units_awaiting_opinion: frozenset[int] = frozenset()
    co_units_with_opinion: frozenset[int] = frozenset()
    pending_extension: PendingExtension | None = None
    extension_count: int = 0
    max_extensions: int = 2


Check = Callable[[CaseStanding, Actor], DomainError | None]


def _holding_unit(standing: CaseStanding, actor: Actor) -> DomainError | None:
    """Unit actions are taken by a handler of the unit that holds the case."""
    if standing.holding_unit_id is None:
        return IllegalTransition("工单当前没有承办单位")
    if actor.role is Role.HANDLER and actor.unit_id != standing.holding_unit_id:
        return Forbidden("只有当前承办单位可以执行该操作")
    return None


def _sub_dispatch(standing: CaseStanding, actor: Actor) -> DomainError | None:
    refused = _holding_unit(standing, actor)
    if refused is None and not standing.holding_unit_has_subunits:
        return IllegalTransition("本单位没有下级单位，不能下派")
    return refused


def _request_extension(standing: CaseStanding, actor: Actor) -> DomainError | None:
    refused = _holding_unit(standing, actor)
    if refused is not None:
        return refused
    if standing.pending_extension is not None:
        return IllegalTransition("已有待审批的延期申请")
    if standing.extension_count >= standing.max_extensions:
        return IllegalTransition(
            f"已延期 {standing.extension_count} 次，最多 {standing.max_extensions} 次"
        )
    return None


def _decide_extension(standing: CaseStanding, actor: Actor) -> DomainError | None:
    pending = standing.pending_extension
    if pending is None:
        return IllegalTransition("没有待审批的延期申请")
    if not may_approve(pending.level, actor.role.value, actor.district_code):
        return Forbidden(f"该延期须由「{pending.level.label}」审批")
    return None


def _approve_extension(standing: CaseStanding, actor: Actor) -> DomainError | None:
    refused = _decide_extension(standing, actor)
    pending = standing.pending_extension
    if refused is None and pending is not None and not pending.extends_deadline:
        return IllegalTransition("申请的期限已不晚于当前办结期限，只能不批准")
    return refused


def _co_opinion(standing: CaseStanding, actor: Actor) -> DomainError | None:
    if actor.unit_id in standing.co_units_awaiting_opinion:
        return None
    if actor.unit_id in standing.co_units_with_opinion:
        return IllegalTransition("本单位已提交协办意见")
    return Forbidden("只有本工单的协办单位可以提交协办意见")


# What each action needs beyond the role and transition tables; absent: nothing more.
CHECKS: dict[Action, Check] = {
    Action.SUB_DISPATCH: _sub_dispatch,
    Action.ACCEPT: _holding_unit,
    Action.RETURN: _holding_unit,
    Action.REPLY: _holding_unit,
    Action.REQUEST_EXTENSION: _request_extension,
    Action.APPROVE_EXTENSION: _approve_extension,
    Action.REFUSE_EXTENSION: _decide_extension,
    Action.CO_OPINION: _co_opinion,
}


def check_action(standing: CaseStanding, actor: Actor, action: Action) -> None:
    """Raise why ``actor`` may not take ``action`` now: the role first (403), then the case's
    state (409), then the action's own conditions."""
    require(actor.role, action)
    targets(standing.status, action)
    check = CHECKS.get(action)
    refused = check(standing, actor) if check is not None else None
    if refused is not None:
        raise refused


def available_actions(standing: CaseStanding, actor: Actor) -> list[Action]:
    """Every action ``actor`` may take now, in declaration order."""
    available = []
    for action in Action:
        try:
            check_action(standing, actor, action)
        except DomainError:
            continue
        available.append(action)
    return available
