"""The monthly evaluation (考评) of every district, county and functional zone — or of every
directly affiliated unit or street office — under a versioned scheme, and the what-if under
another scheme.

``evaluate_month(hotline, "2026-10", now)`` reads the month's indicators (settled figures where the
month is settled), takes out the approved exclusions, counts the deductions from recorded facts,
adds the approved points adjustments, then scores, ranks, lists and funds every entity with a
line-by-line explanation (hotline.domain.scoring). Read-only: one snapshot, nothing written.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from hotline.domain.errors import InvalidInput
from hotline.domain.indicators import asked_month
from hotline.domain.scoring import (
    INDICATOR_NAMES,
    NOT_RATED,
    Difference,
    EntityInput,
    EntityResult,
    Scheme,
    evaluate,
    what_if,
)
from hotline.reports.indicator_counts import ReportMoment
from hotline.services.context import Hotline
from hotline.services.evaluation.inputs import (
    ENTITY_LABELS,
    Entity,
    MonthInputs,
    check_entity_kind,
    indicator_value,
    read_month,
)
from hotline.services.evaluation.schemes import DEFAULT_SCHEME, load_scheme

NO_CASES_NOTE = "本月无应计案件（无派遣、答复、回访记录）：无考核数据，照常列出，不参加排名"


def scheme_of(hotline: Hotline, scheme: str | Scheme | None) -> Scheme:
    """A scheme object as given, a shipped name or YAML path, or the city's configured one."""
    if isinstance(scheme, Scheme):
        scheme.validate()
        return scheme
    return load_scheme(scheme or hotline.profile.reports.evaluation_scheme or DEFAULT_SCHEME)


def _check_indicators(scheme: Scheme, inputs: MonthInputs, month: str) -> None:
    missing = [r.code for r in scheme.indicators if r.code not in inputs.definitions]
    if missing:
        names = "、".join(INDICATOR_NAMES.get(code, code) for code in missing)
        raise InvalidInput(f"{month} 的指标定义中没有方案所需的指标：{names}", fields=("scheme",))


def _indicator_notes(scheme: Scheme, inputs: MonthInputs, entity: Entity) -> list[str]:
    counts = inputs.counts.get(entity.key, Counter())
    notes = []
    for rule in scheme.indicators:
        definition = inputs.definitions[rule.code]
        _value, numerator, denominator = indicator_value(definition, counts)
        line = f"{definition.formula}：{numerator}/{denominator}"
        excluded = inputs.excluded.get(entity.key, {}).get(rule.code)
        if excluded:
            line += f"（已剔除经批准的 {len(excluded)} 件：{'、'.join(excluded)}）"
        notes.append(line)
    return notes


def _has_cases(inputs: MonthInputs, entity: Entity) -> bool:
    counts = inputs.counts.get(entity.key, Counter())
    return any(n > 0 for kind, n in counts.items() if ":" not in kind)


def _entity_input(scheme: Scheme, inputs: MonthInputs, entity: Entity) -> EntityInput:
    counts = inputs.counts.get(entity.key, Counter())
    figures = {
        rule.code: indicator_value(inputs.definitions[rule.code], counts)
        for rule in scheme.indicators
    }
    values = {code: value for code, (value, _n, _d) in figures.items()}
    samples = {code: (numerator, denominator) for code, (_v, numerator, denominator)
               in figures.items()}  # fmt: skip
    deductions = inputs.deductions.get(entity.key, {})
    notes = [*inputs.notes, *_indicator_notes(scheme, inputs, entity)]
    if not _has_cases(inputs, entity):
        notes.insert(0, NO_CASES_NOTE)
    return EntityInput(
        entity=entity.code,
        name=entity.name,
        values=values,
        deduction_counts={code: len(cases) for code, cases in deductions.items()},
        adjustments=tuple(inputs.points.get(entity.key, [])),
        notes=tuple(notes),
        deduction_details={code: "、".join(cases) for code, cases in deductions.items()},
        samples=samples,
        last_year=inputs.last_year.get(entity.key, {}),
    )


def _inputs(
    hotline: Hotline, session: Session, now: datetime, month: str, entity_kind: str
) -> MonthInputs:
    period = asked_month(month)
    moment = ReportMoment(hotline.settings.tz, now)
    return read_month(session, moment, month, period, check_entity_kind(entity_kind))


def _score(scheme: Scheme, inputs: MonthInputs, month: str) -> list[EntityResult]:
    _check_indicators(scheme, inputs, month)
    return evaluate(scheme, [_entity_input(scheme, inputs, e) for e in inputs.entities])


def evaluate_in(
    hotline: Hotline,
    session: Session,
    month: str,
    now: datetime,
    scheme: str | Scheme | None = None,
    entity_kind: str = "district",
) -> list[EntityResult]:
    """:func:`evaluate_month` read in ``session``: a monthly report evaluates its ranking in
    the snapshot its sections are read from (docs/decisions/0034)."""
    chosen = scheme_of(hotline, scheme)
    return _score(chosen, _inputs(hotline, session, now, month, entity_kind), month)


def evaluate_month(
    hotline: Hotline,
    month: str,
    now: datetime,
    scheme: str | Scheme | None = None,
    entity_kind: str = "district",
) -> list[EntityResult]:
    """Every entity of ``entity_kind`` scored, ranked, listed and funded for ``month``
    (YYYY-MM) as of ``now``, best first; ``scheme`` a shipped name or YAML path (default: the
    city's). One read-only snapshot."""
    chosen = scheme_of(hotline, scheme)  # a bad scheme is refused before anything is read
    with hotline.db.snapshot() as session:
        return evaluate_in(hotline, session, month, now, chosen, entity_kind)


def status_label(result: EntityResult) -> str:
    return "参评" if result.rated else NOT_RATED


def result_as_data(result: EntityResult) -> dict[str, Any]:
    """One entity as JSON: an unrated one (无考核数据) has score, rank, lists and amount null."""
    data = asdict(result)
    data["baseline_passed_all"] = all(result.baseline_passed.values()) if result.rated else None
    data["status_label"] = status_label(result)
    if not result.rated:
        data["lists"] = None
    return data


def scheme_as_data(scheme: Scheme) -> dict[str, Any]:
    return {"version": scheme.version, "name": scheme.name}


def _change(new: float | None, old: float | None) -> float | None:
    """A change, or None where either side is unrated (there is nothing to compare)."""
    return None if new is None or old is None else round(new - old, 2)


@dataclass(frozen=True)
class Change:
    """What changes for one entity under the other scheme, with the changes worked out."""

    difference: Difference

    @property
    def score_change(self) -> float | None:
        return _change(self.difference.score_after, self.difference.score_before)

    @property
    def rank_change(self) -> float | None:  # positive: moved up
        return _change(self.difference.rank_before, self.difference.rank_after)

    @property
    def amount_change(self) -> float | None:
        return _change(self.difference.amount_after, self.difference.amount_before)

    def as_data(self) -> dict[str, Any]:
        return {**asdict(self.difference), "score_change": self.score_change,
                "rank_change": self.rank_change, "amount_change": self.amount_change}  # fmt: skip


@dataclass(frozen=True)
class WhatIf:
    """The same month under another scheme (假设分析)."""

    scheme: Scheme
    results: tuple[EntityResult, ...]
    changes: tuple[Change, ...]

    def as_data(self) -> dict[str, Any]:
        return {
            "scheme": scheme_as_data(self.scheme),
            "results": [result_as_data(r) for r in self.results],
            "differences": [c.as_data() for c in self.changes],
        }


@dataclass(frozen=True)
class EvaluationReport:
    month: str
    entity_kind: str
    scheme: Scheme
    settled: bool
    results: tuple[EntityResult, ...]  # by rank, the unrated after
    what_if: WhatIf | None = None

    @property
    def entity_label(self) -> str:
        return ENTITY_LABELS[self.entity_kind]

    @property
    def rated_count(self) -> int:
        return sum(1 for r in self.results if r.rated)

    def as_data(self) -> dict[str, Any]:
        """The JSON document (``EvaluationOut``), key for key as always answered."""
        document: dict[str, Any] = {
            "month": self.month,
            "entity": self.entity_kind,
            "entity_label": self.entity_label,
            "scheme": scheme_as_data(self.scheme),
            "settled": self.settled,
            "rated_count": self.rated_count,
            "results": [result_as_data(r) for r in self.results],
        }
        if self.what_if is not None:
            document["what_if"] = self.what_if.as_data()
        return document


def evaluation_report(
    hotline: Hotline,
    month: str,
    now: datetime,
    scheme: str | Scheme | None = None,
    entity_kind: str = "district",
    compare: str | Scheme | None = None,
) -> EvaluationReport:
    """The evaluation as of ``now``; with ``compare``, the same month under that scheme too
    and what changes for each entity (what-if). One read-only snapshot."""
    chosen = scheme_of(hotline, scheme)
    other = scheme_of(hotline, compare) if compare is not None else None
    with hotline.db.snapshot() as session:
        inputs = _inputs(hotline, session, now, month, entity_kind)
    results = _score(chosen, inputs, month)
    report = EvaluationReport(month, entity_kind, chosen, inputs.settled, tuple(results))
    if other is None:
        return report
    after = _score(other, inputs, month)
    changes = tuple(Change(d) for d in what_if(results, after))
    return replace(report, what_if=WhatIf(other, tuple(after), changes))
