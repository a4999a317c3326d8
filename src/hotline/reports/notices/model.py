"""A notice as data: titled tables of typed columns, charts that point at a table, key figures.

Both renderers (HTML with inline SVG, xlsx with native charts) read only this, so the numbers in
the two formats cannot differ. Values stay numbers: fractions for percentages (0.85), percentage
points for changes, ``None`` where there is no value (rendered as 「—」 / an empty cell).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

ColumnKind = Literal["text", "int", "percent", "pp", "score", "money"]
Value = str | int | float | None
Row = Mapping[str, Value]


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: ColumnKind = "text"


@dataclass(frozen=True)
class Table:
    key: str  # also the xlsx sheet it goes to
    title: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    note: str | None = None  # how the figures were counted, in Chinese
    total_row: bool = False  # the last row is a 合计 row (charts leave it out)

    @property
    def body(self) -> tuple[Row, ...]:
        """The rows without the 合计 row."""
        return self.rows[:-1] if self.total_row and self.rows else self.rows

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    kind: Literal["bar", "line"]
    table: str  # the table whose rows it draws
    category: str  # the column naming each bar / point
    series: tuple[str, ...]  # numeric columns drawn


@dataclass(frozen=True)
class Figure:
    """A key figure at the top of the notice (今日受理 128 件)."""

    label: str
    value: Value
    kind: ColumnKind = "int"
    unit: str = "件"


@dataclass(frozen=True)
class Notice:
    kind: Literal["daily", "weekly", "monthly", "period"]
    key: str  # 2026-11-25, 2026-W48, 2026-10
    title: str
    start_on: date
    end_on: date
    produced_at: datetime
    issuer: str  # 印发单位
    figures: tuple[Figure, ...]
    tables: tuple[Table, ...]
    charts: tuple[Chart, ...] = ()
    remarks: tuple[str, ...] = field(default=())

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    def charts_of(self, table_key: str) -> tuple[Chart, ...]:
        return tuple(c for c in self.charts if c.table == table_key)

    @property
    def period_label(self) -> str:
        if self.start_on == self.end_on:
            return f"{self.start_on.year}年{self.start_on.month}月{self.start_on.day}日"
        return f"{_cn_date(self.start_on)}至{_cn_date(self.end_on)}"

    def summary(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "title": self.title,
            "period": {"from": self.start_on.isoformat(), "to": self.end_on.isoformat()},
            "figures": {f.label: f.value for f in self.figures},
            "tables": {t.key: len(t.rows) for t in self.tables},
        }


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def format_value(value: Value, kind: ColumnKind) -> str:
    """How a value reads in the HTML notice."""
    if value is None or value == "":
        return "—"
    if kind == "percent" and isinstance(value, int | float):
        return f"{value * 100:.2f}%"
    if kind == "pp" and isinstance(value, int | float):
        return f"{value:+.2f}"
    if kind == "score" and isinstance(value, int | float):
        return f"{value:.2f}"
    if kind == "money" and isinstance(value, int | float):
        return f"{value:+,.0f}" if value else "0"
    if kind == "int" and isinstance(value, int | float):
        return f"{value:,.0f}"
    return str(value)
