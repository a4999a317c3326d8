"""Settlement (结算): a settled month never changes, later events count when they happen, and
recomputing a settled month from raw history as of its settlement gives its frozen numbers."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import text

from hotline.domain.errors import Conflict, Forbidden, IllegalTransition
from hotline.domain.indicators import Period, definitions_from, month_period
from hotline.domain.lifecycle import Action
from hotline.domain.roles import Actor, Role
from hotline.reports.indicator_counts import ReportMoment
from hotline.reports.recompute import verify_settlement
from hotline.services.context import Hotline
from hotline.services.evaluation.settlement import (
    refresh_indicator_facts,
    settle_due_periods,
    settle_month,
)
from tests.conftest import FakeClock
from tests.integration.reporting.test_indicators import (
    EXPECTED,
    OCTOBER,
    SATISFIED,
    Story,
    october,
    totals,
)

NOVEMBER = month_period("2026-11")
ADMIN = Actor("adm", Role.ADMIN)


@pytest.fixture
def story(hotline: Hotline, actors: dict[str, Actor], clock: FakeClock) -> Story:
    return Story(hotline, actors, clock)


def _settle(story: Story, month: str = "2026-10", **kwargs: Any) -> dict[str, Any]:
    return settle_month(story.hotline, month, ADMIN, story.clock(), **kwargs)


def _verify(story: Story, month: str = "2026-10") -> dict[str, Any]:
    clock = ReportMoment(story.hotline.settings.tz, story.clock())
    return verify_settlement(story.hotline.db, clock, month)


def _late_events(story: Story, c: dict[str, str]) -> None:
    """November: c3 (overdue since October) is replied; c1's callback is corrected by a reopen."""
    story.at("2026-11-04", "10:00")
    story.reply(c["c3"], who="street_handler")
    story.at("2026-11-04", "11:00")
    story.do(c["c1"], Action.REOPEN, "dispatcher", "市民反映问题复发", target="same_unit")


def test_a_settled_month_never_changes_and_late_events_count_when_they_happen(
    story: Story,
) -> None:
    c = october(story)
    story.at("2026-11-03", "10:00")
    summary = _settle(story)
    assert summary["totals"]["reply_rate"] == {"numerator": 3, "denominator": 4, "value": 0.75}
    settled = story.report(group_by="district")
    _late_events(story, c)
    after = story.report(group_by="district")
    assert totals(after) == EXPECTED  # c3's reply would make October's reply rate 4/4
    assert after["groups"] == settled["groups"]
    assert after["settlements"][0]["month"] == "2026-10"
    november = totals(story.report(NOVEMBER))
    assert november["on_time_rate"] == (0, 1)  # c3's late reply counts in November
    assert november["rework_rate"] == (1, 1)  # c1's reopen counts in November too
    overdue = story.drill("overdue_rate")  # as settled: c3 still listed as open past deadline
    assert c["c3"] in {i["number"] for i in overdue["items"]} and overdue["count"] == 3


def test_a_callback_in_november_for_an_october_reply_counts_in_november(story: Story) -> None:
    story.at("2026-10-30", "10:00")
    number = story.dispatched()
    story.do(number, Action.ACCEPT, "handler")
    story.reply(number)
    story.at("2026-11-02", "10:00")
    _settle(story)
    story.callback(number, SATISFIED, SATISFIED, True)
    assert totals(story.report())["process_satisfaction"] == (0, 0)
    assert totals(story.report(NOVEMBER))["process_satisfaction"] == (1, 1)
    assert totals(story.report())["on_time_rate"] == (1, 1)


def test_recomputing_from_raw_history_as_of_settlement_gives_the_frozen_numbers(
    story: Story,
) -> None:
    c = october(story)
    story.at("2026-11-03", "10:00")
    _settle(story)
    _late_events(story, c)
    result = _verify(story)
    assert result["matches"], result["differences"]
    assert result["counts"] > 0


def test_a_period_across_a_settled_and_a_live_month_uses_both(story: Story) -> None:
    c = october(story)
    story.at("2026-11-03", "10:00")
    _settle(story)
    _late_events(story, c)
    span = totals(story.report(Period(date(2026, 10, 1), date(2026, 11, 30))))
    # October frozen (3/4) + c2's round reopened by its 不满意 callback on 29 October, due on
    # 2 November and still open (a callback's new round counts since version 2); c1's new
    # round, reopened on 4 November, is not yet due: in neither part
    assert span["reply_rate"] == (3, 5)
    assert span["on_time_rate"] == (2, 5)  # October's four replies + c3's late one


def test_a_settled_month_keeps_the_definitions_it_was_settled_with(story: Story) -> None:
    october(story)
    story.at("2026-11-03", "10:00")
    narrow = definitions_from({"rework_rate": {"numerator": ["rework_reopen", "rework_callback"]}})
    _settle(story, definitions=narrow)
    report = story.report()
    assert report["total"]["rework_rate"]["numerator"] == 1  # the failed verification left out
    wider = story.report(Period(date(2026, 10, 1), date(2026, 11, 1)))
    assert wider["total"]["rework_rate"]["numerator"] == 2  # not exactly October: defaults


def test_settling_twice_too_early_or_without_the_right_is_refused(story: Story) -> None:
    story.at("2026-10-31", "23:00")
    with pytest.raises(IllegalTransition, match="尚未过去"):
        _settle(story)
    story.at("2026-11-01", "00:30")
    _settle(story)
    with pytest.raises(Conflict, match="已经结算"):
        _settle(story)
    for who in ("handler", "lixia_dispatcher"):
        with pytest.raises(Forbidden, match="结算"):
            settle_month(story.hotline, "2026-09", story.actors[who], story.clock())


def test_settled_figures_refuse_update_and_delete(story: Story) -> None:
    october(story)
    story.at("2026-11-03", "10:00")
    _settle(story)
    for statement in (
        "UPDATE indicator_settled_counts SET n = n + 1",
        "DELETE FROM indicator_settlements",
    ):
        with pytest.raises(Exception, match="frozen"), story.hotline.db.transaction() as s:
            s.execute(text(statement))


def test_the_worker_settles_last_month_from_the_configured_day(story: Story) -> None:
    october(story)
    story.at("2026-11-04", "08:00")
    assert settle_due_periods(story.hotline, story.clock(), settle_day=5) == []
    story.at("2026-11-05", "08:00")
    (settled,) = settle_due_periods(story.hotline, story.clock(), settle_day=5)
    assert settled["month"] == "2026-10" and settled["settled_by"] == "system"
    assert settle_due_periods(story.hotline, story.clock(), settle_day=5) == []
    assert _verify(story)["matches"]
    assert totals(story.report(OCTOBER)) == EXPECTED


def _repeats(story: Story, as_of: Any) -> dict[str, int]:
    from hotline.adapters.db.indicator_queries import repeat_counts

    with story.hotline.db.transaction() as session:
        counts = repeat_counts(session, OCTOBER.start, OCTOBER.end, "district", as_of, False)
    return {key: n for (_day, _kind, key), n in counts.items() if n}


def test_live_repeats_from_problem_counts_agree_with_the_link_history(story: Story) -> None:
    """The live repeat rate reads problems.case_count (kept by the ledger); the as-of reading
    (settlement, recomputation) counts linked cases in the link history. Through links and
    unlinks by the ledger's own services they must agree."""
    from hotline.services.ledger.edits import link_case, unlink_case

    story.at("2026-10-12")
    first, second, third = (story.case(district_code="370102") for _ in range(3))
    refresh_indicator_facts(story.hotline, story.clock())  # their intake facts
    story.link(first)
    with story.hotline.db.transaction() as session:
        problem_id = session.execute(
            text("SELECT problem_id FROM cases WHERE number = :n"), {"n": first}
        ).scalar_one()
    dispatcher = story.actors["dispatcher"]
    seen = []
    for step in (
        lambda: link_case(story.hotline, second, problem_id, dispatcher, story.clock()),
        lambda: link_case(story.hotline, third, problem_id, dispatcher, story.clock()),
        lambda: unlink_case(story.hotline, second, dispatcher, story.clock()),
        lambda: unlink_case(story.hotline, third, dispatcher, story.clock()),
    ):
        story.clock.advance(minutes=5)
        step()
        story.clock.advance(minutes=1)
        live, recorded = _repeats(story, None), _repeats(story, story.clock())
        assert live == recorded
        seen.append(live.get("370102", 0))
    assert seen == [2, 3, 2, 0]


def test_a_period_ending_on_the_first_of_a_settled_month_takes_that_day_alone(
    story: Story,
) -> None:
    """October and November settled; 1 October – 1 November is October's frozen figures plus
    November's frozen 1st, not all of November and not nothing of it."""
    c = october(story)
    story.at("2026-11-01", "10:00")
    story.case()  # the one intake of 1 November
    story.at("2026-11-02", "10:00")
    story.case(), story.case()
    story.at("2026-11-03", "10:00")
    _settle(story)
    _late_events(story, c)
    story.at("2026-12-01", "00:30")
    _settle(story, "2026-11")
    span = totals(story.report(Period(date(2026, 10, 1), date(2026, 11, 1))))
    assert span == {**EXPECTED, "repeat_rate": (2, 8)}  # 7 October intakes + the 1st's one
    first = totals(story.report(Period(date(2026, 11, 1), date(2026, 11, 1))))
    assert {k: v for k, v in first.items() if v != (0, 0)} == {"repeat_rate": (0, 1)}
    november = totals(story.report(NOVEMBER))  # what the 1st alone must leave out
    assert november["repeat_rate"] == (0, 3) and november["on_time_rate"] == (0, 1)
