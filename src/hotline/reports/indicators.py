"""The indicator report: each indicator (docs/indicators.md) for a period of local dates, in
total and per group, each with numerator, denominator, formula, 同比 and 环比 in percentage points.

Definitions: hotline.domain.indicators (one place, overridable). Counts: indicator_counts.
A period that is exactly a settled month is shown with the definitions it was settled with, so
its published values never change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.adapters.db.models import Category, Channel, IndicatorSettlement, Region, Unit
from hotline.domain.errors import InvalidInput
from hotline.domain.indicator_facts import INDICATOR_VERSION
from hotline.domain.indicators import (
    DEFAULT_DEFINITIONS,
    GROUP_BY,
    IndicatorDef,
    Period,
    asked_period,
    change_pp,
    definitions_of_data,
    not_yet_due,
    previous_period,
    ratio,
    year_before,
)
from hotline.reports.indicator_counts import (
    ReportMoment,
    Tail,
    by_group,
    load_tail,
    period_counts,
    settlements_for,
)
from hotline.reports.indicator_results import (
    ComparisonNotes,
    IndicatorGroup,
    IndicatorReport,
    IndicatorValue,
    RatioBrief,
    SettledMonth,
    rounded,
)

GROUP_LABELS = {
    "district": "区县",
    "unit": "承办单位",
    "street": "街道",
    "category": "类别",
    "channel": "来源渠道",
    "day": "日期",
}
UNKNOWN = {"unit": "（无承办单位）", "channel": "（未知渠道）"}
MAX_DAYS = 3 * 366  # a longer period is a mistake more often than a wish


@dataclass(frozen=True)
class IndicatorQuery:
    period: Period
    group_by: str | None = None
    definitions: tuple[IndicatorDef, ...] | None = None  # None: the defaults (or as settled)

    def __post_init__(self) -> None:
        if self.group_by is not None and self.group_by not in GROUP_BY:
            raise InvalidInput(f"group_by 须为 {'/'.join(GROUP_BY)} 之一", fields=("group_by",))
        # each end named on its own first; the span checked after
        asked_period(self.period.start, self.period.end)
        if self.period.days > MAX_DAYS:
            raise InvalidInput(f"统计期不能超过 {MAX_DAYS} 天", fields=("from", "to"))

    @property
    def dim(self) -> str:
        return "total" if self.group_by in (None, "day") else self.group_by


@dataclass
class _Reader:
    """Counts for several periods in one read transaction, sharing one tail. Each period's
    groups are read once; the total is their sum when the report is grouped (every fact lands in
    exactly one group of any dimension), so a grouped report reads each period once, not twice."""

    session: Session
    moment: ReportMoment
    tail: Tail
    dim: str = "total"  # the report's grouping (not by day), whose groups also give the total
    read: dict[tuple[Period, str, bool], dict[str, Counter[str]]] = field(default_factory=dict)

    def groups(self, period: Period, dim: str, per_day: bool) -> dict[str, Counter[str]]:
        key = (period, dim, per_day)
        if key not in self.read:
            settled = settlements_for(self.session, period)
            counts = period_counts(
                self.session, period, dim, self.moment, self.tail, settled, per_day=per_day
            )
            self.read[key] = by_group(counts, per_day)
        return self.read[key]

    def total(self, period: Period) -> Counter[str]:
        summed: Counter[str] = Counter()
        for counts in self.groups(period, self.dim, False).values():
            summed.update(counts)
        return summed


def _shifted(
    groups: dict[str, Counter[str]], move: Callable[[date], date]
) -> dict[str, Counter[str]]:
    """Day groups of a comparison period, re-keyed to the day they are compared with."""
    return {move(date.fromisoformat(day)).isoformat(): c for day, c in groups.items()}


def _year_later(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February has no later twin: compare 28 February with it
        return day.replace(year=day.year + 1, day=28)


def _comparisons(
    reader: _Reader, query: IndicatorQuery
) -> tuple[dict[str, Counter[str]], dict[str, Counter[str]]]:
    """环比 and 同比 counts keyed like the current groups. Per day, 环比 is the day before."""
    period, dim = query.period, query.dim
    if query.group_by == "day":
        before = Period(period.start - timedelta(days=1), period.end - timedelta(days=1))
        pop = _shifted(reader.groups(before, dim, True), lambda d: d + timedelta(days=1))
        yoy = _shifted(reader.groups(year_before(period), dim, True), _year_later)
        return pop, yoy
    return (
        reader.groups(previous_period(period), dim, False),
        reader.groups(year_before(period), dim, False),
    )


def indicator_value(
    definition: IndicatorDef,
    now: Counter[str],
    before: Counter[str],
    year_ago: Counter[str],
    notes: ComparisonNotes | None = None,
) -> IndicatorValue:
    current = ratio(definition, now)
    previous, last_year = ratio(definition, before), ratio(definition, year_ago)
    pop, pop_reason = change_pp(current, previous, "上期")
    yoy, yoy_reason = change_pp(current, last_year, "去年同期")
    return IndicatorValue(
        numerator=current.numerator,
        denominator=current.denominator,
        value=rounded(current.value),
        percent=current.percent,
        reason=current.reason,
        formula=definition.formula,
        formula_machine=definition.formula_machine,
        yoy_pp=yoy,
        yoy_reason=yoy_reason,
        pop_pp=pop,
        pop_reason=pop_reason,
        previous=RatioBrief.of(previous),
        year_before=RatioBrief.of(last_year),
        not_yet_due=not_yet_due(definition, now),
        notes=notes or ComparisonNotes(),
    )


Notes = dict[str, ComparisonNotes]  # by indicator


def _values(
    definitions: Iterable[IndicatorDef], now: Counter[str], before: Counter[str],
    year_ago: Counter[str], notes: Notes,
) -> dict[str, IndicatorValue]:  # fmt: skip
    return {d.key: indicator_value(d, now, before, year_ago, notes[d.key]) for d in definitions}


def _rules_of(session: Session, query: IndicatorQuery) -> tuple[int, dict[str, Any]]:
    """The indicator version and definitions (as data) the report's own period is shown with."""
    settled = _exact_settlement(session, query.period)
    if settled is not None and query.definitions is None:
        return settled.indicator_version, {d["key"]: d for d in settled.definitions}
    used = query.definitions or DEFAULT_DEFINITIONS
    return INDICATOR_VERSION, {d.key: d.describe() for d in used}


def _same_rule(mine: dict[str, Any] | None, theirs: dict[str, Any] | None) -> bool:
    parts = ("numerator", "denominator")
    return (
        mine is not None
        and theirs is not None
        and all(list(mine[p]) == list(theirs[p]) for p in parts)
    )


def _change_note(
    settled: Sequence[IndicatorSettlement], label: str, rules: tuple[int, dict[str, Any]], key: str
) -> str | None:
    """Why a comparison crosses a change of indicator rules, or None where it does not: a
    settled month in the comparison period counted under another version or definition."""
    version, definitions = rules
    crossed = []
    for settlement in settled:
        theirs = {d["key"]: d for d in settlement.definitions}.get(key)
        if settlement.indicator_version != version or not _same_rule(definitions.get(key), theirs):
            crossed.append(f"{settlement.month}（第 {settlement.indicator_version} 版）")
    if not crossed:
        return None
    return (f"{label}含按不同指标口径结算的月份：{'、'.join(crossed)}；本期为第 {version} 版"
            "口径，比较仅供参考")  # fmt: skip


def _notes(session: Session, query: IndicatorQuery, definitions: Sequence[IndicatorDef]) -> Notes:
    rules = _rules_of(session, query)

    def settled(period: Period) -> list[IndicatorSettlement]:
        return sorted(settlements_for(session, period).values(), key=lambda s: s.month)

    before, year_ago = settled(previous_period(query.period)), settled(year_before(query.period))
    return {
        d.key: ComparisonNotes(
            pop_note=_change_note(before, "上期", rules, d.key),
            yoy_note=_change_note(year_ago, "去年同期", rules, d.key),
        )
        for d in definitions
    }


def group_labels(session: Session, group_by: str, keys: Iterable[str]) -> dict[str, str]:
    wanted = [key for key in keys if key]
    if group_by == "day":
        return {key: key for key in wanted}
    table = {"district": Region, "street": Region, "category": Category, "channel": Channel}
    if group_by == "unit":
        ids = [int(key) for key in wanted]
        units = session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids)))
        return {str(uid): name for uid, name in units}
    model: Any = table[group_by]
    rows = session.execute(select(model.code, model.name).where(model.code.in_(wanted)))
    return {str(code): str(name) for code, name in rows}


def _exact_settlement(session: Session, period: Period) -> IndicatorSettlement | None:
    """The settlement of exactly this period (a whole settled month), if any."""
    settled = settlements_for(session, period)
    if len(settled) == 1:
        (only,) = settled.values()
        if (only.start_on, only.end_on) == (period.start, period.end):
            return only
    return None


def report_definitions(session: Session, query: IndicatorQuery) -> tuple[IndicatorDef, ...]:
    if query.definitions is not None:
        return query.definitions
    settled = _exact_settlement(session, query.period)
    if settled is not None:
        return definitions_of_data(settled.definitions)
    return DEFAULT_DEFINITIONS


def _settlements(session: Session, period: Period) -> tuple[SettledMonth, ...]:
    return tuple(
        SettledMonth(s.month, s.settled_at, s.settled_by)
        for s in sorted(settlements_for(session, period).values(), key=lambda s: s.month)
    )


def _group_keys(query: IndicatorQuery, current: dict[str, Counter[str]]) -> list[str]:
    if query.group_by == "day":
        days = range(query.period.days)
        return [(query.period.start + timedelta(days=n)).isoformat() for n in days]
    return sorted(current)


def _groups(
    reader: _Reader, query: IndicatorQuery, definitions: Sequence[IndicatorDef], notes: Notes
) -> tuple[IndicatorGroup, ...]:
    assert query.group_by is not None
    per_day = query.group_by == "day"
    current = reader.groups(query.period, query.dim, per_day)
    before, year_ago = _comparisons(reader, query)
    keys = _group_keys(query, current)
    labels = group_labels(reader.session, query.group_by, keys)
    empty: Counter[str] = Counter()
    return tuple(
        IndicatorGroup(
            key,
            labels.get(key) or UNKNOWN.get(query.group_by, "（未知）"),
            _values(
                definitions,
                current.get(key, empty),
                before.get(key, empty),
                year_ago.get(key, empty),
                notes,
            ),
        )
        for key in keys
    )


def indicator_report(
    session: Session, moment: ReportMoment, query: IndicatorQuery
) -> IndicatorReport:
    """The whole report, read in ``session`` (a snapshot: docs/decisions/0034)."""
    reader = _Reader(session, moment, load_tail(session, moment), query.dim)
    definitions = report_definitions(session, query)
    period = query.period
    notes = _notes(session, query, definitions)
    total = _values(
        definitions,
        reader.total(period),
        reader.total(previous_period(period)),
        reader.total(year_before(period)),
        notes,
    )
    return IndicatorReport(
        period=period,
        timezone=moment.tz.key,
        as_of=moment.now,
        group_by=query.group_by,
        group_label=GROUP_LABELS.get(query.group_by or ""),
        previous_period=previous_period(period),
        year_before=year_before(period),
        settlements=_settlements(session, period),
        definitions=tuple(definitions),
        total=total,
        indicator_version=_rules_of(session, query)[0],
        groups=_groups(reader, query, definitions, notes) if query.group_by else (),
    )
