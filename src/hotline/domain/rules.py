"""Closing rules: whether a reply needs verification or a callback, and what a callback leads to.

The rules are data (from the city profile) so a city can change them without code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from hotline.domain.errors import InvalidInput
from hotline.domain.lifecycle import Status


class ResultType(StrEnum):
    SOLVED = "solved"  # 已解决
    PROMISED = "promised"  # 承诺限时解决
    EXPLAINED = "explained"  # 解释说明
    NOT_FOUNDED = "not_founded"  # 不属实


class Satisfaction(StrEnum):
    SATISFIED = "satisfied"  # 满意
    BASICALLY_SATISFIED = "basically_satisfied"  # 基本满意
    UNSATISFIED = "unsatisfied"  # 不满意


class CallbackOutcome(StrEnum):
    REACHED = "reached"
    UNREACHABLE = "unreachable"
    REFUSED = "refused"


class ReopenTarget(StrEnum):
    SAME_UNIT = "same_unit"  # → dispatched, to the same lead unit
    RESORT = "resort"  # → registered, back to the centre for 重新分类/改派


@dataclass(frozen=True)
class ClosingRules:
    verify_channels: frozenset[str] = frozenset({"patrol", "leader_patrol", "16039"})
    verify_categories: frozenset[str] = frozenset()
    verify_promised: bool = True
    verify_supervised: bool = True
    callback_channels_without_contact: frozenset[str] = frozenset(
        {"patrol", "leader_patrol", "16039", "media", "meeting"}
    )
    callback_max_attempts: int = 3
    # A citizen satisfied with the result who says the problem is not solved: close or reopen.
    reopen_when_satisfied_but_unsolved: bool = False


@dataclass(frozen=True)
class CaseFacts:
    channel: str
    category_code: str | None
    result_type: ResultType | None
    supervised: bool
    has_contact: bool
    anonymous: bool
    channel_needs_callback: bool = True
    channel_requires_verification: bool = False
    extra: dict[str, str] = field(default_factory=dict)


def needs_verification(facts: CaseFacts, rules: ClosingRules) -> bool:
    return (
        facts.channel_requires_verification
        or facts.channel in rules.verify_channels
        or (facts.category_code is not None and facts.category_code in rules.verify_categories)
        or (rules.verify_promised and facts.result_type is ResultType.PROMISED)
        or (rules.verify_supervised and facts.supervised)
    )


def needs_callback(facts: CaseFacts, rules: ClosingRules) -> bool:
    if facts.anonymous or not facts.has_contact or not facts.channel_needs_callback:
        return False
    return facts.channel not in rules.callback_channels_without_contact


def status_after_reply(facts: CaseFacts, rules: ClosingRules) -> Status:
    if needs_verification(facts, rules):
        return Status.VERIFYING
    if needs_callback(facts, rules):
        return Status.CALLBACK_PENDING
    return Status.REPLIED


def status_after_verification(passed: bool, facts: CaseFacts, rules: ClosingRules) -> Status:
    if not passed:
        return Status.ACCEPTED  # rework by the same unit
    return Status.CALLBACK_PENDING if needs_callback(facts, rules) else Status.CLOSED


@dataclass(frozen=True)
class CallbackAnswer:
    outcome: CallbackOutcome
    process: Satisfaction | None = None
    result: Satisfaction | None = None
    solved: bool | None = None
    reopen_to: ReopenTarget = ReopenTarget.SAME_UNIT

    def validate(self) -> None:
        if self.outcome is CallbackOutcome.REACHED and (
            self.process is None or self.result is None
        ):
            missing = tuple(
                name
                for name, value in (
                    ("process_satisfaction", self.process),
                    ("result_satisfaction", self.result),
                )
                if value is None
            )
            raise InvalidInput("已接通的回访必须记录过程满意度和结果满意度", fields=missing)


def status_after_callback(
    answer: CallbackAnswer, attempts_so_far: int, rules: ClosingRules
) -> Status:
    """Where a recorded callback leaves the case; ``attempts_so_far`` excludes this one."""
    answer.validate()
    if answer.outcome is CallbackOutcome.UNREACHABLE:
        exhausted = attempts_so_far + 1 >= rules.callback_max_attempts
        return Status.CLOSED if exhausted else Status.CALLBACK_PENDING
    if answer.outcome is CallbackOutcome.REFUSED:
        return Status.CLOSED
    reopen = answer.result is Satisfaction.UNSATISFIED or (
        answer.solved is False and rules.reopen_when_satisfied_but_unsolved
    )
    if not reopen:
        return Status.CLOSED
    return reopen_status(answer.reopen_to)


def reopen_status(target: ReopenTarget) -> Status:
    return Status.DISPATCHED if target is ReopenTarget.SAME_UNIT else Status.REGISTERED
