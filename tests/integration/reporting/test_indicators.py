"""The indicators (docs/indicators.md) on hand-built histories with known answers, through the
services.

One October, told case by case (times are local, Asia/Shanghai; E0301 gives 1 working hour to
sign and 2 working days to reply):

* c0 (September): dispatched, signed and replied in time — the 环比 base.
* c1: signed in time, replied in time, callback 满意/满意/solved.
* c2: signed late, replied late; callback unreachable, then 基本满意/不满意/unsolved → 重办 to the
  same unit on 29 October (its new round is due in November).
* c3: returned by the district bureau, approved, dispatched to a street office, signed in time,
  never replied: open past its deadline.
* c4: a consultation answered directly (intake only).
* c5, c6: two reports of one problem (repeats); c6 confidential.
* c7: signed, sub-dispatched to a street that returns it, replied with a promise in time,
  verification fails (rework), replied again late, callback 满意/基本满意/solved.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from hotline.adapters.db.models import Case, Problem
from hotline.domain.indicators import Period
from hotline.domain.lifecycle import Action
from hotline.domain.roles import Actor, Role
from hotline.reports.drilldown import DrillQuery, drill_down
from hotline.reports.indicator_counts import ReportMoment
from hotline.reports.indicators import IndicatorQuery, indicator_report
from hotline.services.accounts.scope import restrict_to_scope
from hotline.services.context import Hotline
from hotline.services.evaluation.settlement import rebuild_indicator_facts, refresh_indicator_facts
from tests.conftest import FakeClock
from tests.integration.helpers import act, new_case

OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31))
SATISFIED, BASIC, UNSATISFIED = "satisfied", "basically_satisfied", "unsatisfied"


class Story:
    """Walks cases through the services at given local times."""

    def __init__(self, hotline: Hotline, actors: dict[str, Actor], clock: FakeClock) -> None:
        self.hotline, self.actors, self.clock = hotline, actors, clock

    def at(self, day: str, hhmm: str = "09:00") -> None:
        local = datetime.fromisoformat(f"{day}T{hhmm}").replace(tzinfo=self.hotline.settings.tz)
        self.clock.current = local.astimezone(UTC)

    def do(self, number: str, action: Action, who: str, reason: str | None = None,
           **fields: Any) -> None:  # fmt: skip
        act(self.hotline, number, action, self.actors[who], reason, **fields)

    def case(self, **overrides: Any) -> str:
        return new_case(self.hotline, self.actors["operator"], **overrides)

    def dispatched(self, unit: str = "LX-CGJ", **overrides: Any) -> str:
        number = self.case(**overrides)
        self.do(number, Action.REGISTER, "operator", category_code="E0301")
        self.do(number, Action.DISPATCH, "dispatcher", unit=unit)
        return number

    def reply(
        self, number: str, who: str = "handler", result: str = "solved", **extra: Any
    ) -> None:
        self.do(number, Action.REPLY, who, result_type=result, reply_text="已处理", **extra)

    def callback(self, number: str, process: str | None = None, result: str | None = None,
                 solved: bool | None = None, outcome: str = "reached") -> None:  # fmt: skip
        answers = {"process_satisfaction": process, "result_satisfaction": result}
        self.do(number, Action.RECORD_CALLBACK, "operator", outcome=outcome, solved=solved,
                **answers)  # fmt: skip

    def link(self, *numbers: str) -> None:
        """Put cases on one problem ledger entry (as the repeat finder would)."""
        with self.hotline.db.transaction() as session:
            cases = session.scalars(select(Case).where(Case.number.in_(numbers))).all()
            problem = Problem(status="open", title="同一问题", first_case_at=self.clock(),
                              last_case_at=self.clock(), case_count=len(cases))  # fmt: skip
            session.add(problem)
            session.flush()
            for case in cases:
                case.problem_id = problem.id

    def report(self, period: Period = OCTOBER, group_by: str | None = None) -> dict[str, Any]:
        clock = ReportMoment(self.hotline.settings.tz, self.clock())
        with self.hotline.db.snapshot() as session:
            return indicator_report(session, clock, IndicatorQuery(period, group_by)).as_data()

    def drill(self, indicator: str, part: str = "numerator", actor: str = "admin",
              group_by: str | None = None, group: str = "") -> dict[str, Any]:  # fmt: skip
        who = self.actors.get(actor) or Actor(actor, Role.ADMIN)
        clock = ReportMoment(self.hotline.settings.tz, self.clock())
        query = IndicatorQuery(OCTOBER, group_by)
        with self.hotline.db.snapshot() as session:
            found = drill_down(session, clock, query, DrillQuery(indicator, part, group),
                               lambda s, stmt: restrict_to_scope(s, stmt, who))  # fmt: skip
        return found.as_data()


def totals(report: dict[str, Any]) -> dict[str, tuple[int, int]]:
    return {k: (v["numerator"], v["denominator"]) for k, v in report["total"].items()}


def october(story: Story) -> dict[str, str]:
    s = story
    s.at("2026-09-14")
    c0 = s.dispatched()
    s.at("2026-09-14", "09:10")
    s.do(c0, Action.ACCEPT, "handler")
    s.at("2026-09-14", "15:00")
    s.reply(c0)
    s.at("2026-10-12")
    c1, c2, c3 = s.dispatched(), s.dispatched(), s.dispatched()
    c4 = s.case(content="咨询：垃圾分类投放时间是几点？")
    s.do(c4, Action.ANSWER_DIRECTLY, "operator", reply_text="早晚各一次")
    s.at("2026-10-12", "09:30")
    s.do(c1, Action.ACCEPT, "handler")
    s.at("2026-10-12", "09:40")
    s.do(c3, Action.RETURN, "handler", "不属本局职责", reason_code="not_our_duty")
    s.at("2026-10-12", "10:00")
    s.do(c3, Action.APPROVE_RETURN, "dispatcher", "同意退单")
    s.at("2026-10-12", "10:10")
    s.do(c3, Action.DISPATCH, "dispatcher", unit="LX-JFL")
    s.at("2026-10-12", "10:20")
    s.do(c3, Action.ACCEPT, "street_handler")
    s.at("2026-10-12", "11:00")
    s.do(c2, Action.ACCEPT, "handler")
    s.at("2026-10-13", "10:00")
    s.reply(c1)
    s.at("2026-10-14", "10:00")
    s.callback(c1, SATISFIED, SATISFIED, True)
    s.at("2026-10-15", "10:00")
    s.reply(c2)
    s.at("2026-10-16", "10:00")
    s.callback(c2, outcome="unreachable")
    c7 = _c7_first_week(s)
    s.at("2026-10-20", "11:00")
    c5 = s.case(district_code="370103")
    c6 = s.case(district_code="370102", confidential=True)
    s.link(c5, c6)
    _c7_second_week(s, c7)
    s.at("2026-10-29", "14:00")
    s.callback(c2, BASIC, UNSATISFIED, False)
    s.at("2026-10-30", "12:00")
    return {"c0": c0, "c1": c1, "c2": c2, "c3": c3, "c4": c4, "c5": c5, "c6": c6, "c7": c7}


def _c7_first_week(s: Story) -> str:
    s.at("2026-10-19", "09:00")
    c7 = s.dispatched()
    s.at("2026-10-19", "09:10")
    s.do(c7, Action.ACCEPT, "handler")
    s.at("2026-10-19", "09:20")
    s.do(c7, Action.SUB_DISPATCH, "handler", unit="LX-JFL")
    s.at("2026-10-19", "09:30")
    s.do(c7, Action.ACCEPT, "street_handler")
    s.at("2026-10-19", "09:40")
    s.do(c7, Action.RETURN, "street_handler", "非本街道", reason_code="wrong_location")
    s.at("2026-10-19", "09:50")
    s.do(c7, Action.APPROVE_RETURN, "dispatcher", "退回区局")
    s.at("2026-10-20", "10:00")
    s.reply(c7, result="promised", promised_on="2026-10-21")
    return c7


def _c7_second_week(s: Story, c7: str) -> None:
    s.at("2026-10-21", "10:00")
    s.do(c7, Action.VERIFY, "inspector", "现场未整改", passed=False)
    s.at("2026-10-22", "10:00")
    s.reply(c7)
    s.at("2026-10-23", "10:00")
    s.callback(c7, SATISFIED, BASIC, True)


EXPECTED = {
    "reply_rate": (3, 4),  # c1, c2, c7 replied of 4 rounds due (c1, c2, c3's 2nd, c7)
    "on_time_rate": (2, 4),  # replies c1, c7 (promise) in time; c2, c7 (again) late
    "overdue_rate": (3, 4),  # c2 and c7 replied late, c3 still open past its deadline
    "response_rate": (3, 6),  # rounds c1, c3 (2nd), c7 signed in time; c2 late, c3 (1st)
    # returned, c2's reopened round not yet signed
    "process_satisfaction": (3, 3),
    "result_satisfaction": (2, 3),
    "solved_rate": (2, 3),
    "return_rate": (2, 7),  # c3 by the bureau, c7 by the street / 6 dispatches + 1 sub-dispatch
    "rework_rate": (2, 4),  # c7 verification failed, c2 reopened after the callback / 4 replies
    "repeat_rate": (2, 7),  # c5, c6 of the 7 October intakes
}


@pytest.fixture
def story(hotline: Hotline, actors: dict[str, Actor], clock: FakeClock) -> Story:
    return Story(hotline, actors, clock)


def test_every_indicator_has_its_known_value(story: Story) -> None:
    october(story)
    report = story.report()
    assert totals(report) == EXPECTED
    reply = report["total"]["reply_rate"]
    assert reply["value"] == 0.75 and reply["percent"] == 75.0
    assert reply["formula"] == "回复率 = 已回复件数 ÷ 应回复件数 × 100%"
    assert reply["formula_machine"] == (
        "reply_rate = (reply_due_replied) / (reply_due_replied + reply_due_open_past)"
    )
    assert report["total"]["return_rate"]["value"] == pytest.approx(2 / 7, abs=1e-6)


def test_period_over_period_and_year_over_year_in_points(story: Story) -> None:
    october(story)
    total = story.report()["total"]
    assert total["on_time_rate"]["previous"] == {"numerator": 1, "denominator": 1, "value": 1.0}
    assert total["on_time_rate"]["pop_pp"] == -50.0
    assert total["reply_rate"]["pop_pp"] == -25.0
    assert total["reply_rate"]["yoy_pp"] is None
    assert total["reply_rate"]["yoy_reason"] == "去年同期无值"
    assert story.report()["comparisons"] == {
        "pop": {"from": "2026-09-01", "to": "2026-09-30"},
        "yoy": {"from": "2025-10-01", "to": "2025-10-31"},
    }


def test_a_zero_denominator_gives_null_with_a_reason(story: Story) -> None:
    october(story)
    empty = story.report(Period(date(2026, 8, 1), date(2026, 8, 31)))["total"]["solved_rate"]
    assert empty["value"] is None and empty["denominator"] == 0
    assert empty["reason"] == "分母为 0：本期无回访接通件，无法计算"


def test_groups_by_district_add_up_to_the_total(story: Story) -> None:
    october(story)
    report = story.report(group_by="district")
    labels = {g["key"]: g["label"] for g in report["groups"]}
    assert labels == {"": "（未知）", "370102": "历下区", "370103": "市中区"}
    by_key = {g["key"]: g["indicators"] for g in report["groups"]}
    assert by_key["370103"]["repeat_rate"]["numerator"] == 1
    assert by_key["370102"]["reply_rate"]["denominator"] == 4
    for key, (num, den) in EXPECTED.items():
        assert sum(g[key]["numerator"] for g in by_key.values()) == num
        assert sum(g[key]["denominator"] for g in by_key.values()) == den


def _summed(report: dict[str, Any]) -> dict[str, tuple[int, int]]:
    def part(key: str, side: str) -> int:
        return sum(g["indicators"][key][side] for g in report["groups"])

    return {key: (part(key, "numerator"), part(key, "denominator")) for key in report["total"]}


def _same_figures_by_day_and_by_district(story: Story, period: Period) -> dict[str, Any]:
    by_day, by_district = story.report(period, "day"), story.report(period, "district")
    assert _summed(by_day) == totals(by_day) == totals(by_district), period
    assert _summed(by_district) == totals(by_district), period
    for side in ("previous", "year_before"):
        day_side = {key: value[side] for key, value in by_day["total"].items()}
        assert day_side == {key: value[side] for key, value in by_district["total"].items()}
    return by_district


def test_days_folded_in_sql_count_as_the_days_one_by_one(story: Story) -> None:
    """A report not grouped by day sums the past days in SQL and keeps today and later apart
    (an open round due today is overdue only after its hour); by day, every day is read on
    its own. Both ways give the same figures, with today inside the period or not, before and
    after the worker's refresh."""
    story.at("2026-10-12", "09:00")
    story.dispatched()  # due Tuesday 13 October 17:30
    story.dispatched(district_code="370103")
    longer = Period(date(2026, 10, 5), date(2026, 11, 6))
    # (overdue, due by now): before 17:30 both rounds are on track, due in neither part
    expected = {("2026-10-13", "12:00"): (0, 0), ("2026-10-13", "17:31"): (2, 2),
                ("2026-10-14", "09:00"): (2, 2)}  # fmt: skip
    for (day, hhmm), overdue in expected.items():
        story.at(day, hhmm)
        for period in (OCTOBER, longer):
            report = _same_figures_by_day_and_by_district(story, period)
            assert totals(report)["overdue_rate"] == overdue
            assert report["total"]["overdue_rate"]["not_yet_due"] == 2 - overdue[1]
        refresh_indicator_facts(story.hotline, story.clock())


def test_every_kind_folded_or_not_gives_the_same_report(story: Story) -> None:
    october(story)  # every kind of fact, read on 30 October; again once refreshed
    longer = Period(date(2026, 10, 5), date(2026, 11, 6))
    for _ in range(2):
        for period in (OCTOBER, longer):
            _same_figures_by_day_and_by_district(story, period)
        refresh_indicator_facts(story.hotline, story.clock())


def test_groups_by_unit_street_category_channel_and_day(story: Story) -> None:
    october(story)
    units = {g["label"]: g["indicators"] for g in story.report(group_by="unit")["groups"]}
    assert units["历下区解放路街道办事处"]["return_rate"]["numerator"] == 1  # c7, returned by it
    assert units["历下区城市管理局"]["return_rate"]["numerator"] == 1  # c3
    assert units["历下区解放路街道办事处"]["reply_rate"]["denominator"] == 1  # c3's 2nd round
    channels = story.report(group_by="channel")["groups"]
    assert [(g["key"], g["label"]) for g in channels] == [("12345", "12345市民服务热线")]
    days = story.report(group_by="day")["groups"]
    assert len(days) == 31 and days[0]["key"] == "2026-10-01"
    by_day = {g["key"]: g["indicators"] for g in days}
    assert by_day["2026-10-13"]["reply_rate"]["denominator"] == 2  # c1, c2: due 17:30
    assert by_day["2026-10-14"]["reply_rate"]["denominator"] == 1  # c3's 2nd round
    assert by_day["2026-10-12"]["return_rate"]["numerator"] == 1
    for group_by in ("street", "category"):
        groups = story.report(group_by=group_by)["groups"]
        assert sum(g["indicators"]["repeat_rate"]["denominator"] for g in groups) == 7


def test_drill_down_lists_the_cases_behind_each_count(story: Story) -> None:
    c = october(story)
    replied = story.drill("reply_rate")
    assert replied["count"] == 3 and replied["hidden"] == 0
    assert {i["number"] for i in replied["items"]} == {c["c1"], c["c2"], c["c7"]}
    overdue = story.drill("overdue_rate")
    assert {i["number"] for i in overdue["items"]} == {c["c2"], c["c3"], c["c7"]}
    assert {i["kind"] for i in overdue["items"]} == {"reply_due_late", "reply_due_open_past"}
    repeats = story.drill("repeat_rate")
    assert {i["number"] for i in repeats["items"]} == {c["c5"], c["c6"]}  # confidential too
    lixia = story.drill("repeat_rate", "denominator", group_by="district", group="370102")
    assert lixia["count"] == 5
    day = story.drill("return_rate", group_by="day", group="2026-10-19")
    assert [i["number"] for i in day["items"]] == [c["c7"]]


def test_drill_down_respects_the_callers_scope(story: Story) -> None:
    c = october(story)
    street = story.drill("return_rate", "denominator", actor="street_handler")
    assert street["count"] == 7  # every dispatch counts …
    assert {i["number"] for i in street["items"]} == {c["c3"], c["c7"]}  # … its own are shown
    assert (street["visible"], street["hidden"]) == (4, 3)  # c3 twice, c7 and its sub-dispatch
    other = story.drill("repeat_rate", actor="other_street_handler")
    assert (other["count"], other["visible"], other["items"]) == (2, 0, [])


def test_the_refreshed_rollup_gives_the_same_report_as_raw_projection(story: Story) -> None:
    october(story)
    before = story.report(group_by="unit")
    refresh_indicator_facts(story.hotline, story.clock())
    assert story.report(group_by="unit") == before
    assert refresh_indicator_facts(story.hotline, story.clock()).cases == 0


def test_a_replay_from_scratch_gives_the_same_report_as_the_refresh(story: Story) -> None:
    october(story)
    refresh_indicator_facts(story.hotline, story.clock())
    refreshed = {group_by: story.report(group_by=group_by) for group_by in ("unit", "day")}
    replay = rebuild_indicator_facts(story.hotline, story.clock())
    assert replay.cases == 8 and replay.facts > 0  # c0 … c7
    assert {group_by: story.report(group_by=group_by) for group_by in refreshed} == refreshed
    assert refresh_indicator_facts(story.hotline, story.clock()).cases == 0


def test_an_open_round_becomes_overdue_only_when_its_deadline_passes(story: Story) -> None:
    story.at("2026-10-12", "09:00")
    number = story.dispatched()  # 2 working days of 7 hours: due Tuesday 13 October 17:30
    refresh_indicator_facts(story.hotline, story.clock())
    story.at("2026-10-13", "17:29")  # on track: in neither part of the reply or overdue rate
    assert totals(story.report())["overdue_rate"] == (0, 0)
    assert totals(story.report())["reply_rate"] == (0, 0)
    assert story.report()["total"]["reply_rate"]["not_yet_due"] == 1
    story.at("2026-10-13", "17:31")
    assert totals(story.report())["overdue_rate"] == (1, 1)
    assert totals(story.report())["reply_rate"] == (0, 1)
    assert story.report()["total"]["reply_rate"]["not_yet_due"] == 0
    assert [i["number"] for i in story.drill("overdue_rate")["items"]] == [number]


def test_unreachable_callbacks_count_in_no_satisfaction_figure(story: Story) -> None:
    story.at("2026-10-12", "09:00")
    number = story.dispatched()
    story.do(number, Action.ACCEPT, "handler")
    story.reply(number)
    for hour in ("10:00", "14:00", "16:00"):  # the third unreachable attempt closes the case
        story.at("2026-10-13", hour)
        story.callback(number, outcome="unreachable")
    report = totals(story.report())
    assert report["process_satisfaction"] == report["solved_rate"] == (0, 0)
    assert story.report()["total"]["result_satisfaction"]["value"] is None
    assert report["reply_rate"] == (1, 1) and report["rework_rate"] == (0, 1)


def test_a_reopen_by_the_centre_is_rework_and_starts_a_new_round(story: Story) -> None:
    story.at("2026-10-12", "09:00")
    number = story.dispatched()
    story.do(number, Action.ACCEPT, "handler")
    story.reply(number)
    story.at("2026-10-13", "10:00")
    story.callback(number, SATISFIED, SATISFIED, True)
    story.at("2026-10-15", "10:00")
    story.do(number, Action.REOPEN, "dispatcher", "市民再次来电反映未整改", target="same_unit")
    report = totals(story.report())
    assert report["rework_rate"] == (1, 1)
    assert report["reply_rate"] == (1, 1)  # the new round is due on 19 October: not yet due
    assert story.report()["total"]["reply_rate"]["not_yet_due"] == 1
    assert report["response_rate"] == (1, 2)
    kinds = {i["kind"] for i in story.drill("rework_rate")["items"]}
    assert kinds == {"rework_reopen"}
