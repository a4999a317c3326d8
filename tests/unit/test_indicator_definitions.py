"""Indicator definitions, ratios with their reasons, changes in points, comparison periods."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotline.domain.errors import InvalidInput
from hotline.domain.indicators import (
    DEFAULT_DEFINITIONS,
    Period,
    change_pp,
    definitions_as_data,
    definitions_from,
    definitions_of_data,
    month_period,
    months_touching,
    previous_period,
    ratio,
    year_before,
)

BY_KEY = {d.key: d for d in DEFAULT_DEFINITIONS}


def test_the_ten_indicators_of_design_section_5() -> None:
    assert [d.name for d in DEFAULT_DEFINITIONS] == [
        "回复率", "按期办结率", "超期率", "响应率", "过程满意率",
        "结果满意率", "解决率", "退单率", "重办率", "重复投诉率",
    ]  # fmt: skip
    reply = BY_KEY["reply_rate"]
    assert reply.formula == "回复率 = 已回复件数 ÷ 应回复件数 × 100%"
    assert reply.formula_machine == (
        "reply_rate = (reply_due_replied) / (reply_due_replied + reply_due_open_past)"
    )
    assert BY_KEY["overdue_rate"].numerator == ("reply_due_late", "reply_due_open_past")
    assert not BY_KEY["return_rate"].bounded and BY_KEY["repeat_rate"].bounded


def test_ratio_and_division_by_zero() -> None:
    value = ratio(BY_KEY["reply_rate"], Counter(reply_due_replied=3, reply_due_open_past=1))
    assert (value.numerator, value.denominator, value.value, value.percent) == (3, 4, 0.75, 75.0)
    empty = ratio(BY_KEY["process_satisfaction"], Counter())
    assert empty.value is None and empty.percent is None
    assert empty.reason == "分母为 0：本期无回访接通件，无法计算"


def test_changes_are_in_percentage_points_or_explained() -> None:
    now = ratio(BY_KEY["on_time_rate"], Counter(reply=4, reply_on_time=2))
    before = ratio(BY_KEY["on_time_rate"], Counter(reply=1, reply_on_time=1))
    assert change_pp(now, before, "上期") == (-50.0, None)
    nothing = ratio(BY_KEY["on_time_rate"], Counter())
    assert change_pp(now, nothing, "去年同期") == (None, "去年同期无值")
    assert change_pp(nothing, now, "上期") == (None, "本期无值")


def test_overrides_reweigh_and_drop_and_refuse_unknowns() -> None:
    custom = definitions_from(
        {"rework_rate": {"numerator": ["rework_reopen", "rework_callback"], "name": "返工率"},
         "repeat_rate": {"enabled": False}}
    )  # fmt: skip
    keys = [d.key for d in custom]
    assert "repeat_rate" not in keys and len(keys) == 9
    rework = next(d for d in custom if d.key == "rework_rate")
    assert rework.numerator == ("rework_reopen", "rework_callback") and rework.name == "返工率"
    with pytest.raises(InvalidInput, match="未知的事实类型"):
        definitions_from({"reply_rate": {"numerator": ["nonsense"]}})
    with pytest.raises(InvalidInput, match="未知的指标"):
        definitions_from({"happiness": {}})


def test_definitions_survive_storage_with_a_settlement() -> None:
    assert definitions_of_data(definitions_as_data(DEFAULT_DEFINITIONS)) == DEFAULT_DEFINITIONS


def test_months_and_comparison_periods() -> None:
    october = month_period("2026-10")
    assert (october.start, october.end, october.days) == (date(2026, 10, 1), date(2026, 10, 31), 31)
    assert previous_period(october) == month_period("2026-09")
    assert year_before(october) == month_period("2025-10")
    quarter = Period(date(2026, 7, 1), date(2026, 9, 30))
    assert previous_period(quarter) == Period(date(2026, 4, 1), date(2026, 6, 30))
    week = Period(date(2026, 10, 12), date(2026, 10, 18))
    assert previous_period(week) == Period(date(2026, 10, 5), date(2026, 10, 11))
    leap = Period(date(2028, 2, 29), date(2028, 2, 29))
    assert year_before(leap) == Period(date(2027, 2, 28), date(2027, 2, 28))
    assert year_before(month_period("2028-02")) == month_period("2027-02")
    assert months_touching(Period(date(2026, 11, 20), date(2027, 1, 3))) == [
        "2026-11", "2026-12", "2027-01"
    ]  # fmt: skip
    with pytest.raises(InvalidInput):
        month_period("2026-13")
    with pytest.raises(InvalidInput):
        Period(date(2026, 10, 2), date(2026, 10, 1))


@given(st.integers(0, 10_000), st.integers(0, 10_000))
def test_bounded_ratios_lie_in_zero_one(part: int, extra: int) -> None:
    counts = Counter(reply_due_open_past=extra, reply_due_replied=part)
    value = ratio(BY_KEY["reply_rate"], counts).value
    assert value is None or 0.0 <= value <= 1.0


@given(st.dates(date(2001, 1, 1), date(2098, 12, 1)), st.integers(0, 400))
def test_previous_period_ends_the_day_before_and_matches_length(start: date, length: int) -> None:
    period = Period(start, date.fromordinal(start.toordinal() + length))
    before = previous_period(period)
    assert before.end.toordinal() == period.start.toordinal() - 1
    if not (period.start.day == 1 and date.fromordinal(period.end.toordinal() + 1).day == 1):
        assert before.days == period.days
