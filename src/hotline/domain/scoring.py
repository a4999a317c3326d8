"""District evaluation (考评): weighted scores against baselines, deductions, approved
adjustments, ranks, red and black lists and funding — with a line-by-line explanation.

Pure: indicator values come in as numbers (fractions 0–1, or None where the denominator was 0)
with their sample (numerator, denominator); the scheme is a validated dataclass (loaded from
versioned YAML by the services).

An indicator is scored only on a sample of at least ``min_sample`` cases; an entity scored on
some indicators has the weights of the others spread over them (renormalised), and an entity
scored on none is not rated: no score, rank, list or money (decision 0015). Rewards count ranks
from the top, penalties from the bottom, both over the rated entities only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from hotline.domain.errors import InvalidInput

# What an evaluation ranks (考评对象): districts, units, streets.
ENTITY_KINDS = ("district", "unit", "street")

# The indicators (docs/indicators.md) and which direction is good.
HIGHER_IS_BETTER = frozenset(
    {
        "reply_rate",
        "on_time_rate",
        "response_rate",
        "process_satisfaction",
        "result_satisfaction",
        "solved_rate",
    }
)
LOWER_IS_BETTER = frozenset({"overdue_rate", "return_rate", "rework_rate", "repeat_rate"})
KNOWN_INDICATORS = HIGHER_IS_BETTER | LOWER_IS_BETTER
# Deductions the services can count from recorded facts; a scheme naming another one could never
# be applied, so it is refused rather than silently scoring nothing.
KNOWN_DEDUCTIONS = frozenset({"media_exposure", "overdue_supervision"})
INDICATOR_NAMES = {
    "reply_rate": "回复率",
    "on_time_rate": "按期办结率",
    "overdue_rate": "超期率",
    "response_rate": "响应率",
    "process_satisfaction": "过程满意率",
    "result_satisfaction": "结果满意率",
    "solved_rate": "解决率",
    "return_rate": "退单率",
    "rework_rate": "重办率",
    "repeat_rate": "重复投诉率",
}


class ListRule(StrEnum):
    RED = "red"  # 红榜
    BLACK = "black"  # 黑榜


@dataclass(frozen=True)
class DerivedBaseline:
    """An entity's baseline from its own settled figure of the same month last year, moved
    ``plus_pp`` points the good way and held at ``cap`` (never a live recomputation)."""

    plus_pp: float = 0.0
    cap: float | None = None  # None: 1 (higher is better) or 0 (lower is better)


@dataclass(frozen=True)
class IndicatorRule:
    code: str
    weight: float  # points at the baseline; the weights sum to 100
    baseline: float  # e.g. 0.85 for result satisfaction ≥ 85 %
    points_per_pp_above: float = 0.5  # bonus per percentage point better than the baseline
    points_per_pp_below: float = 1.0  # deduction per percentage point worse
    bonus_cap: float = 5.0  # at most this many bonus points
    min_sample: int | None = None  # fewest cases to score it; None: the scheme's min_sample
    baselines: Mapping[str, float] = field(default_factory=dict)  # per entity code, literal
    derived_baseline: DerivedBaseline | None = None  # per entity, from last year's settlement

    @property
    def higher_is_better(self) -> bool:
        return self.code in HIGHER_IS_BETTER


@dataclass(frozen=True)
class Deduction:
    code: str  # e.g. media_exposure, overdue_supervision
    label: str
    points_each: float


class CountFrom(StrEnum):
    TOP = "top"  # rank 1 is the best rated entity (rewards)
    BOTTOM = "bottom"  # rank 1 is the worst rated entity (penalties)


@dataclass(frozen=True)
class FundingBand:
    first_rank: int
    last_rank: int
    amount: float  # positive: reward (counted from the top); negative: penalty (from the bottom)
    count_from: str = CountFrom.TOP.value


@dataclass(frozen=True)
class Scheme:
    version: str
    name: str
    indicators: tuple[IndicatorRule, ...]
    deductions: tuple[Deduction, ...] = ()
    funding: tuple[FundingBand, ...] = ()
    red_top: int = 3  # the best N that pass every baseline
    black_bottom: int = 3  # the worst N, plus anyone failing a core baseline
    black_if_failing: tuple[str, ...] = ("result_satisfaction",)
    min_sample: int = 1  # fewest cases (the denominator) for an indicator to be scored

    def validate(self) -> None:
        validate_scheme(self)

    def min_sample_of(self, rule: IndicatorRule) -> int:
        return rule.min_sample if rule.min_sample is not None else self.min_sample


def validate_scheme(scheme: Scheme) -> None:
    codes = [rule.code for rule in scheme.indicators]
    unknown = sorted(set(codes) - KNOWN_INDICATORS)
    if unknown:
        raise InvalidInput(f"考评方案含未知指标：{'、'.join(unknown)}", fields=("indicators",))
    if len(set(codes)) != len(codes):
        raise InvalidInput("考评方案中指标重复", fields=("indicators",))
    if unknown_deductions := sorted({d.code for d in scheme.deductions} - KNOWN_DEDUCTIONS):
        raise InvalidInput(
            f"考评方案含无法从记录计算的扣分项：{'、'.join(unknown_deductions)}"
            f"（可用：{'、'.join(sorted(KNOWN_DEDUCTIONS))}）",
            fields=("deductions",),
        )
    total = sum(rule.weight for rule in scheme.indicators)
    if abs(total - 100) > 1e-9:
        raise InvalidInput(f"指标权重之和须为 100，实为 {total:g}", fields=("indicators",))
    for rule in scheme.indicators:
        if not 0 <= rule.baseline <= 1:
            raise InvalidInput(f"指标 {rule.code} 的基准线须在 0–1 之间", fields=("baseline",))
        if scheme.min_sample_of(rule) < 1:
            raise InvalidInput(f"指标 {rule.code} 的最少样本须至少为 1", fields=("min_sample",))
        outside = sorted(k for k, v in rule.baselines.items() if not 0 <= v <= 1)
        cap = rule.derived_baseline.cap if rule.derived_baseline else None
        if outside or (cap is not None and not 0 <= cap <= 1):
            where = "、".join(outside) or "derived_baseline.cap"
            raise InvalidInput(
                f"指标 {rule.code} 的基准线须在 0–1 之间：{where}", fields=("baselines",)
            )
    if unknown_black := sorted(set(scheme.black_if_failing) - set(codes)):
        raise InvalidInput(
            f"黑榜规则引用了方案外的指标：{'、'.join(unknown_black)}", fields=("black_if_failing",)
        )
    _validate_bands(scheme.funding)


def _validate_bands(bands: Sequence[FundingBand]) -> None:
    covered: dict[str, set[int]] = {CountFrom.TOP.value: set(), CountFrom.BOTTOM.value: set()}
    for band in bands:
        if band.count_from not in covered:
            raise InvalidInput("资金档次的 count_from 须为 top 或 bottom", fields=("funding",))
        if band.amount < 0 and band.count_from != CountFrom.BOTTOM.value:
            raise InvalidInput(
                "扣减资金的档次须从末位数起（count_from: bottom，first_rank: 1 即倒数第 1 名）",
                fields=("funding",),
            )
        if band.amount > 0 and band.count_from != CountFrom.TOP.value:
            raise InvalidInput("奖励资金的档次须从首位数起（count_from: top）", fields=("funding",))
        ranks = set(range(band.first_rank, band.last_rank + 1))
        side = covered[band.count_from]
        if band.first_rank < 1 or not ranks or ranks & side:
            raise InvalidInput("资金档次的名次区间须从 1 起且互不重叠", fields=("funding",))
        side |= ranks


Z_95 = 1.959963984540054  # the normal quantile of a two-sided 95 % interval


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float] | None:
    """The Wilson score interval of a proportion: unlike p ± z·√(p(1−p)/n) it stays inside
    [0, 1] and is not zero-width at 0/n or n/n, so it says honestly how little 2 cases prove.
    None where it does not apply (no case, or a flow ratio above 1)."""
    if n <= 0 or not 0 <= successes <= n:
        return None
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class EntityInput:
    entity: str  # district code, unit code …
    name: str
    values: Mapping[str, float | None]
    deduction_counts: Mapping[str, int] = field(default_factory=dict)
    adjustments: tuple[tuple[float, str], ...] = ()  # approved (points, reason) only
    notes: tuple[str, ...] = ()  # where the figures came from: explanation lines put first
    deduction_details: Mapping[str, str] = field(default_factory=dict)  # e.g. the case numbers
    # indicator → (numerator, denominator); where absent, a value counts as a sufficient sample
    samples: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    # indicator → last year's settled value for the same month (for derived baselines)
    last_year: Mapping[str, float | None] = field(default_factory=dict)


@dataclass
class EntityResult:
    entity: str
    name: str
    score: float | None  # None: not rated (no indicator had enough cases)
    rank: int | None = None  # among the rated entities only, from the top
    baseline_passed: dict[str, bool] = field(default_factory=dict)  # scored indicators only
    lists: list[str] = field(default_factory=list)
    amount: float | None = None  # None: not rated; 0.0: rated, in no band
    explanation: list[str] = field(default_factory=list)
    rated: bool = True  # False: 无考核数据/样本不足 — no score, rank, list or money
    rank_from_bottom: int | None = None  # 1: the worst rated entity (ties share)
    unscored: list[str] = field(default_factory=list)  # indicators with too few cases
    baselines: dict[str, float] = field(default_factory=dict)  # the baseline each indicator used


NOT_RATED = "无考核数据（样本不足）"


def _sample_text(sample: tuple[int, int] | None) -> str:
    if sample is None:
        return ""
    numerator, n = sample
    interval = wilson_interval(numerator, n)
    if interval is None:
        return f"（n={n}）"
    low, high = interval
    return f"（n={n}，95% 置信区间 {low:.2%}–{high:.2%}）"


def baseline_of(rule: IndicatorRule, entity: EntityInput) -> tuple[float, str]:
    """The entity's baseline for ``rule`` and where it comes from: a literal value for the
    entity, else derived from its settled figure last year, else the scheme's one."""
    if entity.entity in rule.baselines:
        return rule.baselines[entity.entity], "本单位基准线"
    derived = rule.derived_baseline
    last = entity.last_year.get(rule.code)
    if derived is None:
        return rule.baseline, ""
    if last is None:
        return rule.baseline, "去年同期无结算数据，用方案基准线"
    if rule.higher_is_better:
        cap = derived.cap if derived.cap is not None else 1.0
        value = min(last + derived.plus_pp / 100, cap)
    else:
        cap = derived.cap if derived.cap is not None else 0.0
        value = max(last - derived.plus_pp / 100, cap)
    value = round(value, 6)
    return value, f"去年同期结算 {last:.2%} 改进 {derived.plus_pp:g} 个百分点，封顶 {cap:.2%}"


def _indicator_points(
    rule: IndicatorRule, value: float, sample: tuple[int, int] | None, baseline: tuple[float, str]
) -> tuple[float, bool, str]:
    name = INDICATOR_NAMES.get(rule.code, rule.code)
    level, source = baseline
    gap_pp = (value - level) * 100
    if not rule.higher_is_better:
        gap_pp = -gap_pp
    if gap_pp >= 0:
        change = min(gap_pp * rule.points_per_pp_above, rule.bonus_cap)
    else:
        change = gap_pp * rule.points_per_pp_below
    points = max(rule.weight + change, 0.0)
    sign = "优于" if gap_pp >= 0 else "低于"
    origin = f"（{source}）" if source else ""
    line = (
        f"{name}：{value:.2%}{_sample_text(sample)}，{sign}基准线 {level:.2%}{origin} "
        f"{abs(gap_pp):.2f} 个百分点，{rule.weight:g} {change:+.2f} = {points:.2f} 分"
    )
    return points, gap_pp >= 0, line


def _sufficient(scheme: Scheme, rule: IndicatorRule, entity: EntityInput) -> bool:
    if entity.values.get(rule.code) is None:
        return False
    sample = entity.samples.get(rule.code)
    return sample is None or sample[1] >= scheme.min_sample_of(rule)


def _too_few_line(scheme: Scheme, rule: IndicatorRule, entity: EntityInput) -> str:
    name = INDICATOR_NAMES.get(rule.code, rule.code)
    sample = entity.samples.get(rule.code)
    n = sample[1] if sample is not None else 0
    value = entity.values.get(rule.code)
    shown = f"{value:.2%}" if value is not None and sample is not None else "无值"
    return (
        f"{name}：{shown}（n={n}），样本不足（至少须 {scheme.min_sample_of(rule)} 件），"
        f"不计分（权重 {rule.weight:g} 分不计入）"
    )


def _indicators(scheme: Scheme, entity: EntityInput, result: EntityResult) -> float:
    """Points of the scored indicators, renormalised to 100 when some had too few cases."""
    earned = weights = 0.0
    for rule in scheme.indicators:
        value = entity.values.get(rule.code)
        baseline = baseline_of(rule, entity)
        result.baselines[rule.code] = baseline[0]
        if value is None or not _sufficient(scheme, rule, entity):
            result.unscored.append(rule.code)
            result.explanation.append(_too_few_line(scheme, rule, entity))
            continue
        points, passed, line = _indicator_points(
            rule, value, entity.samples.get(rule.code), baseline
        )
        earned += points
        weights += rule.weight
        result.baseline_passed[rule.code] = passed
        result.explanation.append(line)
    if weights == 0:
        return 0.0
    total = sum(rule.weight for rule in scheme.indicators)
    if weights < total:
        scaled = earned * total / weights
        names = "、".join(INDICATOR_NAMES.get(code, code) for code in result.unscored)
        result.explanation.append(
            f"{names}样本不足，按其余指标计分，权重按比例折算：{earned:.2f} × {total:g} ÷ "
            f"{weights:g} = {scaled:.2f} 分"
        )
        return scaled
    return earned


def _deductions(scheme: Scheme, entity: EntityInput, result: EntityResult) -> float:
    points = 0.0
    for deduction in scheme.deductions:
        count = entity.deduction_counts.get(deduction.code, 0)
        if count:
            points -= count * deduction.points_each
            detail = entity.deduction_details.get(deduction.code)
            result.explanation.append(
                f"{deduction.label}：{count} 次 × {deduction.points_each:g} 分 = "
                f"-{count * deduction.points_each:g} 分" + (f"（{detail}）" if detail else "")
            )
    for change, reason in entity.adjustments:
        points += change
        result.explanation.append(f"经批准的调整（{reason}）：{change:+g} 分")
    return points


def score_entity(scheme: Scheme, entity: EntityInput) -> EntityResult:
    result = EntityResult(entity.entity, entity.name, None, explanation=list(entity.notes))
    indicator_points = _indicators(scheme, entity, result)
    other_points = _deductions(scheme, entity, result)
    # Rated only on data: an approved points adjustment alone does not make an entity rated.
    result.rated = bool(result.baseline_passed)
    if not result.rated:
        result.explanation.append(
            f"{NOT_RATED}：各项指标均未达到最少样本，不计总分，不参加排名、红黑榜和资金奖惩"
        )
        return result
    result.score = round(indicator_points + other_points, 2)
    result.explanation.append(f"合计 {result.score:.2f} 分")
    return result


def _competition_rank(results: list[EntityResult], best_first: bool) -> dict[str, int]:
    """Competition ranking (1, 2, 2, 4): equal scores share a rank."""
    sign = -1 if best_first else 1
    ordered = sorted(results, key=lambda r: (sign * (r.score or 0.0), r.entity))
    ranks: dict[str, int] = {}
    for position, result in enumerate(ordered, start=1):
        previous = ordered[position - 2] if position > 1 else None
        same = previous is not None and previous.score == result.score
        ranks[result.entity] = ranks[previous.entity] if same and previous else position
    return ranks


def _rank(rated: list[EntityResult]) -> None:
    from_top = _competition_rank(rated, best_first=True)
    from_bottom = _competition_rank(rated, best_first=False)
    for result in rated:
        result.rank = from_top[result.entity]
        result.rank_from_bottom = from_bottom[result.entity]


def _lists(scheme: Scheme, rated: list[EntityResult]) -> None:
    for result in rated:
        passed_all = all(result.baseline_passed.values())
        if (result.rank or 0) <= scheme.red_top and passed_all:
            result.lists.append(ListRule.RED.value)
        failing_core = any(
            not result.baseline_passed.get(code, True) for code in scheme.black_if_failing
        )
        on_red = ListRule.RED.value in result.lists
        bottom = (result.rank_from_bottom or 0) <= scheme.black_bottom
        if (bottom or failing_core) and not on_red:
            result.lists.append(ListRule.BLACK.value)


def _band(scheme: Scheme, position: int | None, side: CountFrom) -> FundingBand | None:
    for band in scheme.funding:
        if band.count_from == side.value and band.first_rank <= (position or 0) <= band.last_rank:
            return band
    return None


def _place(result: EntityResult) -> str:
    return f"第 {result.rank} 名（倒数第 {result.rank_from_bottom} 名）"


def _fund(scheme: Scheme, result: EntityResult) -> None:
    reward = _band(scheme, result.rank, CountFrom.TOP)
    penalty = _band(scheme, result.rank_from_bottom, CountFrom.BOTTOM)
    if reward is not None and ListRule.BLACK.value in result.lists:
        result.explanation.append(f"{_place(result)}在奖励档内，但列入黑榜，不予奖励")
        reward = None
    if penalty is not None and ListRule.RED.value in result.lists:
        result.explanation.append(f"{_place(result)}在扣减档内，但列入红榜，不予扣减")
        penalty = None
    if reward is not None and penalty is not None:  # few rated: both ends reach the entity
        result.explanation.append(
            f"{_place(result)}同时落入奖励档与扣减档（参评单位过少），未列入红黑榜，不奖不扣"
        )
        result.amount = 0.0
        return
    band = reward or penalty
    result.amount = band.amount if band is not None else 0.0
    if band is not None:
        result.explanation.append(f"{_place(result)}，资金 {band.amount:+,.0f} 元")


def evaluate(scheme: Scheme, entities: Sequence[EntityInput]) -> list[EntityResult]:
    """Score every entity (没有特区盲区); rank, list and fund the rated ones. The rated come
    first by rank, then the unrated (无考核数据) by entity code."""
    validate_scheme(scheme)
    results = [score_entity(scheme, entity) for entity in entities]
    rated = [result for result in results if result.rated]
    _rank(rated)
    _lists(scheme, rated)
    for result in rated:
        _fund(scheme, result)
    return sorted(results, key=lambda r: (not r.rated, r.rank or 0, r.entity))


@dataclass(frozen=True)
class Difference:
    entity: str
    score_before: float | None
    score_after: float | None
    rank_before: int | None
    rank_after: int | None
    amount_before: float | None
    amount_after: float | None


def what_if(before: Sequence[EntityResult], after: Sequence[EntityResult]) -> list[Difference]:
    """The same month under another scheme: what changes for each entity."""
    by_entity = {result.entity: result for result in after}
    return [
        Difference(
            old.entity,
            old.score,
            by_entity[old.entity].score,
            old.rank,
            by_entity[old.entity].rank,
            old.amount,
            by_entity[old.entity].amount,
        )
        for old in before
        if old.entity in by_entity
    ]
