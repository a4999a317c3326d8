"""Properties over random histories made through the services (hypothesis): rates lie in
[0, 1], numerators never exceed denominators, groups add up to the total, the rollup agrees
with raw projection, and a settled month recomputes from raw history to its frozen numbers."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotline.adapters.db.database import Database
from hotline.bootstrap import build_calendar
from hotline.config import Settings
from hotline.domain.errors import Conflict, DomainError
from hotline.domain.indicators import DEFAULT_DEFINITIONS, Period
from hotline.domain.lifecycle import Action
from hotline.domain.roles import Actor
from hotline.services.context import Hotline
from hotline.services.evaluation.settlement import refresh_indicator_facts, settle_month
from tests.conftest import FakeClock, _fresh_url
from tests.integration.reporting.test_indicators import Story

WHOLE = Period(date(2026, 10, 1), date(2026, 12, 31))  # every event of every example falls in it
BOUNDED = [d.key for d in DEFAULT_DEFINITIONS if d.bounded]
A = Action
STEPS: list[tuple[Action, str, dict[str, Any]]] = [
    (A.ACCEPT, "handler", {}),
    (A.ACCEPT, "street_handler", {}),
    (A.SUB_DISPATCH, "handler", {"unit": "LX-JFL"}),
    (A.RETURN, "handler", {"reason_code": "other"}),
    (A.RETURN, "street_handler", {"reason_code": "other"}),
    (A.APPROVE_RETURN, "dispatcher", {}),
    (A.REJECT_RETURN, "dispatcher", {}),
    (A.DISPATCH, "dispatcher", {"unit": "LX-CGJ"}),
    (A.REQUEST_EXTENSION, "handler", {"extra_working_days": 2}),
    (A.APPROVE_EXTENSION, "dispatcher", {}),
    (A.REPLY, "handler", {"result_type": "solved", "reply_text": "已办"}),
    (A.REPLY, "street_handler", {"result_type": "explained", "reply_text": "已解释"}),
    (A.VERIFY, "inspector", {"passed": False}),
    (A.RECORD_CALLBACK, "operator", {"outcome": "unreachable"}),
    (A.RECORD_CALLBACK, "operator", {"outcome": "reached", "process_satisfaction": "satisfied",
                                     "result_satisfaction": "satisfied", "solved": True}),
    (A.RECORD_CALLBACK, "operator", {"outcome": "reached", "solved": False,
                                     "process_satisfaction": "basically_satisfied",
                                     "result_satisfaction": "unsatisfied"}),
    (A.REOPEN, "dispatcher", {"target": "same_unit"}),
    (A.CLOSE, "dispatcher", {}),
]  # fmt: skip
plans = st.lists(
    st.tuples(st.integers(0, 3), st.sampled_from(STEPS), st.integers(0, 26 * 60)),
    min_size=4,
    max_size=24,
)


Plan = list[tuple[int, tuple[Action, str, dict[str, Any]], int]]


def _play(story: Story, plan: Plan, start: tuple[str, str] = ("2026-10-12", "08:30")) -> None:
    """Four cases dispatched at ``start``, then the plan's steps at its gaps (in minutes)."""
    story.at(*start)
    numbers = [story.dispatched(unit) for unit in ("LX-CGJ", "LX-JFL", "LX-CGJ", "LX-CGJ")]
    for which, (action, who, fields), minutes in plan:
        story.clock.advance(minutes=minutes)
        reason = "原因说明" if action in (A.RETURN, A.REOPEN, A.APPROVE_RETURN) else None
        with suppress(DomainError):  # an illegal step in this state: history does not take it
            story.do(numbers[which], action, who, reason, **fields)


def _check_report(report: dict[str, Any], whole: bool) -> None:
    for key, value in report["total"].items():
        bounded = key in BOUNDED or whole
        if bounded:
            assert value["numerator"] <= value["denominator"], key
        if value["value"] is not None and bounded:
            assert 0.0 <= value["value"] <= 1.0
    for key in report["total"]:
        for part in ("numerator", "denominator"):
            grouped = sum(g["indicators"][key][part] for g in report["groups"])
            assert grouped == report["total"][key][part], (report["group_by"], key, part)


# The database fixtures are per test, not per example: examples add to one history, which the
# properties hold for just the same.
SLOW_DB = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
GROUPS = st.sampled_from(["district", "unit", "street", "category", "channel", "day"])


@settings(max_examples=8, deadline=None, suppress_health_check=SLOW_DB)
@given(plan=plans, group_by=GROUPS, days=st.integers(0, 30))
def test_random_histories_keep_the_indicator_invariants(
    hotline: Hotline,
    actors: dict[str, Actor],
    clock: FakeClock,
    plan: Plan,
    group_by: str,
    days: int,
) -> None:
    story = Story(hotline, actors, clock)
    _play(story, plan)
    story.at("2027-01-01", "12:00")
    part = Period(date(2026, 10, 12), date(2026, 10, 12) + timedelta(days=days))
    raw = story.report(part, group_by)
    _check_report(raw, whole=False)
    _check_report(story.report(WHOLE, group_by), whole=True)
    refresh_indicator_facts(hotline, clock())
    assert story.report(part, group_by) == raw  # rollup + stored facts = raw projection


@contextmanager
def _own_database(template_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[Hotline]:
    """A fresh seeded database for one example: a month settled by an earlier example, with
    this one's events dated before that settlement, would be neither a refusal to accept nor
    a history to recompute."""
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    settings = Settings(database_url=_fresh_url(template_url, folder), var_dir=folder)
    db = Database(settings.resolved_database_url)
    try:
        yield Hotline(settings=settings, db=db, clock=build_calendar(settings, db), now=clock)
    finally:
        db.dispose()


@settings(max_examples=4, deadline=None, suppress_health_check=SLOW_DB)
@given(plan=plans, later=plans)
def test_settled_months_recompute_to_their_frozen_numbers(
    template_url: str,
    tmp_path: Path,
    actors: dict[str, Actor],
    clock: FakeClock,
    plan: Plan,
    later: Plan,
) -> None:
    from tests.integration.evaluation.test_indicators_settlement import _verify

    with _own_database(template_url, tmp_path, clock) as hotline:
        story = Story(hotline, actors, clock)
        _play(story, plan)
        month = f"2026-{story.clock().month:02d}"
        first = f"2026-{story.clock().month + 1:02d}-01"
        story.at(first, "00:05")
        settled = settle_month(hotline, month, actors["admin"], clock())  # no refusal here
        before = story.report(Period(date(2026, 10, 1), date(2026, 10, 31)))
        # A second settlement is refused as such, and the first one stands as it was.
        with pytest.raises(Conflict, match="已经结算"):
            settle_month(hotline, month, actors["admin"], clock())
        assert _verify(story, month)["settled_at"] == settled["settled_at"]
        _play(story, later, (first, "08:30"))  # history goes on after the settlement
        assert _verify(story, month)["matches"]
        if month == "2026-10":
            after = story.report(Period(date(2026, 10, 1), date(2026, 10, 31)))
            assert after["total"] == before["total"]
