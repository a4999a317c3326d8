"""The deadline sweep's rules (domain.sweep): each line raised at the line itself, once, while
its stage's clock runs; what raising it writes. No database."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from hotline.adapters.db.models import SWEPT_STATUSES as INDEXED_STATUSES
from hotline.domain.changes import Event
from hotline.domain.supervision import Escalation, SupervisionLevel
from hotline.domain.sweep import RULES, SWEPT_STATUSES, SweepRule, due_rules, is_due, raise_line
from tests.unit.domain.memory import NOW

MINUTE = timedelta(minutes=1)
BY_KEY = {rule.key: rule for rule in RULES}


@dataclass(frozen=True)
class Swept:
    status: str = "dispatched"
    accept_late: bool | None = None
    accept_warn_at: datetime | None = None
    accept_due_at: datetime | None = None
    reply_warn_at: datetime | None = None
    reply_due_at: datetime | None = None
    accept_warned_at: datetime | None = None
    accept_breached_at: datetime | None = None
    reply_warned_at: datetime | None = None
    reply_breached_at: datetime | None = None


def with_line(rule: SweepRule, line: datetime, **others: Any) -> Swept:
    values: dict[str, Any] = {rule.line: line, **others}
    return replace(Swept(), **values)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.key)
def test_a_line_is_raised_at_the_line_and_after_it_never_before(rule: SweepRule) -> None:
    assert is_due(rule, with_line(rule, NOW), NOW)  # at
    assert is_due(rule, with_line(rule, NOW - MINUTE), NOW)  # one minute after the line
    assert not is_due(rule, with_line(rule, NOW + MINUTE), NOW)  # one minute before it
    assert not is_due(rule, Swept(), NOW)  # no line


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.key)
def test_a_line_is_raised_once(rule: SweepRule) -> None:
    assert not is_due(rule, with_line(rule, NOW - MINUTE, **{rule.marker: NOW - MINUTE}), NOW)


def test_a_stage_is_swept_only_while_its_clock_runs() -> None:
    accept, reply = BY_KEY["accept_breach"], BY_KEY["reply_breach"]
    assert not is_due(accept, with_line(accept, NOW, status="accepted"), NOW)
    assert is_due(reply, with_line(reply, NOW, status="accepted"), NOW)
    for status in ("registered", "replied", "callback_pending", "closed", "void"):
        assert not is_due(reply, with_line(reply, NOW, status=status), NOW)
    # a sub-dispatch puts an accepted case back to dispatched: its accept stage stays settled
    assert not is_due(accept, with_line(accept, NOW, accept_late=False), NOW)
    assert is_due(reply, with_line(reply, NOW, accept_late=False), NOW)


def test_the_rule_table_and_its_order() -> None:
    assert [(r.key, r.line, r.marker, r.level.value, r.label) for r in RULES] == [
        ("accept_warning", "accept_warn_at", "accept_warned_at", "urge", "签收即将超时"),
        ("accept_breach", "accept_due_at", "accept_breached_at", "supervise", "签收超时"),
        ("reply_warning", "reply_warn_at", "reply_warned_at", "urge", "办结即将超期"),
        ("reply_breach", "reply_due_at", "reply_breached_at", "supervise", "办结超期"),
    ]
    assert dict(SWEPT_STATUSES) == INDEXED_STATUSES  # the claim's partial indexes read the same
    every_line = Swept(accept_warn_at=NOW, accept_due_at=NOW, reply_warn_at=NOW, reply_due_at=NOW)
    assert due_rules(every_line, NOW) == RULES
    assert due_rules(every_line, NOW - MINUTE) == ()


def test_raising_a_line_stamps_it_writes_its_event_and_opens_its_supervision() -> None:
    rule = BY_KEY["reply_breach"]
    due = NOW - timedelta(hours=2)
    raised = raise_line(rule, "accepted", due, NOW)
    assert raised.case_changes == {"reply_breached_at": NOW}
    assert raised.event == Event(
        "sla_breach",
        "system",
        NOW,
        "accepted",
        "accepted",
        "办结超期",
        {"stage": "reply", "due_at": due.isoformat()},
    )
    assert raised.escalation == Escalation(
        SupervisionLevel.SUPERVISE, "办结超期", "sla_reply_breach", "system"
    )
    warning = raise_line(BY_KEY["accept_warning"], "dispatched", None, NOW)
    assert warning.event.details == {"stage": "accept", "due_at": None}
    assert warning.escalation.level is SupervisionLevel.URGE
    assert warning.escalation.source == "sla_accept_warning"
