"""Indicator rules a district would dispute (issue 18): re-sorting regroups a case's facts by
its new category, a round reopened by an unsatisfied callback counts as due, and a month settled
under earlier rules keeps them — `indicators verify` replays it under its own version, and a
comparison across the change is labelled.

Local times, Asia/Shanghai; E0301 gives 1 working hour to sign and 2 working days to reply.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import insert, select

from hotline.adapters.db.models import Case, IndicatorSettledCount, IndicatorSettlement, Supervision
from hotline.domain.indicators import DEFAULT_DEFINITIONS, Period, definitions_as_data
from hotline.domain.lifecycle import Action
from hotline.domain.roles import SYSTEM, Actor
from hotline.reports.indicator_counts import ReportMoment
from hotline.reports.recompute import raw_counts, verify_settlement
from hotline.services.context import Hotline
from hotline.services.evaluation.settlement import refresh_indicator_facts, settle_month
from hotline.services.reporting.production import build_notice
from tests.conftest import FakeClock
from tests.integration.reporting.test_indicators import OCTOBER, UNSATISFIED, Story, totals

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))


@pytest.fixture
def story(hotline: Hotline, actors: dict[str, Actor], clock: FakeClock) -> Story:
    return Story(hotline, actors, clock)


def resorted_case(story: Story) -> str:
    """Registered 夜间施工噪音 (E0301), replied, called back 不满意 and sent back to the centre for
    re-sorting (14 October), then dispatched again as 施工扬尘 (E0303) on 15 October."""
    story.at("2026-10-12", "09:00")
    number = story.dispatched()
    story.do(number, Action.ACCEPT, "handler")
    story.reply(number)
    story.at("2026-10-14", "10:00")
    story.do(number, Action.RECORD_CALLBACK, "operator", outcome="reached", solved=False,
             process_satisfaction=UNSATISFIED, result_satisfaction=UNSATISFIED,
             reopen_to="resort")  # fmt: skip
    story.at("2026-10-15", "10:00")
    story.do(number, Action.DISPATCH, "dispatcher", unit="LX-CGJ", category_code="E0303")
    return number


def by_category(story: Story, period: Period = OCTOBER) -> dict[str, dict[str, tuple[int, int]]]:
    report = story.report(period, "category")
    return {g["key"]: {k: (v["numerator"], v["denominator"]) for k, v in g["indicators"].items()}
            for g in report["groups"]}  # fmt: skip


def test_a_resorted_case_is_grouped_under_its_new_category(story: Story) -> None:
    resorted_case(story)
    groups = by_category(story)
    assert set(groups) == {"E0303"}  # the classification at the time of asking
    assert groups["E0303"]["result_satisfaction"] == (0, 1)  # the callback moved with it
    assert groups["E0303"]["response_rate"] == (1, 2)  # both dispatches; the second not signed


def test_a_round_reopened_by_an_unsatisfied_callback_counts_as_due(story: Story) -> None:
    story.at("2026-10-12", "09:00")
    number = story.dispatched()
    story.do(number, Action.ACCEPT, "handler")
    story.reply(number)
    story.at("2026-10-14", "10:00")  # 不满意 → 重办 to the same unit, due 16 October 10:00
    story.callback(number, UNSATISFIED, UNSATISFIED, False)
    story.at("2026-10-15", "10:00")
    assert totals(story.report())["reply_rate"] == (1, 1)
    assert story.report()["total"]["reply_rate"]["not_yet_due"] == 1  # the reopened round
    story.at("2026-10-16", "10:01")
    assert totals(story.report())["reply_rate"] == (1, 2)
    assert totals(story.report())["overdue_rate"] == (1, 2)
    assert totals(story.report())["response_rate"] == (1, 2)  # its dispatch, not signed yet
    listed = story.drill("reply_rate", "denominator")["items"]
    assert [item["kind"] for item in listed] == ["reply_due_replied", "reply_due_open_past"]
    # as docs/lifecycle.md says: the 不满意 callback opened a 督办 and marked the case supervised
    with story.hotline.db.transaction() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        supervision = session.scalars(select(Supervision)).one()
        assert case.supervised and supervision.case_id == case.id
        assert (supervision.level, supervision.source) == ("supervise", "callback_unsatisfied")


def settle_as_version_1(story: Story, month: str, period: Period) -> None:
    """A settlement made before the rules changed: the counts version 1 gave (facts as of the
    settlement time replayed under version 1), the definitions then in force."""
    now = story.clock()
    clock = ReportMoment(story.hotline.settings.tz, now)
    old = [d | {"denominator": ["reply_due"]} if d["key"] in ("reply_rate", "overdue_rate")
           else d for d in definitions_as_data(DEFAULT_DEFINITIONS)]  # fmt: skip
    with story.hotline.db.transaction() as session:
        counts = raw_counts(session, period, clock, version=1)
        settlement = IndicatorSettlement(month=month, start_on=period.start, end_on=period.end,
                                         settled_at=now, settled_by="adm", definitions=old,
                                         totals={}, indicator_version=1)  # fmt: skip
        session.add(settlement)
        session.flush()
        rows = [
            {"settlement_id": settlement.id, "day_on": d, "kind": k, "dim": dim, "key": key, "n": n}
            for (d, k, dim, key), n in counts.items()
            if n
        ]
        session.execute(insert(IndicatorSettledCount), rows)


def test_a_month_settled_under_version_1_verifies_after_the_rules_changed(story: Story) -> None:
    resorted_case(story)
    story.at("2026-11-03", "10:00")
    settle_as_version_1(story, "2026-10", OCTOBER)
    clock = ReportMoment(story.hotline.settings.tz, story.clock())
    check = verify_settlement(story.hotline.db, clock, "2026-10")
    assert (check["matches"], check["indicator_version"]) == (True, 1)
    # replayed under today's rules the same history groups differently: without the stored
    # version, verify would report a settled month as wrong
    with story.hotline.db.transaction() as session:
        as_of = ReportMoment(clock.tz, story.clock())
        v1, v2 = (raw_counts(session, OCTOBER, as_of, version=v) for v in (1, 2))
    categories = {v: Counter(k for (_d, _kind, dim, k), n in c.items() if dim == "category" and n)
                  for v, c in ((1, v1), (2, v2))}  # fmt: skip
    assert set(categories[1]) == {"E0301"} and set(categories[2]) == {"E0303"}
    # the settled month keeps its own figures and definitions
    report = story.report(OCTOBER, "category")
    assert [g["key"] for g in report["groups"]] == ["E0301"]
    assert report["indicator_version"] == 1
    reply = next(d for d in report["definitions"] if d["key"] == "reply_rate")
    assert reply["denominator"] == ["reply_due"]


def test_a_comparison_across_a_change_of_rules_is_labelled(story: Story) -> None:
    resorted_case(story)
    story.at("2026-11-03", "10:00")
    settle_as_version_1(story, "2026-10", OCTOBER)
    november = story.report(NOVEMBER)["total"]
    note = november["reply_rate"]["pop_note"]
    assert note is not None and "2026-10（第 1 版）" in note and "第 2 版" in note
    assert november["reply_rate"]["yoy_note"] is None  # November 2025: nothing settled
    # the monthly report says so under its indicator table, the label once
    notice = build_notice(story.hotline, "monthly", "2026-11", story.hotline.now(), ranking=[])
    table_note = notice.table("indicators").note or ""
    assert table_note.count("2026-10（第 1 版）") == 1 and "比较仅供参考" in table_note
    story.at("2027-11-03", "10:00")
    next_year = story.report(Period(date(2027, 10, 1), date(2027, 10, 31)))["total"]
    assert "去年同期" in (next_year["result_satisfaction"]["yoy_note"] or "")


def test_a_month_settled_now_is_version_2_and_verifies(story: Story) -> None:
    resorted_case(story)
    story.at("2026-11-03", "10:00")
    summary = settle_month(story.hotline, "2026-10", SYSTEM, story.clock())
    assert summary["indicator_version"] == 2
    clock = ReportMoment(story.hotline.settings.tz, story.clock())
    assert verify_settlement(story.hotline.db, clock, "2026-10")["matches"]
    assert story.report(OCTOBER)["total"]["reply_rate"]["pop_note"] is None


def test_the_drill_down_of_a_month_settled_under_version_1_lists_what_it_counted(
    story: Story,
) -> None:
    """The drill-down of a settled month lists the cases behind its frozen figure. The stored
    facts are derived by today's rules (version 2 puts the re-sorted case under E0303), so a
    version-1 month is replayed under version 1 as of its settlement instead: under E0301,
    where it was counted, with the same count as the figure."""
    number = resorted_case(story)
    story.at("2026-11-03", "10:00")
    settle_as_version_1(story, "2026-10", OCTOBER)
    story.at("2026-11-04", "10:00")
    refresh_indicator_facts(story.hotline, story.clock())  # the facts, by today's rules
    (group,) = story.report(OCTOBER, "category")["groups"]
    assert group["key"] == "E0301"
    for indicator in ("result_satisfaction", "response_rate", "reply_rate"):
        for part in ("numerator", "denominator"):
            drill = story.drill(indicator, part, group_by="category", group="E0301")
            assert drill["count"] == group["indicators"][indicator][part], (indicator, part)
    listed = story.drill("result_satisfaction", "denominator", group_by="category", group="E0301")
    assert [item["number"] for item in listed["items"]] == [number]
    assert listed["kinds"] == ["callback_reached"]
    assert story.drill("result_satisfaction", "denominator", group_by="category",
                       group="E0303")["count"] == 0  # fmt: skip
    # the month's reply rate as settled: the version-1 denominator (every round due)
    reply = story.drill("reply_rate", "denominator")
    total = story.report(OCTOBER)["total"]["reply_rate"]["denominator"]
    assert reply["kinds"] == ["reply_due"] and reply["count"] == total == 2
