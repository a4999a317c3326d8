"""Evaluation scores, ranks, lists and funding, computed by hand for a small month."""

from __future__ import annotations

import pytest

from hotline.domain.errors import InvalidInput
from hotline.domain.scoring import (
    Deduction,
    EntityInput,
    FundingBand,
    IndicatorRule,
    Scheme,
    evaluate,
    what_if,
)

SCHEME = Scheme(
    version="2026-01",
    name="测试方案",
    indicators=(
        IndicatorRule("reply_rate", 30, 0.95),
        IndicatorRule("process_satisfaction", 35, 0.90),
        IndicatorRule("result_satisfaction", 35, 0.85),
    ),
    deductions=(Deduction("media_exposure", "媒体曝光", 2),),
    funding=(FundingBand(1, 1, 100_000), FundingBand(4, 4, -50_000)),
    red_top=1,
    black_bottom=1,
)


def _inputs() -> list[EntityInput]:
    return [
        # reply +3pp → 30+1.5; process +5pp → 35+2.5; result +10pp → capped 35+5 = 74.0
        EntityInput(
            "A",
            "甲区",
            {"reply_rate": 0.98, "process_satisfaction": 0.95, "result_satisfaction": 0.95},
        ),
        # at baseline everywhere: 30 + 35 + 35 = 100, minus one media exposure (2) → 98
        EntityInput(
            "B",
            "乙区",
            {"reply_rate": 0.95, "process_satisfaction": 0.90, "result_satisfaction": 0.85},
            {"media_exposure": 1},
        ),
        # result −5pp → 35−5 = 30; others at baseline → 95; approved appeal +1 → 96
        EntityInput(
            "C",
            "丙区",
            {"reply_rate": 0.95, "process_satisfaction": 0.90, "result_satisfaction": 0.80},
            adjustments=((1.0, "申诉核减"),),
        ),
        # nothing due for reply (None → baseline points); process −10pp → 25 → 90
        EntityInput(
            "D",
            "丁区",
            {"reply_rate": None, "process_satisfaction": 0.80, "result_satisfaction": 0.85},
        ),
    ]


def test_hand_computed_scores_ranks_lists_and_amounts() -> None:
    results = {r.entity: r for r in evaluate(SCHEME, _inputs())}
    assert {k: r.score for k, r in results.items()} == {"A": 109.0, "B": 98.0, "C": 96.0, "D": 90.0}
    assert {k: r.rank for k, r in results.items()} == {"A": 1, "B": 2, "C": 3, "D": 4}
    assert results["A"].lists == ["red"]
    assert results["C"].lists == ["black"]  # failed the core baseline (result satisfaction)
    assert results["D"].lists == ["black"]  # bottom of the table
    assert (results["A"].amount, results["D"].amount) == (100_000, -50_000)
    assert results["C"].explanation[-1] == "合计 96.00 分"
    assert any("媒体曝光：1 次" in line for line in results["B"].explanation)


def test_ties_share_a_rank() -> None:
    twins = [
        EntityInput(
            code,
            code,
            {"reply_rate": 0.95, "process_satisfaction": 0.9, "result_satisfaction": 0.85},
        )
        for code in "XYZ"
    ]
    assert [r.rank for r in evaluate(SCHEME, twins)] == [1, 1, 1]


def test_lower_is_better_indicators_count_the_other_way() -> None:
    scheme = Scheme(
        "v",
        "n",
        (IndicatorRule("overdue_rate", 100, 0.05),),
        red_top=0,
        black_bottom=0,
        black_if_failing=(),
    )
    [late] = evaluate(scheme, [EntityInput("L", "L", {"overdue_rate": 0.10})])
    assert late.score == 95.0 and late.baseline_passed == {"overdue_rate": False}


def test_what_if_shows_the_differences() -> None:
    strict = Scheme(
        "2026-02",
        "严格",
        (
            IndicatorRule("reply_rate", 20, 0.95),
            IndicatorRule("process_satisfaction", 30, 0.90),
            IndicatorRule("result_satisfaction", 50, 0.90),
        ),
        red_top=1,
        black_bottom=1,
    )
    diffs = {d.entity: d for d in what_if(evaluate(SCHEME, _inputs()), evaluate(strict, _inputs()))}
    assert diffs["B"].score_before == 98.0 and diffs["B"].score_after == 95.0


@pytest.mark.parametrize(
    ("scheme", "message"),
    [
        (
            Scheme(
                "v",
                "n",
                (
                    IndicatorRule("reply_rate", 60, 0.9),
                    IndicatorRule("result_satisfaction", 30, 0.85),
                ),
            ),
            "权重之和须为 100",
        ),
        (Scheme("v", "n", (IndicatorRule("happiness", 100, 0.9),)), "未知指标"),
        (Scheme("v", "n", (IndicatorRule("reply_rate", 100, 1.5),), black_if_failing=()), "基准线"),
        (
            Scheme(
                "v",
                "n",
                (IndicatorRule("reply_rate", 100, 0.9),),
                black_if_failing=(),
                funding=(FundingBand(1, 3, 1), FundingBand(3, 4, 1)),
            ),
            "不重叠",
        ),
    ],
)
def test_a_scheme_with_an_error_is_refused(scheme: Scheme, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        evaluate(scheme, _inputs())


def test_an_entity_with_nothing_due_is_on_no_list() -> None:
    scheme = Scheme(
        name="t",
        version="1",
        indicators=(IndicatorRule("result_satisfaction", 100, 0.85),),
        red_top=2,
    )
    empty = EntityInput("E", "空区", {"result_satisfaction": None})
    busy = EntityInput("B", "忙区", {"result_satisfaction": 0.85})
    results = {r.entity: r for r in evaluate(scheme, [empty, busy])}
    assert (results["E"].score, results["E"].rank, results["E"].lists) == (100.0, 1, [])
    assert results["B"].lists == ["red"]
    assert not results["E"].rated and "不列入红黑榜" in results["E"].explanation[-2]
