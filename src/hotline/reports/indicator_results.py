"""The indicator report as typed values (docs/decisions/0034).

Builders and the notices read attributes; :meth:`IndicatorReport.as_data` writes the JSON
document the API (``IndicatorReportOut``) and ``hotline indicators --json`` answer, key for key
as before: the models in ``entrypoints/web/schemas_reports`` describe exactly this shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hotline.domain.indicators import IndicatorDef, Period, Ratio


@dataclass(frozen=True)
class RatioBrief:
    """A comparison period's figure: numerator, denominator, value (None: nothing to divide)."""

    numerator: int
    denominator: int
    value: float | None

    @classmethod
    def of(cls, ratio: Ratio) -> RatioBrief:
        return cls(ratio.numerator, ratio.denominator, rounded(ratio.value))

    def as_data(self) -> dict[str, Any]:
        return {"numerator": self.numerator, "denominator": self.denominator, "value": self.value}


@dataclass(frozen=True)
class ComparisonNotes:
    """Why a 环比 or 同比 crosses a change of indicator rules (None where it does not)."""

    pop_note: str | None = None
    yoy_note: str | None = None


@dataclass(frozen=True)
class IndicatorValue:
    """One indicator of one group (or the total): this period's ratio, 环比 and 同比."""

    numerator: int
    denominator: int
    value: float | None  # six decimals
    percent: float | None
    reason: str | None  # why there is no value
    formula: str
    formula_machine: str
    yoy_pp: float | None
    yoy_reason: str | None
    pop_pp: float | None
    pop_reason: str | None
    previous: RatioBrief
    year_before: RatioBrief
    not_yet_due: int | None
    notes: ComparisonNotes

    def as_data(self) -> dict[str, Any]:
        return {
            "numerator": self.numerator,
            "denominator": self.denominator,
            "value": self.value,
            "percent": self.percent,
            "reason": self.reason,
            "formula": self.formula,
            "formula_machine": self.formula_machine,
            "yoy_pp": self.yoy_pp,
            "yoy_reason": self.yoy_reason,
            "pop_pp": self.pop_pp,
            "pop_reason": self.pop_reason,
            "previous": self.previous.as_data(),
            "year_before": self.year_before.as_data(),
            "not_yet_due": self.not_yet_due,
            "pop_note": self.notes.pop_note,
            "yoy_note": self.notes.yoy_note,
        }


Values = Mapping[str, IndicatorValue]  # by indicator key, in the definitions' order


def values_data(values: Values) -> dict[str, dict[str, Any]]:
    return {key: value.as_data() for key, value in values.items()}


@dataclass(frozen=True)
class IndicatorGroup:
    key: str  # a code, a unit id or a day; "" for facts without one
    label: str
    indicators: Values


@dataclass(frozen=True)
class SettledMonth:
    month: str
    settled_at: datetime
    settled_by: str


@dataclass(frozen=True)
class IndicatorReport:
    period: Period
    timezone: str
    as_of: datetime
    group_by: str | None
    group_label: str | None
    previous_period: Period  # 环比
    year_before: Period  # 同比
    settlements: tuple[SettledMonth, ...]
    definitions: tuple[IndicatorDef, ...]
    total: Values
    indicator_version: int
    groups: tuple[IndicatorGroup, ...]

    def group(self, key: str) -> IndicatorGroup | None:
        return next((g for g in self.groups if g.key == key), None)

    def comparison_notes(self) -> tuple[str, ...]:
        """The total's notes on comparisons across a change of rules, each once, in order."""
        notes = (note for value in self.total.values()
                 for note in (value.notes.pop_note, value.notes.yoy_note) if note)  # fmt: skip
        return tuple(dict.fromkeys(notes))

    def as_data(self) -> dict[str, Any]:
        """The JSON document, key for key as the API and the CLI have always answered it."""
        return {
            "period": self.period.as_data(),
            "timezone": self.timezone,
            "as_of": self.as_of.isoformat(),
            "group_by": self.group_by,
            "group_label": self.group_label,
            "comparisons": {
                "pop": self.previous_period.as_data(),
                "yoy": self.year_before.as_data(),
            },
            "settlements": [
                {
                    "month": s.month,
                    "settled_at": s.settled_at.isoformat(),
                    "settled_by": s.settled_by,
                }
                for s in self.settlements
            ],
            "definitions": [d.describe() for d in self.definitions],
            "total": values_data(self.total),
            "indicator_version": self.indicator_version,
            "groups": [
                {"key": g.key, "label": g.label, "indicators": values_data(g.indicators)}
                for g in self.groups
            ],
        }


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 6)
