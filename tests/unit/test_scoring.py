"""Evaluation scores, ranks, lists and funding, computed by hand for a small month."""

from __future__ import annotations

from typing import Any

import pytest

from hotline.domain.errors import InvalidInput
from hotline.domain.scoring import (
    Deduction,
    DerivedBaseline,
    EntityInput,
    FundingBand,
    IndicatorRule,
    Scheme,
    baseline_of,
    evaluate,
    what_if,
    wilson_interval,
)
from hotline.services.evaluation.schemes import load_scheme

SCHEME = Scheme(
    version="2026-01",
    name="测试方案",
    indicators=(
        IndicatorRule("reply_rate", 30, 0.95),
        IndicatorRule("process_satisfaction", 35, 0.90),
        IndicatorRule("result_satisfaction", 35, 0.85),
    ),
    deductions=(Deduction("media_exposure", "媒体曝光", 2),),
    funding=(FundingBand(1, 1, 100_000), FundingBand(1, 1, -50_000, "bottom")),
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
        # nothing due for reply: scored on the other two, weights renormalised:
        # process −10pp → 25; result 35 → 60 of 70 → 60 × 100 ÷ 70 = 85.71
        EntityInput(
            "D",
            "丁区",
            {"reply_rate": None, "process_satisfaction": 0.80, "result_satisfaction": 0.85},
        ),
    ]


def test_hand_computed_scores_ranks_lists_and_amounts() -> None:
    results = {r.entity: r for r in evaluate(SCHEME, _inputs())}
    scores = {k: r.score for k, r in results.items()}
    assert scores == {"A": 109.0, "B": 98.0, "C": 96.0, "D": 85.71}
    assert {k: r.rank for k, r in results.items()} == {"A": 1, "B": 2, "C": 3, "D": 4}
    assert results["A"].lists == ["red"]
    assert results["C"].lists == ["black"]  # failed the core baseline (result satisfaction)
    assert results["D"].lists == ["black"]  # bottom of the table
    assert (results["A"].amount, results["D"].amount) == (100_000, -50_000)
    assert results["C"].explanation[-1] == "合计 96.00 分"
    assert "回复率样本不足，按其余指标计分，权重按比例折算：60.00 × 100 ÷ 70 = 85.71 分" in (
        results["D"].explanation
    )
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


def test_an_entity_with_nothing_due_is_not_rated() -> None:
    scheme = Scheme(
        name="t",
        version="1",
        indicators=(IndicatorRule("result_satisfaction", 100, 0.85),),
        red_top=2,
        funding=(FundingBand(1, 2, 1000),),
    )
    empty = EntityInput("E", "空区", {"result_satisfaction": None}, adjustments=((5, "加分"),))
    busy = EntityInput("B", "忙区", {"result_satisfaction": 0.85})
    results = {r.entity: r for r in evaluate(scheme, [empty, busy])}
    assert (results["E"].score, results["E"].rank, results["E"].lists) == (None, None, [])
    assert (results["E"].rated, results["E"].amount) == (False, None)  # points alone: not rated
    assert (results["B"].rank, results["B"].lists, results["B"].amount) == (1, ["red"], 1000)
    assert results["E"].explanation[-1].startswith("无考核数据（样本不足）")


def test_wilson_interval_by_hand() -> None:
    # 1/2: p = 0.5, z² = 3.8415; centre 0.5, half = z·√(0.125 + z²/16) ÷ (1 + z²/2) = 0.4055
    low, high = wilson_interval(1, 2) or (0, 0)
    assert (round(low, 4), round(high, 4)) == (0.0945, 0.9055)
    # 10/10: centre (1 + z²/20) ÷ (1 + z²/10) = 0.8612, half z·√(z²/400) ÷ 1.3841 = 0.1388
    low, high = wilson_interval(10, 10) or (0, 0)
    assert (round(low, 4), round(high, 4)) == (0.7225, 1.0)
    assert wilson_interval(0, 0) is None and wilson_interval(3, 2) is None  # flow ratio > 1


def test_min_sample_per_indicator_renormalises_the_weights() -> None:
    scheme = Scheme(
        "v",
        "n",
        (IndicatorRule("reply_rate", 40, 0.90), IndicatorRule("result_satisfaction", 60, 0.80,
                                                              min_sample=5)),
        black_if_failing=(),
        min_sample=2,
    )  # fmt: skip
    one = EntityInput("O", "单件区", {"reply_rate": 1.0, "result_satisfaction": 1.0},
                      samples={"reply_rate": (1, 1), "result_satisfaction": (1, 1)})  # fmt: skip
    few = EntityInput("F", "少件区", {"reply_rate": 1.0, "result_satisfaction": 0.5},
                      samples={"reply_rate": (3, 3), "result_satisfaction": (2, 4)})  # fmt: skip
    results = {r.entity: r for r in evaluate(scheme, [one, few])}
    assert not results["O"].rated  # reply n=1 < 2, result n=1 < 5
    assert "回复率：100.00%（n=1），样本不足（至少须 2 件），不计分（权重 40 分不计入）" in (
        results["O"].explanation
    )
    # 少件区: reply 3/3 +10pp → +5 → 45 of 40; result n=4 < 5 → 45 × 100 ÷ 40 = 112.50
    assert (results["F"].score, results["F"].rank, results["F"].unscored) == (
        112.5, 1, ["result_satisfaction"]
    )  # fmt: skip
    assert "回复率：100.00%（n=3，95% 置信区间 43.85%–100.00%），优于基准线 90.00% "\
        "10.00 个百分点，40 +5.00 = 45.00 分" in results["F"].explanation  # fmt: skip


def test_funding_bands_that_are_ambiguous_are_refused() -> None:
    base = (IndicatorRule("reply_rate", 100, 0.9),)
    with pytest.raises(InvalidInput, match="count_from: bottom"):
        evaluate(Scheme("v", "n", base, black_if_failing=(),
                        funding=(FundingBand(13, 15, -1),)), [])  # fmt: skip
    with pytest.raises(InvalidInput, match="count_from: top"):
        evaluate(Scheme("v", "n", base, black_if_failing=(),
                        funding=(FundingBand(1, 3, 1, "bottom"),)), [])  # fmt: skip


# -- two fixture months under the shipped jinan-2026 scheme, worked out by hand ---------------
# reply 30 @ 95 %, process 35 @ 90 %, result 35 @ 85 % (−1.5 a point); +0.5 a point above, cap 3;
# media −2; red: best 3 passing every baseline; black: worst 3 or result below 85 %;
# funding: ranks 1–3 +200,000, 4–6 +100,000 from the top; the last 3 rated −100,000.

JINAN = load_scheme("jinan-2026")
SAMPLE = tuple[int, int]
CODES = ("reply_rate", "process_satisfaction", "result_satisfaction")


def district(code: str, reply: SAMPLE | None, process: SAMPLE | None, result: SAMPLE | None,
             **extra: Any) -> EntityInput:  # fmt: skip
    given = dict(zip(CODES, (reply, process, result), strict=True))
    samples = {k: v if v is not None else (0, 0) for k, v in given.items()}
    values = {k: (v[0] / v[1] if v is not None else None) for k, v in given.items()}
    return EntityInput(code, f"{code}区", values, samples=samples, **extra)


def test_month_with_three_districts_with_cases_and_twelve_without() -> None:
    month = [
        # reply 10/10 +5pp → 32.5; process 9/10 → 35; result 9/10 +5pp → 37.5: 105.00
        district("X", (10, 10), (9, 10), (9, 10)),
        # 19/20 95 % → 30; 18/20 90 % → 35; 17/20 85 % → 35: 100.00
        district("Y", (19, 20), (18, 20), (17, 20)),
        # 4/5 −15pp → 15; 3/5 −30pp → 5; 2/5 −45pp × 1.5 → floored at 0: 20.00
        district("Z", (4, 5), (3, 5), (2, 5)),
        *(district(f"N{i:02d}", None, None, None) for i in range(12)),
    ]
    got = {r.entity: r for r in evaluate(JINAN, month)}
    summary = {k: (r.score, r.rank, r.rank_from_bottom, r.lists, r.amount) for k, r in got.items()}
    # X: rank 1, also 3rd from the bottom (penalty band) but red-listed: never penalised
    assert summary["X"] == (105.0, 1, 3, ["red"], 200_000)
    # Y: rank 2, 2nd from the bottom, every baseline met → red → rewarded
    assert summary["Y"] == (100.0, 2, 2, ["red"], 200_000)
    # Z: rank 3 is a reward band, but last and failing result satisfaction → black → penalised
    assert summary["Z"] == (20.0, 3, 1, ["black"], -100_000)
    for i in range(12):
        assert summary[f"N{i:02d}"] == (None, None, None, [], None)
    assert [r.entity for r in evaluate(JINAN, month)][:3] == ["X", "Y", "Z"]
    x, z = got["X"].explanation, got["Z"].explanation
    assert x[0] == "回复率：100.00%（n=10，95% 置信区间 72.25%–100.00%），优于基准线 95.00% " \
        "5.00 个百分点，30 +2.50 = 32.50 分"  # fmt: skip
    assert x[-3:] == [
        "合计 105.00 分",
        "第 1 名（倒数第 3 名）在扣减档内，但列入红榜，不予扣减",
        "第 1 名（倒数第 3 名），资金 +200,000 元",
    ]
    assert "结果满意率：40.00%（n=5，95% 置信区间 11.76%–76.93%），低于基准线 85.00% " \
        "45.00 个百分点，35 -67.50 = 0.00 分" in z  # fmt: skip
    assert "第 3 名（倒数第 1 名）在奖励档内，但列入黑榜，不予奖励" in z
    assert z[-1] == "第 3 名（倒数第 1 名），资金 -100,000 元"
    assert got["N00"].explanation == [
        "回复率：无值（n=0），样本不足（至少须 1 件），不计分（权重 30 分不计入）",
        "过程满意率：无值（n=0），样本不足（至少须 1 件），不计分（权重 35 分不计入）",
        "结果满意率：无值（n=0），样本不足（至少须 1 件），不计分（权重 35 分不计入）",
        "无考核数据（样本不足）：各项指标均未达到最少样本，不计总分，不参加排名、红黑榜和资金奖惩",
    ]


def test_month_with_twelve_of_fifteen_ranked() -> None:
    full = ((19, 20), (18, 20), (17, 20))  # 30 + 35 + 35 = 100 at the baselines
    month = [
        district("E01", (20, 20), (19, 20), (18, 20)),  # 32.5 + 37.5 + 37.5 = 107.50
        district("E02", (20, 20), (18, 20), (18, 20)),  # 32.5 + 35 + 37.5 = 105.00
        district("E03", (20, 20), (18, 20), (17, 20)),  # 32.5 + 35 + 35 = 102.50
        district("E04", *full),  # 100.00
        district("E05", *full, deduction_counts={"media_exposure": 1}),  # 100 − 2 = 98.00
        district("E06", (18, 20), (18, 20), (17, 20)),  # 90 % −5pp → 25: 95.00
        district("E07", (18, 20), (18, 20), (17, 20), adjustments=((3.0, "申诉"),)),  # 98.00
        district("E08", (17, 20), (18, 20), (17, 20)),  # 85 % −10pp → 20: 90.00
        district("E09", (18, 20), None, None),  # no callback: 25 × 100 ÷ 30 = 83.33
        district("E10", (16, 20), (18, 20), (17, 20)),  # 80 % −15pp → 15: 85.00
        district("E11", (16, 20), (17, 20), (17, 20)),  # 15 + 85 % −5pp → 30 + 35 = 80.00
        district("E12", (18, 20), (18, 20), (16, 20)),  # 25 + 35 + (−5pp × 1.5 → 27.5) = 87.50
        district("U13", None, None, None),
        district("U14", None, None, None, adjustments=((5.0, "保障任务"),)),
        district("U15", None, None, None, deduction_counts={"media_exposure": 1}),
    ]
    got = {r.entity: r for r in evaluate(JINAN, month)}
    expected = {
        # entity: (score, rank, rank from bottom, lists, amount)
        "E01": (107.5, 1, 12, ["red"], 200_000),
        "E02": (105.0, 2, 11, ["red"], 200_000),
        "E03": (102.5, 3, 10, ["red"], 200_000),  # result exactly at 85 %: baseline met
        "E04": (100.0, 4, 9, [], 100_000),
        "E05": (98.0, 5, 7, [], 100_000),  # ties share rank 5 (and 7th from the bottom)
        "E07": (98.0, 5, 7, [], 100_000),
        "E06": (95.0, 7, 6, [], 0.0),
        "E08": (90.0, 8, 5, [], 0.0),
        "E12": (87.5, 9, 4, ["black"], 0.0),  # result below 85 %: black, outside every band
        "E10": (85.0, 10, 3, ["black"], -100_000),
        "E09": (83.33, 11, 2, ["black"], -100_000),
        "E11": (80.0, 12, 1, ["black"], -100_000),
        "U13": (None, None, None, [], None),
        "U14": (None, None, None, [], None),
        "U15": (None, None, None, [], None),
    }
    assert {k: (r.score, r.rank, r.rank_from_bottom, r.lists, r.amount)
            for k, r in got.items()} == expected  # fmt: skip
    # the old absolute band (ranks 13–15) would have penalised nobody among 12 ranked
    assert "过程满意率、结果满意率样本不足，按其余指标计分，权重按比例折算：25.00 × 100 ÷ 30 = " \
        "83.33 分" in got["E09"].explanation  # fmt: skip
    assert got["E11"].explanation[-1] == "第 12 名（倒数第 1 名），资金 -100,000 元"
    assert "经批准的调整（保障任务）：+5 分" in got["U14"].explanation and not got["U14"].rated
    assert "媒体曝光：1 次 × 2 分 = -2 分" in got["U15"].explanation


def test_baselines_per_entity_literal_derived_and_their_fallbacks() -> None:
    derived = IndicatorRule("overdue_rate", 100, 0.05, derived_baseline=DerivedBaseline(2, 0.01),
                            baselines={"L": 0.10})  # fmt: skip
    scheme = Scheme("v", "n", (derived,), black_if_failing=())
    last = {"overdue_rate": 0.08}
    # lower is better: 8 % last year − 2 points = 6 %, held at the 1 % floor
    assert baseline_of(derived, EntityInput("D", "D", {}, last_year=last)) == (
        0.06, "去年同期结算 8.00% 改进 2 个百分点，封顶 1.00%"
    )  # fmt: skip
    assert (
        baseline_of(derived, EntityInput("D", "D", {}, last_year={"overdue_rate": 0.02}))[0] == 0.01
    )
    assert baseline_of(derived, EntityInput("L", "L", {}, last_year=last)) == (0.10, "本单位基准线")
    assert baseline_of(derived, EntityInput("N", "N", {})) == (
        0.05,
        "去年同期无结算数据，用方案基准线",
    )
    [result] = evaluate(scheme, [EntityInput("D", "D", {"overdue_rate": 0.07}, last_year=last)])
    assert result.score == 99.0 and result.baselines == {"overdue_rate": 0.06}  # 1 point worse


def test_a_baseline_outside_0_1_is_refused() -> None:
    rule = IndicatorRule("reply_rate", 100, 0.9, baselines={"X": 1.2})
    with pytest.raises(InvalidInput, match="基准线须在 0–1 之间：X"):
        evaluate(Scheme("v", "n", (rule,), black_if_failing=()), [])
