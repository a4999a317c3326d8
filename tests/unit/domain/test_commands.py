"""Commands from plain values: what a caller holding JSON-ish values gets, and what it is told."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from hotline.domain.commands import (
    COMMAND_TYPES,
    Dispatch,
    RecordCallback,
    Reply,
    RequestExtension,
    command_for,
)
from hotline.domain.errors import InvalidInput
from hotline.domain.lifecycle import Action
from hotline.domain.rules import CallbackOutcome, ReopenTarget, ResultType, Satisfaction


def test_every_action_has_its_command() -> None:
    assert set(COMMAND_TYPES) == set(Action)
    assert all(kind.action is action for action, kind in COMMAND_TYPES.items())


def test_plain_values_become_typed_ones() -> None:
    reply = command_for(
        Action.REPLY, result_type="promised", reply_text="x", promised_on="2026-12-01"
    )
    assert isinstance(reply, Reply)
    assert reply.result_type is ResultType.PROMISED and reply.promised_on == date(2026, 12, 1)
    callback = command_for(
        Action.RECORD_CALLBACK,
        outcome="reached",
        process_satisfaction="satisfied",
        result_satisfaction="unsatisfied",
        reopen_to="resort",
    )
    assert isinstance(callback, RecordCallback)
    assert callback.outcome is CallbackOutcome.REACHED
    assert callback.result_satisfaction is Satisfaction.UNSATISFIED
    assert callback.reopen_to is ReopenTarget.RESORT
    dispatch = command_for(Action.DISPATCH, unit="LX-CGJ", co_units=["A", "B"])
    assert isinstance(dispatch, Dispatch) and dispatch.co_units == ("A", "B")
    extension = command_for(Action.REQUEST_EXTENSION, requested_due_at="2026-12-20T17:00:00")
    assert isinstance(extension, RequestExtension)
    assert extension.requested_due_at == datetime(2026, 12, 20, 17, 0)  # local: naive here


@pytest.mark.parametrize(
    ("action", "values", "field", "message"),
    [
        (Action.REPLY, {"reply_text": "x"}, "result_type", "缺少必填字段「result_type」"),
        (Action.REPLY, {"result_type": "done", "reply_text": "x"}, "result_type", "办结类型须为"),
        (Action.ACCEPT, {"unit": "LX-CGJ"}, "unit", "没有字段 unit"),
        (Action.DISPATCH, {"unit": "A", "co_units": "B"}, "co_units", "协办单位须为单位代码列表"),
        (Action.VERIFY, {"passed": "yes"}, "passed", "须为 true 或 false"),
        (Action.REOPEN, {"target": "elsewhere"}, "target", "same_unit/resort"),
        (
            Action.REPLY,
            {"result_type": "promised", "reply_text": "x", "promised_on": "tomorrow"},
            "promised_on",
            "YYYY-MM-DD",
        ),
        (Action.REQUEST_EXTENSION, {"extra_working_days": True}, "extra_working_days", "1–60"),
        (
            Action.APPROVE_EXTENSION,
            {"granted_due_at": "0001-01-01T00:00:00+08:00"},
            "granted_due_at",
            "2000-01-01",
        ),
        (Action.REGISTER, {"urgency": "asap"}, "urgency", "紧急程度须为"),
    ],
)
def test_what_cannot_be_coerced_is_refused_naming_the_field(
    action: Action, values: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message) as refused:
        command_for(action, **values)
    assert refused.value.fields == (field,)
