"""Exact values of the evaluation rules that mutation testing found unguarded (docs/testing.md):
boundaries of the interval, the baseline and the sample rule, the explanation's lines, ties and
the order of the results."""

from __future__ import annotations

from typing import Any

import pytest

from hotline.domain.errors import InvalidInput
from hotline.domain.scoring import (
    Deduction,
    DerivedBaseline,
    Difference,
    EntityInput,
    FundingBand,
    IndicatorRule,
    Scheme,
    baseline_of,
    evaluate,
    score_entity,
    what_if,
    wilson_interval,
)

SATISFACTION = IndicatorRule("result_satisfaction", 100, 0.85)
ONE = Scheme("t", "测试", (SATISFACTION,), red_top=0, black_bottom=0)


def _entity(code: str = "370102", value: float | None = 0.85, **extra: object) -> EntityInput:
    return EntityInput(code, f"区{code}", {"result_satisfaction": value}, **extra)  # type: ignore[arg-type]


def test_the_wilson_interval_at_its_edges() -> None:
    assert wilson_interval(1, 4) == pytest.approx((0.0455873, 0.6993582))
    assert wilson_interval(1, 1) == pytest.approx((0.2065493, 1.0))
    assert wilson_interval(5, 5)[1] == 1.0  # type: ignore[index]
    assert wilson_interval(0, 1) == pytest.approx((0.0, 0.7934507))  # none of one case is valid
    assert wilson_interval(0, 0) is None
    assert wilson_interval(2, 1) is None
    assert wilson_interval(-1, 3) is None


@pytest.mark.parametrize(
    ("rule", "last", "expected"),
    [
        (IndicatorRule("result_satisfaction", 100, 0.85, derived_baseline=DerivedBaseline(1)),
         0.995, (1.0, "去年同期结算 99.50% 改进 1 个百分点，封顶 100.00%")),
        (IndicatorRule("result_satisfaction", 100, 0.85,
                       derived_baseline=DerivedBaseline(2, cap=0.9)),
         0.8, (0.82, "去年同期结算 80.00% 改进 2 个百分点，封顶 90.00%")),
        (IndicatorRule("result_satisfaction", 100, 0.85,
                       derived_baseline=DerivedBaseline(2, cap=0.9)),
         0.89, (0.9, "去年同期结算 89.00% 改进 2 个百分点，封顶 90.00%")),
        (IndicatorRule("result_satisfaction", 100, 0.85, derived_baseline=DerivedBaseline(0)),
         0.123456789, (0.123457, "去年同期结算 12.35% 改进 0 个百分点，封顶 100.00%")),
        (IndicatorRule("overdue_rate", 100, 0.05, derived_baseline=DerivedBaseline(1)),
         0.005, (0.0, "去年同期结算 0.50% 改进 1 个百分点，封顶 0.00%")),
        (IndicatorRule("overdue_rate", 100, 0.05, derived_baseline=DerivedBaseline(2, cap=0.05)),
         0.1, (0.08, "去年同期结算 10.00% 改进 2 个百分点，封顶 5.00%")),
    ],
)  # fmt: skip
def test_a_derived_baseline_moves_the_good_way_and_stops_at_its_cap(
    rule: IndicatorRule, last: float, expected: tuple[float, str]
) -> None:
    entity = EntityInput("370102", "历下区", {}, last_year={rule.code: last})
    assert baseline_of(rule, entity) == expected


def test_an_indicator_exactly_at_its_baseline_passes_with_its_weight() -> None:
    result = score_entity(ONE, _entity(value=0.85))
    assert result.baseline_passed == {"result_satisfaction": True} and result.score == 100
    assert result.explanation == [
        "结果满意率：85.00%，优于基准线 85.00% 0.00 个百分点，100 +0.00 = 100.00 分",
        "合计 100.00 分",
    ]


def test_half_a_point_above_earns_the_bonus_rate_not_the_penalty_rate() -> None:
    assert score_entity(ONE, _entity(value=0.855)).score == 100.25


def test_a_sample_exactly_the_minimum_is_scored() -> None:
    scheme = Scheme("t", "测试", (IndicatorRule("result_satisfaction", 100, 0.85, min_sample=4),))
    scored = score_entity(scheme, _entity(samples={"result_satisfaction": (4, 4)}))
    assert scored.rated and scored.unscored == []
    too_few = score_entity(scheme, _entity(samples={"result_satisfaction": (3, 3)}))
    assert not too_few.rated and too_few.unscored == ["result_satisfaction"]


def test_an_unnamed_indicator_is_shown_by_its_code() -> None:
    custom = Scheme("t", "测试", (IndicatorRule("custom_rate", 50, 0.5),
                                 IndicatorRule("reply_rate", 50, 0.9)))  # fmt: skip
    result = score_entity(custom, EntityInput("370102", "历下区", {"reply_rate": 0.9}))
    assert result.explanation[0] == (
        "custom_rate：无值（n=0），样本不足（至少须 1 件），不计分（权重 50 分不计入）"
    )
    assert result.explanation[2].startswith("custom_rate样本不足，按其余指标计分")
    scored = score_entity(custom, EntityInput("370102", "历下区", {"custom_rate": 0.5}))
    assert scored.explanation[0].startswith("custom_rate：50.00%，")


def test_a_literal_baseline_is_named_in_the_line() -> None:
    rule = IndicatorRule("result_satisfaction", 100, 0.85, baselines={"370102": 0.8})
    result = score_entity(Scheme("t", "测试", (rule,)), _entity(value=0.8))
    assert result.explanation[0] == (
        "结果满意率：80.00%，优于基准线 80.00%（本单位基准线） 0.00 个百分点，100 +0.00 = 100.00 分"
    )


def test_deductions_and_adjustments_add_up_with_their_details() -> None:
    scheme = Scheme(
        "t", "测试", (SATISFACTION,), deductions=(Deduction("media_exposure", "媒体曝光", 2),)
    )
    entity = _entity(
        deduction_counts={"media_exposure": 2},
        deduction_details={"media_exposure": "20261124-000001、20261125-000002"},
        adjustments=((1.5, "暴雨"), (-0.5, "复核")),
        notes=("数据截至 11 月 30 日",),
    )
    result = score_entity(scheme, entity)
    assert result.name == "区370102" and result.score == 100 - 4 + 1.5 - 0.5
    assert result.explanation == [
        "数据截至 11 月 30 日",
        "结果满意率：85.00%，优于基准线 85.00% 0.00 个百分点，100 +0.00 = 100.00 分",
        "媒体曝光：2 次 × 2 分 = -4 分（20261124-000001、20261125-000002）",
        "经批准的调整（暴雨）：+1.5 分",
        "经批准的调整（复核）：-0.5 分",
        "合计 97.00 分",
    ]


def test_a_score_of_zero_ranks_below_a_positive_one() -> None:
    rule = IndicatorRule("result_satisfaction", 100, 0.85, points_per_pp_below=2)
    steep = Scheme("t", "测试", (rule,), red_top=0, black_bottom=0)
    zero = _entity("370101", value=0.0)  # 85 points below at 2 a point: nothing left
    half = _entity("370102", value=0.0, adjustments=((0.5, "复核"),))
    results = evaluate(steep, [zero, half])
    assert [(r.entity, r.score, r.rank, r.rank_from_bottom) for r in results] == [
        ("370102", 0.5, 1, 2),
        ("370101", 0.0, 2, 1),
    ]


def test_an_unscored_core_indicator_does_not_put_anyone_on_the_black_list() -> None:
    scheme = Scheme("t", "测试", (IndicatorRule("reply_rate", 50, 0.9), SATISFACTION.__class__(
        "result_satisfaction", 50, 0.85)), red_top=0, black_bottom=0)  # fmt: skip
    entity = EntityInput("370102", "历下区", {"reply_rate": 0.95, "result_satisfaction": None})
    [result] = evaluate(scheme, [entity])
    assert result.unscored == ["result_satisfaction"] and result.lists == []


def test_one_entity_in_both_bands_gets_nothing_and_is_told_why() -> None:
    bands = (FundingBand(1, 1, 100_000), FundingBand(1, 1, -50_000, "bottom"))
    scheme = Scheme("t", "测试", (SATISFACTION,), red_top=0, black_bottom=0, funding=bands)
    [result] = evaluate(scheme, [_entity()])
    assert result.amount == 0.0 and result.explanation[-1] == (
        "第 1 名（倒数第 1 名）同时落入奖励档与扣减档（参评单位过少），未列入红黑榜，不奖不扣"
    )


def test_results_come_by_rank_not_by_code() -> None:
    results = evaluate(ONE, [_entity("370101", value=0.80), _entity("370102", value=0.90)])
    assert [r.entity for r in results] == ["370102", "370101"]


def test_what_if_compares_each_field() -> None:
    before = evaluate(ONE, [_entity("370101", value=0.80), _entity("370102", value=0.90)])
    lenient = Scheme("t2", "宽松", (IndicatorRule("result_satisfaction", 100, 0.75),))
    after = evaluate(lenient, [_entity("370101", value=0.80), _entity("370102", value=0.90)])
    assert what_if(before, after) == [
        Difference("370102", 102.5, 105.0, 1, 1, 0.0, 0.0),
        Difference("370101", 95.0, 102.5, 2, 2, 0.0, 0.0),
    ]


def test_a_scheme_validates_itself() -> None:
    ONE.validate()
    with pytest.raises(InvalidInput, match="指标权重之和须为 100"):
        Scheme("t", "测试", (IndicatorRule("result_satisfaction", 90, 0.85),)).validate()


def _scheme(rules: tuple[IndicatorRule, ...], **settings: Any) -> Scheme:
    return Scheme("t", "测试", rules, **settings)


def _rules(*rules: IndicatorRule) -> tuple[IndicatorRule, ...]:
    return rules


@pytest.mark.parametrize(
    ("scheme", "message", "fields"),
    [
        (_scheme(_rules(IndicatorRule("a_rate", 50, 0.5), IndicatorRule("b_rate", 50, 0.5))),
         "考评方案含未知指标：a_rate、b_rate", ("indicators",)),
        (_scheme(_rules(SATISFACTION, SATISFACTION)), "考评方案中指标重复", ("indicators",)),
        (_scheme((SATISFACTION,), deductions=(Deduction("x", "甲", 1), Deduction("y", "乙", 1))),
         "考评方案含无法从记录计算的扣分项：x、y（可用：media_exposure、overdue_supervision）",
         ("deductions",)),
        (_scheme((IndicatorRule("result_satisfaction", 100.5, 0.85),)),
         "指标权重之和须为 100，实为 100.5", ("indicators",)),
        (_scheme((IndicatorRule("result_satisfaction", 100, 1.01),)),
         "指标 result_satisfaction 的基准线须在 0–1 之间", ("baseline",)),
        (_scheme((IndicatorRule("result_satisfaction", 100, 0.85, min_sample=0),)),
         "指标 result_satisfaction 的最少样本须至少为 1", ("min_sample",)),
        (_scheme((IndicatorRule("result_satisfaction", 100, 0.85,
                                            baselines={"b": 1.5, "a": -0.1}),)),
         "指标 result_satisfaction 的基准线须在 0–1 之间：a、b", ("baselines",)),
        (_scheme((IndicatorRule("result_satisfaction", 100, 0.85,
                                            derived_baseline=DerivedBaseline(1, cap=1.2)),)),
         "指标 result_satisfaction 的基准线须在 0–1 之间：derived_baseline.cap", ("baselines",)),
        (_scheme((IndicatorRule("reply_rate", 100, 0.85),)),
         "黑榜规则引用了方案外的指标：result_satisfaction", ("black_if_failing",)),
        (_scheme((SATISFACTION,), funding=(FundingBand(1, 1, 5, "middle"),)),
         "资金档次的 count_from 须为 top 或 bottom", ("funding",)),
        (_scheme((SATISFACTION,), funding=(FundingBand(1, 1, -5),)),
         "扣减资金的档次须从末位数起（count_from: bottom，first_rank: 1 即倒数第 1 名）",
         ("funding",)),
        (_scheme((SATISFACTION,), funding=(FundingBand(1, 1, 5, "bottom"),)),
         "奖励资金的档次须从首位数起（count_from: top）", ("funding",)),
        (_scheme((SATISFACTION,), funding=(FundingBand(0, 1, 5),)),
         "资金档次的名次区间须从 1 起且互不重叠", ("funding",)),
        (_scheme((SATISFACTION,), funding=(FundingBand(1, 2, 5), FundingBand(2, 3, 1))),
         "资金档次的名次区间须从 1 起且互不重叠", ("funding",)),
    ],
)  # fmt: skip
def test_each_refusal_of_a_scheme_names_its_field(
    scheme: Scheme, message: str, fields: tuple[str, ...]
) -> None:
    with pytest.raises(InvalidInput) as refused:
        scheme.validate()
    assert str(refused.value) == message and tuple(refused.value.fields) == fields


@pytest.mark.parametrize(
    "scheme",
    [
        _scheme((IndicatorRule("result_satisfaction", 100, 0.0),)),  # bounds allowed
        _scheme((IndicatorRule("result_satisfaction", 100, 1.0, baselines={"a": 0.0, "b": 1.0},
                                          derived_baseline=DerivedBaseline(1, cap=1.0)),)),
        _scheme((IndicatorRule("result_satisfaction", 99.9999999999, 0.5),)),
        _scheme((SATISFACTION,), funding=(FundingBand(1, 1, 5), FundingBand(1, 1, -5, "bottom"),
                                                     FundingBand(2, 2, 0, "bottom"))),
    ],
)  # fmt: skip
def test_schemes_at_the_limits_are_accepted(scheme: Scheme) -> None:
    scheme.validate()
