"""Drill-down: the cases behind one count of the indicator report.

The facts listed are exactly those counted (settled months as of their settlement, the rest as
of now, tail included), so the list length equals the number shown. A month settled under
earlier indicator rules is replayed from its history as of the settlement under *those* rules:
the stored facts are derived by today's rules and would list another count than the frozen one.
Confidential cases count in the figures like any other, but a case number is shown only if the
caller may see the case: the caller passes its scope rule, and the rest are reported as a hidden
count.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from hotline.adapters.db import indicator_queries as queries
from hotline.adapters.db.indicator_store import chunks, group_key, project_cases, unit_directory
from hotline.adapters.db.models import Case, IndicatorSettlement
from hotline.domain.errors import InvalidInput
from hotline.domain.indicator_facts import INDICATOR_VERSION, Derived, FactRow, Kind, valid_at
from hotline.domain.indicators import IndicatorDef, Period
from hotline.reports.indicator_counts import (
    ReportMoment,
    Tail,
    load_tail,
    segments,
    settlements_for,
)
from hotline.reports.indicators import IndicatorQuery, report_definitions

Scope = Callable[[Session, Select[Case]], Select[Case]]  # e.g. the services' restrict_to_scope
Listed = tuple[int, str, datetime]  # case id, kind, period time


@dataclass(frozen=True)
class DrillQuery:
    indicator: str
    part: str  # numerator | denominator
    group: str = ""  # the group's key in the report (a date when grouped by day)
    limit: int = 100
    offset: int = 0

    def __post_init__(self) -> None:
        if self.part not in ("numerator", "denominator"):
            raise InvalidInput("part 须为 numerator 或 denominator", fields=("part",))
        if not 1 <= self.limit <= 1000 or self.offset < 0:
            raise InvalidInput("limit 须为 1–1000，offset 不能为负", fields=("limit", "offset"))


def _narrow(report: IndicatorQuery, query: DrillQuery) -> tuple[Period, str, str]:
    """(period, dimension, key) of the count: a day group narrows the period to that day."""
    period = report.period
    if report.group_by == "day":
        try:
            day = date.fromisoformat(query.group)
        except ValueError as exc:
            raise InvalidInput("按日分组时 group 须为日期 YYYY-MM-DD", fields=("group",)) from exc
        if not period.start <= day <= period.end:
            raise InvalidInput("group 日期不在统计期内", fields=("group",))
        return Period(day, day), "total", ""
    if report.group_by is None:
        return period, "total", ""
    return period, report.group_by, query.group


def _stored(
    session: Session, piece: Period, kinds: Sequence[str], where: list[ColumnElement[bool]],
    as_of: datetime | None, now: datetime,
) -> list[Listed]:  # fmt: skip
    base = [k for k in kinds if k not in (Derived.REPLY_DUE_OPEN_PAST, Derived.REPEAT)]
    rows = queries.fact_listing(session, piece.start, piece.end, base, where, as_of)
    derived = {
        Derived.REPLY_DUE_OPEN_PAST: (Kind.REPLY_DUE_OPEN, queries.F.period_at < (as_of or now)),
        Derived.REPEAT: (Kind.INTAKE, queries.repeat_filter(as_of, piece.start, piece.end)),
    }
    for kind, (source, condition) in derived.items():
        if kind in kinds:
            found = queries.fact_listing(
                session, piece.start, piece.end, [source.value], [*where, condition], as_of
            )
            rows += [(case_id, kind.value, at) for case_id, _source, at in found]
    return rows


def _tail_rows(
    tail: Tail, piece: Period, kinds: Sequence[str], dim: str, key: str, now: datetime
) -> list[Listed]:
    def matches(row: FactRow) -> bool:
        in_group = dim == "total" or group_key(row, dim) == key
        return row.valid_to_at is None and in_group and piece.start <= row.period_on <= piece.end

    listed: list[Listed] = []
    for row in filter(matches, tail.fresh):
        if row.kind in kinds:
            listed.append((row.case_id, row.kind, row.period_at))
        if (
            row.kind == Kind.REPLY_DUE_OPEN
            and row.period_at < now
            and (Derived.REPLY_DUE_OPEN_PAST in kinds)
        ):
            listed.append((row.case_id, Derived.REPLY_DUE_OPEN_PAST.value, row.period_at))
        if row.kind == Kind.INTAKE and row.case_id in tail.repeats and Derived.REPEAT in kinds:
            listed.append((row.case_id, Derived.REPEAT.value, row.period_at))
    return listed


def _replayed(
    session: Session, moment: ReportMoment, piece: Period, kinds: Sequence[str], dim: str, key: str,
    settlement: IndicatorSettlement,
) -> list[Listed]:  # fmt: skip
    """The facts of a month settled under earlier rules, as its settlement counted them: the
    history of its cases up to the settlement replayed under the settlement's version. The
    cases are those with a fact dated in the piece then (a version changes how a case's facts
    are grouped and which rounds are due, never the days its events fall on)."""
    as_of = settlement.settled_at
    every_kind = [kind.value for kind in Kind]
    listed = queries.fact_listing(session, piece.start, piece.end, every_kind, [], as_of)
    ids = sorted({case_id for case_id, _kind, _at in listed})
    units = unit_directory(session)
    replayed: list[FactRow] = []
    for part in chunks(ids):
        projected = project_cases(
            session, part, moment.tz, units, as_of, settlement.indicator_version
        )
        facts = [row for rows in projected.values() for row in rows]
        replayed += [replace(row, valid_to_at=None) for row in valid_at(facts, as_of)]
    as_then = Tail(fresh=replayed, repeats=queries.repeat_cases(session, ids, as_of))
    return _tail_rows(as_then, piece, kinds, dim, key, as_of)


def _listed(
    session: Session, moment: ReportMoment, period: Period, kinds: Sequence[str], dim: str, key: str
) -> list[Listed]:
    settled = settlements_for(session, period)
    where = queries.dimension_filter(dim, key)
    tail: Tail | None = None
    rows: list[Listed] = []
    for piece, month in segments(period, list(settled)):
        settlement = settled[month] if month is not None else None
        if settlement is not None and settlement.indicator_version != INDICATOR_VERSION:
            rows += _replayed(session, moment, piece, kinds, dim, key, settlement)
            continue
        if settlement is not None:
            as_of = settlement.settled_at
            rows += _stored(session, piece, kinds, where, as_of, as_of)
            continue
        tail = tail or load_tail(session, moment)
        lagging = tail.case_ids
        stored = _stored(session, piece, kinds, where, None, moment.now)
        rows += [row for row in stored if row[0] not in lagging]
        rows += _tail_rows(tail, piece, kinds, dim, key, moment.now)
    return sorted(rows, key=lambda row: (row[2], row[0], row[1]))


def _numbers(session: Session, ids: Sequence[int], scope: Scope) -> dict[int, str]:
    visible: dict[int, str] = {}
    for part in chunks(list(dict.fromkeys(ids))):
        allowed = scope(session, select(Case).where(Case.id.in_(part)))
        stmt = allowed.with_only_columns(Case.id, Case.number)
        visible.update({cid: number for cid, number in session.execute(stmt)})
    return visible


def _definition(definitions: Sequence[IndicatorDef], key: str) -> IndicatorDef:
    for definition in definitions:
        if definition.key == key:
            return definition
    raise InvalidInput(f"未知的指标「{key}」", fields=("indicator",))


@dataclass(frozen=True)
class DrillItem:
    number: str
    kind: str  # the fact kind counted
    at: datetime  # the moment that put it in the period


@dataclass(frozen=True)
class DrillDown:
    """The facts behind one count: ``count`` equals the report's figure; ``items`` the page of
    those the caller may see, ``hidden`` how many it may not."""

    definition: IndicatorDef
    part: str
    report: IndicatorQuery
    group: str
    count: int
    visible: int
    items: tuple[DrillItem, ...]

    @property
    def hidden(self) -> int:
        return self.count - self.visible

    def as_data(self) -> dict[str, Any]:
        """The JSON document (``DrillDownOut``), key for key as always answered."""
        kinds = getattr(self.definition, self.part)
        return {
            "indicator": self.definition.key,
            "name": self.definition.name,
            "part": self.part,
            "label": getattr(self.definition, f"{self.part}_label"),
            "kinds": list(kinds),
            "period": self.report.period.as_data(),
            "group_by": self.report.group_by,
            "group": self.group,
            "count": self.count,
            "visible": self.visible,
            "hidden": self.hidden,
            "items": [
                {"number": i.number, "kind": i.kind, "at": i.at.isoformat()} for i in self.items
            ],
        }


def drill_down(
    session: Session,
    moment: ReportMoment,
    report: IndicatorQuery,
    query: DrillQuery,
    scope: Scope,
) -> DrillDown:
    """The facts behind ``query.part`` of one indicator in one group, with case numbers, read
    in ``session`` (a snapshot, as the report whose count it explains)."""
    definition = _definition(report_definitions(session, report), query.indicator)
    kinds = getattr(definition, query.part)
    period, dim, key = _narrow(report, query)
    rows = _listed(session, moment, period, kinds, dim, key)
    visible = _numbers(session, [row[0] for row in rows], scope)
    shown = [row for row in rows if row[0] in visible]
    page = shown[query.offset : query.offset + query.limit]
    items = tuple(DrillItem(visible[cid], kind, at) for cid, kind, at in page)
    return DrillDown(definition, query.part, report, query.group, len(rows), len(shown), items)
