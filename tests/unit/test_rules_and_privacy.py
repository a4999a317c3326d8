from __future__ import annotations

import pytest

from hotline.domain.errors import Forbidden, InvalidInput
from hotline.domain.lifecycle import Action, Status
from hotline.domain.privacy import mask_name, mask_phone
from hotline.domain.roles import ROLE_TABLE, Permission, Role, ScopeKind, may, require, scope_of
from hotline.domain.rules import (
    CallbackAnswer,
    CallbackOutcome,
    CaseFacts,
    ClosingRules,
    ReopenTarget,
    ResultType,
    Satisfaction,
    status_after_callback,
    status_after_reply,
    status_after_verification,
)

RULES = ClosingRules()


def facts(**overrides: object) -> CaseFacts:
    base: dict[str, object] = dict(
        channel="12345",
        category_code=None,
        result_type=ResultType.SOLVED,
        supervised=False,
        has_contact=True,
        anonymous=False,
    )
    base.update(overrides)
    return CaseFacts(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("case_facts", "expected"),
    [
        (facts(), Status.CALLBACK_PENDING),
        (facts(channel="patrol", has_contact=False), Status.VERIFYING),
        (facts(result_type=ResultType.PROMISED), Status.VERIFYING),
        (facts(supervised=True), Status.VERIFYING),
        (facts(anonymous=True), Status.REPLIED),
        (facts(has_contact=False), Status.REPLIED),
        (facts(channel_needs_callback=False), Status.REPLIED),
    ],
)
def test_where_a_reply_goes(case_facts: CaseFacts, expected: Status) -> None:
    assert status_after_reply(case_facts, RULES) is expected


def test_verification_outcomes() -> None:
    assert status_after_verification(False, facts(), RULES) is Status.ACCEPTED
    assert status_after_verification(True, facts(), RULES) is Status.CALLBACK_PENDING
    assert status_after_verification(True, facts(has_contact=False), RULES) is Status.CLOSED


S = Satisfaction


@pytest.mark.parametrize(
    ("answer", "attempts", "expected"),
    [
        (CallbackAnswer(CallbackOutcome.REACHED, S.SATISFIED, S.SATISFIED, True), 0, Status.CLOSED),
        (
            CallbackAnswer(CallbackOutcome.REACHED, S.UNSATISFIED, S.BASICALLY_SATISFIED, True),
            0,
            Status.CLOSED,
        ),  # an unsatisfied process alone does not reopen
        (
            CallbackAnswer(CallbackOutcome.REACHED, S.SATISFIED, S.UNSATISFIED, False),
            0,
            Status.DISPATCHED,
        ),
        (
            CallbackAnswer(
                CallbackOutcome.REACHED, S.SATISFIED, S.UNSATISFIED, False, ReopenTarget.RESORT
            ),
            0,
            Status.REGISTERED,
        ),
        (CallbackAnswer(CallbackOutcome.UNREACHABLE), 0, Status.CALLBACK_PENDING),
        (CallbackAnswer(CallbackOutcome.UNREACHABLE), 2, Status.CLOSED),
        (CallbackAnswer(CallbackOutcome.REFUSED), 0, Status.CLOSED),
    ],
)
def test_callback_outcomes(answer: CallbackAnswer, attempts: int, expected: Status) -> None:
    assert status_after_callback(answer, attempts, RULES) is expected


def test_satisfied_but_unsolved_follows_the_configured_rule() -> None:
    answer = CallbackAnswer(CallbackOutcome.REACHED, S.SATISFIED, S.BASICALLY_SATISFIED, False)
    assert status_after_callback(answer, 0, RULES) is Status.CLOSED
    strict = ClosingRules(reopen_when_satisfied_but_unsolved=True)
    assert status_after_callback(answer, 0, strict) is Status.DISPATCHED


def test_a_reached_callback_needs_both_answers() -> None:
    with pytest.raises(InvalidInput) as refused:
        status_after_callback(CallbackAnswer(CallbackOutcome.REACHED, S.SATISFIED), 0, RULES)
    assert refused.value.fields == ("result_satisfaction",)


def test_masking() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0531-1234") == "*****1234"
    assert mask_name("张三丰") == "张**"
    assert mask_name("李") == "李*"
    assert mask_phone(None) is None


def test_role_table_shape() -> None:
    assert set(ROLE_TABLE) == set(Role)
    assert may(Role.HANDLER, Action.REPLY) and not may(Role.HANDLER, Action.DISPATCH)
    assert not may(Role.HANDLER, Permission.REVEAL_PERSONAL_DATA)
    with pytest.raises(Forbidden):
        require(Role.LEADER, Action.CLOSE)


def test_scopes() -> None:
    assert scope_of(Role.HANDLER, 3, None).kind is ScopeKind.UNIT
    assert scope_of(Role.DISPATCHER, None, "370102").kind is ScopeKind.DISTRICT
    assert scope_of(Role.DISPATCHER, None, None).kind is ScopeKind.ALL
    with pytest.raises(Forbidden):
        scope_of(Role.HANDLER, None, None)
