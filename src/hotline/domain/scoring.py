"""District evaluation (考评): weighted scores against baselines, deductions, approved
adjustments, ranks, red and black lists and funding — with a line-by-line explanation.

Pure: indicator values come in as numbers (fractions 0–1, or None where the denominator was 0);
the scheme is a validated dataclass (loaded from versioned YAML by the services).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from hotline.domain.errors import InvalidInput

# Indicators of DESIGN §5 and which direction is good.
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
class IndicatorRule:
    code: str
    weight: float  # points at the baseline; the weights sum to 100
    baseline: float  # e.g. 0.85 for result satisfaction ≥ 85 %
    points_per_pp_above: float = 0.5  # bonus per percentage point better than the baseline
    points_per_pp_below: float = 1.0  # deduction per percentage point worse
    bonus_cap: float = 5.0  # at most this many bonus points

    @property
    def higher_is_better(self) -> bool:
        return self.code in HIGHER_IS_BETTER


@dataclass(frozen=True)
class Deduction:
    code: str  # e.g. media_exposure, overdue_supervision
    label: str
    points_each: float


@dataclass(frozen=True)
class FundingBand:
    first_rank: int
    last_rank: int
    amount: float  # positive: reward; negative: penalty


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

    def validate(self) -> None:
        validate_scheme(self)


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
    if unknown_black := sorted(set(scheme.black_if_failing) - set(codes)):
        raise InvalidInput(
            f"黑榜规则引用了方案外的指标：{'、'.join(unknown_black)}", fields=("black_if_failing",)
        )
    _validate_bands(scheme.funding)


def _validate_bands(bands: Sequence[FundingBand]) -> None:
    covered: set[int] = set()
    for band in bands:
        ranks = set(range(band.first_rank, band.last_rank + 1))
        if band.first_rank < 1 or not ranks or ranks & covered:
            raise InvalidInput("资金档次的名次区间须从 1 起且互不重叠", fields=("funding",))
        covered |= ranks


@dataclass(frozen=True)
class EntityInput:
    entity: str  # district code, unit code …
    name: str
    values: Mapping[str, float | None]
    deduction_counts: Mapping[str, int] = field(default_factory=dict)
    adjustments: tuple[tuple[float, str], ...] = ()  # approved (points, reason) only
    notes: tuple[str, ...] = ()  # where the figures came from: explanation lines put first
    deduction_details: Mapping[str, str] = field(default_factory=dict)  # e.g. the case numbers


@dataclass
class EntityResult:
    entity: str
    name: str
    score: float
    rank: int = 0
    baseline_passed: dict[str, bool] = field(default_factory=dict)
    lists: list[str] = field(default_factory=list)
    amount: float = 0.0
    explanation: list[str] = field(default_factory=list)
    rated: bool = True  # False: no indicator had anything due, so no list can name it


def _indicator_points(rule: IndicatorRule, value: float | None) -> tuple[float, bool, str]:
    name = INDICATOR_NAMES.get(rule.code, rule.code)
    if value is None:  # nothing was due: neither reward nor punish
        return rule.weight, True, f"{name}：无应计案件，按基准计 {rule.weight:g} 分"
    gap_pp = (value - rule.baseline) * 100
    if not rule.higher_is_better:
        gap_pp = -gap_pp
    if gap_pp >= 0:
        change = min(gap_pp * rule.points_per_pp_above, rule.bonus_cap)
    else:
        change = gap_pp * rule.points_per_pp_below
    points = max(rule.weight + change, 0.0)
    sign = "优于" if gap_pp >= 0 else "低于"
    line = (
        f"{name}：{value:.2%}，{sign}基准线 {rule.baseline:.2%} {abs(gap_pp):.2f} 个百分点，"
        f"{rule.weight:g} {change:+.2f} = {points:.2f} 分"
    )
    return points, gap_pp >= 0, line


def score_entity(scheme: Scheme, entity: EntityInput) -> EntityResult:
    result = EntityResult(entity.entity, entity.name, 0.0, explanation=list(entity.notes))
    for rule in scheme.indicators:
        points, passed, line = _indicator_points(rule, entity.values.get(rule.code))
        result.score += points
        result.baseline_passed[rule.code] = passed
        result.explanation.append(line)
    for deduction in scheme.deductions:
        count = entity.deduction_counts.get(deduction.code, 0)
        if count:
            result.score -= count * deduction.points_each
            detail = entity.deduction_details.get(deduction.code)
            result.explanation.append(
                f"{deduction.label}：{count} 次 × {deduction.points_each:g} 分 = "
                f"-{count * deduction.points_each:g} 分" + (f"（{detail}）" if detail else "")
            )
    for points, reason in entity.adjustments:
        result.score += points
        result.explanation.append(f"经批准的调整（{reason}）：{points:+g} 分")
    result.score = round(result.score, 2)
    result.rated = any(entity.values.get(rule.code) is not None for rule in scheme.indicators)
    if not result.rated:
        result.explanation.append("本月各项指标均无应计案件：按基准计分，不列入红黑榜")
    result.explanation.append(f"合计 {result.score:.2f} 分")
    return result


def _rank(results: list[EntityResult]) -> None:
    """Competition ranking (1, 2, 2, 4): equal scores share a rank."""
    ordered = sorted(results, key=lambda r: (-r.score, r.entity))
    for position, result in enumerate(ordered, start=1):
        previous = ordered[position - 2] if position > 1 else None
        result.rank = previous.rank if previous and previous.score == result.score else position


def _lists(scheme: Scheme, results: list[EntityResult]) -> None:
    count = len(results)
    for result in results:
        # Naming on a list needs something to judge: with nothing due, only the baseline score.
        passed_all = all(result.baseline_passed.values())
        if result.rank <= scheme.red_top and passed_all and result.rated:
            result.lists.append(ListRule.RED.value)
        failing_core = any(
            not result.baseline_passed.get(code, True) for code in scheme.black_if_failing
        )
        on_red = ListRule.RED.value in result.lists
        bottom = result.rank > count - scheme.black_bottom
        if (bottom or failing_core) and not on_red and result.rated:
            result.lists.append(ListRule.BLACK.value)


def _funding(scheme: Scheme, results: list[EntityResult]) -> None:
    for result in results:
        for band in scheme.funding:
            if band.first_rank <= result.rank <= band.last_rank:
                result.amount = band.amount
                result.explanation.append(f"第 {result.rank} 名，资金 {band.amount:+,.0f} 元")


def evaluate(scheme: Scheme, entities: Sequence[EntityInput]) -> list[EntityResult]:
    """Score, rank, list and fund every entity; every one is evaluated (没有特区盲区)."""
    validate_scheme(scheme)
    results = [score_entity(scheme, entity) for entity in entities]
    _rank(results)
    _lists(scheme, results)
    _funding(scheme, results)
    return sorted(results, key=lambda r: (r.rank, r.entity))


@dataclass(frozen=True)
class Difference:
    entity: str
    score_before: float
    score_after: float
    rank_before: int
    rank_after: int
    amount_before: float
    amount_after: float


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
