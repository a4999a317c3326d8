"""The hotline indicators (docs/indicators.md), defined in this one place as data.

Each indicator is numerator ÷ denominator, both sums of fact kinds (hotline.domain.indicator_facts)
counted in the period of the event that each fact names. A city may re-weigh what counts — for
instance leave failed verifications out of rework — by overriding a definition with a mapping
(:func:`definitions_from`), e.g. from a YAML file given to ``hotline indicators --definitions``.
Division by zero gives no value and says why; changes are in percentage points.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from typing import Any

from hotline.domain.errors import InvalidInput
from hotline.domain.indicator_facts import Derived, Kind

FACT_KINDS = frozenset(k.value for k in Kind) | frozenset(k.value for k in Derived)
# What a report may group the indicators by: every fact carries these.
GROUP_BY = ("district", "unit", "street", "category", "channel", "day")


@dataclass(frozen=True)
class IndicatorDef:
    key: str
    name: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    numerator_label: str
    denominator_label: str
    period_event: str  # machine name of the event that puts a fact in a period
    period_label: str
    # True when every numerator fact is also a denominator fact of the same period, so the
    # value lies in [0, 1]; flow ratios (returns / dispatches) count each side in its own period.
    bounded: bool = True

    @property
    def formula(self) -> str:
        return f"{self.name} = {self.numerator_label} ÷ {self.denominator_label} × 100%"

    @property
    def formula_machine(self) -> str:
        return f"{self.key} = ({' + '.join(self.numerator)}) / ({' + '.join(self.denominator)})"

    def describe(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "numerator": list(self.numerator),
            "denominator": list(self.denominator),
            "formula": self.formula,
            "formula_machine": self.formula_machine,
        }


K = Kind
# rounds whose reply was due by the time of asking: replied, or still open past the deadline
DECIDED = (K.REPLY_DUE_REPLIED, Derived.REPLY_DUE_OPEN_PAST)
DEFAULT_DEFINITIONS: tuple[IndicatorDef, ...] = (
    # A round counts as due once its deadline has passed or it was replied: asked mid-month,
    # rounds still on track (在办未到期) are neither replied nor late, so they count in neither
    # part (reported apart); a settled month's deadlines have all passed, so nothing changes there.
    IndicatorDef(
        "reply_rate", "回复率", (K.REPLY_DUE_REPLIED,), DECIDED,
        "已回复件数", "应回复件数", "reply_deadline", "办结期限所在日",
    ),
    IndicatorDef(
        "on_time_rate", "按期办结率", (K.REPLY_ON_TIME,), (K.REPLY,),
        "按期答复件数", "答复件数", "reply", "答复所在日",
    ),
    IndicatorDef(
        "overdue_rate", "超期率", (K.REPLY_DUE_LATE, Derived.REPLY_DUE_OPEN_PAST), DECIDED,
        "超期答复及逾期未答复件数", "应回复件数", "reply_deadline",
        "办结期限所在日",
    ),
    IndicatorDef(
        "response_rate", "响应率", (K.ACCEPTED_IN_TIME,), (K.DISPATCH,),
        "按时签收件数", "派遣件数", "dispatch", "派遣所在日",
    ),
    IndicatorDef(
        "process_satisfaction", "过程满意率", (K.PROCESS_SATISFIED,), (K.CALLBACK_REACHED,),
        "过程满意与基本满意件数", "回访接通件数", "callback", "回访所在日",
    ),
    IndicatorDef(
        "result_satisfaction", "结果满意率", (K.RESULT_SATISFIED,), (K.CALLBACK_REACHED,),
        "结果满意与基本满意件数", "回访接通件数", "callback", "回访所在日",
    ),
    IndicatorDef(
        "solved_rate", "解决率", (K.CALLBACK_SOLVED,), (K.CALLBACK_REACHED,),
        "回访称已解决件数", "回访接通件数", "callback", "回访所在日",
    ),
    IndicatorDef(
        "return_rate", "退单率", (K.RETURN,), (K.DISPATCH, K.SUB_DISPATCH),
        "退单次数", "派遣与下派次数", "return/dispatch", "退单、派遣各自所在日", bounded=False,
    ),
    IndicatorDef(
        "rework_rate", "重办率", (K.REWORK_REOPEN, K.REWORK_CALLBACK, K.REWORK_VERIFY), (K.REPLY,),
        "重办次数（含回访不满意、核查不通过）", "答复件数", "reopen/reply", "重办、答复各自所在日",
        bounded=False,
    ),
    IndicatorDef(
        "repeat_rate", "重复投诉率", (Derived.REPEAT,), (K.INTAKE,),
        "关联问题有 2 件及以上诉求的工单数", "受理工单数", "intake", "受理所在日",
    ),
)  # fmt: skip


def _kinds(value: object, name: str) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not items:
        raise InvalidInput(f"指标定义「{name}」须为事实类型列表", fields=(name,))
    unknown = [str(item) for item in items if item not in FACT_KINDS]
    if unknown:
        raise InvalidInput(f"未知的事实类型：{'、'.join(unknown)}", fields=(name,))
    return tuple(str(item) for item in items)


def _override(base: IndicatorDef, changes: Mapping[str, Any]) -> IndicatorDef:
    fields = {k: v for k, v in changes.items() if k in IndicatorDef.__dataclass_fields__}
    for side in ("numerator", "denominator"):
        if side in fields:
            fields[side] = _kinds(fields[side], f"{base.key}.{side}")
    return replace(base, **fields)


def definitions_from(
    overrides: Mapping[str, Any] | None, base: Iterable[IndicatorDef] = DEFAULT_DEFINITIONS
) -> tuple[IndicatorDef, ...]:
    """The defaults with per-indicator overrides: ``{key: {field: value}}``; ``enabled: false``
    drops an indicator. Unknown indicator keys are refused rather than silently ignored."""
    by_key = {d.key: d for d in base}
    unknown = set(overrides or {}) - by_key.keys()
    if unknown:
        raise InvalidInput(f"未知的指标：{'、'.join(sorted(unknown))}", fields=("definitions",))
    result = []
    for key, definition in by_key.items():
        changes = (overrides or {}).get(key) or {}
        if changes.get("enabled", True):
            result.append(_override(definition, changes))
    return tuple(result)


def definitions_as_data(definitions: Iterable[IndicatorDef]) -> list[dict[str, Any]]:
    return [d.describe() for d in definitions]


def definitions_of_data(data: Iterable[Mapping[str, Any]]) -> tuple[IndicatorDef, ...]:
    """The definitions stored with a settlement, back as objects."""
    names = IndicatorDef.__dataclass_fields__
    return tuple(
        IndicatorDef(
            **{
                **{k: v for k, v in item.items() if k in names},
                "numerator": tuple(item["numerator"]),
                "denominator": tuple(item["denominator"]),
            }
        )
        for item in data
    )


# -- values ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int
    value: float | None
    reason: str | None = None

    @property
    def percent(self) -> float | None:
        return None if self.value is None else round(self.value * 100, 2)


def ratio(definition: IndicatorDef, counts: Mapping[str, int]) -> Ratio:
    numerator = sum(counts.get(kind, 0) for kind in definition.numerator)
    denominator = sum(counts.get(kind, 0) for kind in definition.denominator)
    if denominator == 0:
        why = f"分母为 0：本期无{definition.denominator_label.removesuffix('数')}，无法计算"
        return Ratio(numerator, 0, None, why)
    return Ratio(numerator, denominator, numerator / denominator)


NOT_YET_DUE_LABEL = "在办未到期"


def not_yet_due(definition: IndicatorDef, counts: Mapping[str, int]) -> int | None:
    """For an indicator counted over rounds whose deadline has passed: the open rounds of the
    period still on track (在办未到期), counted in neither part; None for other indicators."""
    if Derived.REPLY_DUE_OPEN_PAST not in definition.denominator:
        return None
    open_rounds = counts.get(Kind.REPLY_DUE_OPEN, 0)
    return max(open_rounds - counts.get(Derived.REPLY_DUE_OPEN_PAST, 0), 0)


def change_pp(current: Ratio, earlier: Ratio, label: str) -> tuple[float | None, str | None]:
    """The change from ``earlier`` to ``current`` in percentage points, or why there is none."""
    if current.value is None:
        return None, "本期无值"
    if earlier.value is None:
        return None, f"{label}无值"
    return round((current.value - earlier.value) * 100, 2), None


# -- periods -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Local dates, both ends inclusive."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidInput("结束日期不能早于开始日期", fields=("from", "to"))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def as_data(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


# The dates a person may ask about. The hotline holds nothing from before 2000, and reports step
# a year back (同比) and days either side: near year 1 or 9999 that leaves what ``date`` can hold,
# so a date outside this span is refused by name instead of failing halfway through a report.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)


def supported_day(day: date, field: str) -> date:
    """``day`` when it lies in FIRST_DAY … LAST_DAY; otherwise a refusal naming ``field``."""
    if not FIRST_DAY <= day <= LAST_DAY:
        span = f"{FIRST_DAY.isoformat()} 至 {LAST_DAY.isoformat()}"
        raise InvalidInput(f"{field} 须在 {span} 之间：{day.isoformat()}", fields=(field,))
    return day


def asked_period(start: date, end: date, fields: tuple[str, str] = ("from", "to")) -> Period:
    """A period a person asked for, each end checked under the name it was given by."""
    return Period(supported_day(start, fields[0]), supported_day(end, fields[1]))


def _first_of(month: str) -> date:
    try:
        return date.fromisoformat(f"{month}-01")
    except ValueError as exc:
        raise InvalidInput(f"月份须为 YYYY-MM：{month}", fields=("month",)) from exc


def month_period(month: str) -> Period:
    """``2026-10`` → 2026-10-01 … 2026-10-31."""
    first = _first_of(month)
    return Period(first, _next_month(first) - timedelta(days=1))


def asked_month(month: str) -> Period:
    """A month a person asked about: as :func:`month_period`, inside the supported span (the
    reports derive months outside it, a year back, with :func:`month_period` itself)."""
    supported_day(_first_of(month), "month")
    return month_period(month)


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def _is_whole_months(period: Period) -> bool:
    return period.start.day == 1 and (period.end + timedelta(days=1)).day == 1


def _shift_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def previous_period(period: Period) -> Period:
    """环比: the preceding months for whole months, else the same number of days before."""
    if _is_whole_months(period):
        months = (period.end.year - period.start.year) * 12 + period.end.month - period.start.month
        start = _shift_months(period.start, -(months + 1))
        return Period(start, period.start - timedelta(days=1))
    return Period(period.start - timedelta(days=period.days), period.start - timedelta(days=1))


def _year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def year_before(period: Period) -> Period:
    """同比: the same dates a year earlier (whole months stay whole months)."""
    if _is_whole_months(period):
        start = _shift_months(period.start, -12)
        end = _shift_months(period.end, -12 + 1) - timedelta(days=1)
        return Period(start, end)
    return Period(_year_earlier(period.start), _year_earlier(period.end))


def months_touching(period: Period) -> list[str]:
    months, cursor = [], date(period.start.year, period.start.month, 1)
    while cursor <= period.end:
        months.append(f"{cursor.year:04d}-{cursor.month:02d}")
        cursor = _next_month(cursor)
    return months
