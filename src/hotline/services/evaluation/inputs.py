"""What the evaluation (考评) of one month reads from the records: the entities, their indicator
counts (settled where settled), the approved exclusions taken out of them, and the deductions
counted from recorded facts (media exposure cases, overdue supervisions).

Read-only; the caller owns the transaction. Scoring itself is pure (hotline.domain.scoring).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from hotline.adapters.db import indicator_queries as queries
from hotline.adapters.db.indicator_store import project_cases, unit_directory
from hotline.adapters.db.models import (
    Case,
    EvaluationAdjustment,
    IndicatorSettlement,
    Region,
    Supervision,
    Unit,
)
from hotline.domain.errors import InvalidInput
from hotline.domain.indicator_facts import INDICATOR_VERSION
from hotline.domain.indicators import (
    IndicatorDef,
    Period,
    definitions_of_data,
    month_period,
    ratio,
)
from hotline.domain.scoring import ENTITY_KINDS
from hotline.reports.indicator_counts import (
    ReportMoment,
    by_group,
    load_tail,
    period_counts,
    python_counts,
    settlements_for,
)
from hotline.reports.indicators import IndicatorQuery, report_definitions

ENTITY_LABELS = {"district": "区县及功能区", "unit": "直属单位", "street": "街道办事处"}
UNIT_KIND_OF = {"unit": "direct_unit", "street": "street_office"}
MEDIA_CHANNEL = "media"


@dataclass(frozen=True)
class Entity:
    """One evaluated entity: ``code`` is shown (region or unit code), ``key`` groups its facts
    (the region code, or the unit id as the indicator facts store it)."""

    code: str
    key: str
    name: str
    unit_id: int | None = None


@dataclass
class MonthInputs:
    """Everything read for one month and one entity kind, before any scheme is applied."""

    entities: list[Entity]
    definitions: dict[str, IndicatorDef]
    counts: dict[str, Counter[str]]  # entity key → fact kind → n (exclusions taken out)
    excluded: dict[str, dict[str, list[str]]]  # entity key → target → case numbers excluded
    deductions: dict[str, dict[str, list[str]]]  # entity key → deduction → case numbers
    points: dict[str, list[tuple[float, str]]]  # entity key → approved (points, reason)
    settled: bool = False
    notes: list[str] = field(default_factory=list)
    # entity key → indicator → its value in the same month last year, as settled (frozen)
    last_year: dict[str, dict[str, float | None]] = field(default_factory=dict)


def check_entity_kind(entity_kind: str) -> str:
    if entity_kind not in ENTITY_KINDS:
        raise InvalidInput(f"考评对象须为 {'/'.join(ENTITY_KINDS)} 之一", fields=("entity",))
    return entity_kind


def entities_of(session: Session, entity_kind: str) -> list[Entity]:
    """Every district, county and functional zone (没有特区盲区), or every active direct unit or
    street office — whether or not it had a case this month."""
    if entity_kind == "district":
        stmt = select(Region).where(Region.level.in_(("district", "zone"))).order_by(Region.code)
        return [Entity(r.code, r.code, r.name) for r in session.scalars(stmt)]
    wanted = UNIT_KIND_OF[entity_kind]
    units = select(Unit).where(Unit.kind == wanted, Unit.active.is_(True)).order_by(Unit.code)
    return [Entity(u.code, str(u.id), u.name, u.id) for u in session.scalars(units)]


def _dim(entity_kind: str) -> str:
    return "district" if entity_kind == "district" else "unit"


def local_bounds(period: Period, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The period's first and one-past-last instants (aware, local midnight)."""
    start = datetime.combine(period.start, time(), tzinfo=tz)
    return start, datetime.combine(period.end + timedelta(days=1), time(), tzinfo=tz)


def approved(session: Session, month: str, kind: str) -> list[EvaluationAdjustment]:
    stmt = select(EvaluationAdjustment).where(
        EvaluationAdjustment.month == month,
        EvaluationAdjustment.kind == kind,
        EvaluationAdjustment.status == "approved",
    )
    return list(session.scalars(stmt.order_by(EvaluationAdjustment.id)))


NO_CASE = "（无关联工单）"


def _case_numbers(session: Session, case_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(case_ids))
    if not ids:
        return {}
    rows = session.execute(select(Case.id, Case.number).where(Case.id.in_(ids)))
    return {case_id: number for case_id, number in rows}


@dataclass
class _Reader:
    session: Session
    moment: ReportMoment
    period: Period
    dim: str
    settlement: IndicatorSettlement | None

    def counts(self, settled: dict[str, IndicatorSettlement]) -> dict[str, Counter[str]]:
        tail = load_tail(self.session, self.moment)
        raw = period_counts(self.session, self.period, self.dim, self.moment, tail, settled)
        return by_group(raw)

    def case_counts(self, case_ids: Sequence[int]) -> dict[str, Counter[str]]:
        """What these cases contribute, as of the settlement if the month is settled."""
        until = self.settlement.settled_at if self.settlement else None
        version = self.settlement.indicator_version if self.settlement else INDICATOR_VERSION
        facts = project_cases(self.session, case_ids, self.moment.tz,
                              unit_directory(self.session), until, version)  # fmt: skip
        rows = [row for rows in facts.values() for row in rows if row.valid_to_at is None]
        repeats = queries.repeat_cases(self.session, case_ids, until)
        return by_group(python_counts(rows, self.dim, self.period, self.moment, repeats))


def _exclusions(
    reader: _Reader,
    definitions: Mapping[str, IndicatorDef],
    counts: dict[str, Counter[str]],
    excluded_cases: Mapping[str, set[int]],
) -> dict[str, dict[str, list[str]]]:
    """Take approved excluded cases out of the indicators they were excluded from. The same
    fact kind feeds several indicators (a callback feeds three satisfaction rates), so the
    correction is kept per indicator as ``indicator:kind`` entries beside the plain counts."""
    by_target = {t: ids for t, ids in excluded_cases.items() if t in definitions}
    numbers = _case_numbers(reader.session, (i for ids in by_target.values() for i in ids))
    excluded: dict[str, dict[str, list[str]]] = {}
    for target, ids in by_target.items():
        kinds = set(definitions[target].numerator) | set(definitions[target].denominator)
        for key, removed in reader.case_counts(sorted(ids)).items():
            for kind in kinds & set(removed):
                counts.setdefault(key, Counter())[f"{target}:{kind}"] -= removed[kind]
            if kinds & set(removed):
                excluded.setdefault(key, {})[target] = sorted(numbers[i] for i in ids)
    return excluded


def indicator_value(
    definition: IndicatorDef, counts: Mapping[str, int]
) -> tuple[float | None, int, int]:
    """The value after exclusions: a per-indicator correction ``target:kind`` is added to the
    plain count of each kind before dividing."""
    corrected = {
        kind: counts.get(kind, 0) + counts.get(f"{definition.key}:{kind}", 0)
        for kind in {*definition.numerator, *definition.denominator}
    }
    value = ratio(definition, corrected)
    return value.value, value.numerator, value.denominator


def _owner_column(entity_kind: str, district: Any, unit: Any) -> Any:
    """The column naming who answers for a row: its district, or its unit."""
    return district if entity_kind == "district" else unit


Deduction = tuple[str, int, str]  # owner, case id (0: none), what the explanation names


def _media_cases(session: Session, entity_kind: str, period: Period) -> list[Deduction]:
    """Media exposure: cases that came in through the media channel this month, not voided."""
    owner = _owner_column(entity_kind, Case.district_code, Case.lead_unit_id)
    stmt = select(owner, Case.id, Case.number).where(
        Case.channel_code == MEDIA_CHANNEL,
        Case.received_on.between(period.start, period.end),
        Case.status != "void",
    )
    return [(str(key), case_id, number) for key, case_id, number in session.execute(stmt)
            if key is not None]  # fmt: skip


def _overdue_supervisions(
    session: Session, entity_kind: str, period: Period, moment: ReportMoment
) -> list[Deduction]:
    """督办超期: supervisions due this month answered late, or not answered and past due."""
    start, end = local_bounds(period, moment.tz)
    owner = _owner_column(entity_kind, Supervision.district_code, Supervision.target_unit_id)
    late = or_(
        Supervision.responded_at > Supervision.due_at,
        and_(Supervision.responded_at.is_(None), Supervision.due_at < moment.now),
    )
    # the case number in the same read (a month at city scale has tens of thousands)
    stmt = (
        select(owner, func.coalesce(Supervision.case_id, 0), Case.number)
        .outerjoin(Case, Case.id == Supervision.case_id)
        .where(Supervision.due_at >= start, Supervision.due_at < end, late)
    )
    return [(str(key), case_id, number or NO_CASE) for key, case_id, number in session.execute(stmt)
            if key is not None]  # fmt: skip


def _deductions(
    reader: _Reader, entity_kind: str, excluded: Mapping[str, set[int]]
) -> dict[str, dict[str, list[str]]]:
    found = {
        "media_exposure": _media_cases(reader.session, entity_kind, reader.period),
        "overdue_supervision": _overdue_supervisions(
            reader.session, entity_kind, reader.period, reader.moment
        ),
    }
    result: dict[str, dict[str, list[str]]] = {}
    for code, rows in found.items():
        for key, case_id, label in rows:
            if case_id in excluded.get(code, set()):
                continue
            result.setdefault(key, {}).setdefault(code, []).append(label)
    return result


def _approved_exclusions(session: Session, month: str) -> dict[str, set[int]]:
    """Approved exclusions by target (an indicator or a deduction): the case ids taken out."""
    result: dict[str, set[int]] = {}
    for adjustment in approved(session, month, "exclude"):
        if adjustment.case_id is not None and adjustment.target:
            result.setdefault(adjustment.target, set()).add(adjustment.case_id)
    return result


def _points(
    session: Session, month: str, entity_kind: str, entities: Sequence[Entity]
) -> dict[str, list[tuple[float, str]]]:
    key_of = {entity.code: entity.key for entity in entities}
    result: dict[str, list[tuple[float, str]]] = {}
    for adjustment in approved(session, month, "points"):
        key = key_of.get(adjustment.entity_code or "")
        if adjustment.entity_kind == entity_kind and key is not None:
            reason = f"第 {adjustment.id} 号，{adjustment.reason}，{adjustment.decided_by} 批准"
            result.setdefault(key, []).append((float(adjustment.points or 0), reason))
    return result


def _last_year(session: Session, month: str, dim: str) -> dict[str, dict[str, float | None]]:
    """Each entity's indicator values in the same month a year earlier, from that month's
    settlement and with its own definitions — never recomputed live. Empty if not settled."""
    year, number = month.split("-")
    earlier = f"{int(year) - 1:04d}-{number}"
    settlement = settlements_for(session, month_period(earlier)).get(earlier)
    if settlement is None:
        return {}
    rows = queries.settled_rows(session, settlement.id, settlement.start_on, settlement.end_on,
                                dim, per_day=False)  # fmt: skip
    definitions = definitions_of_data(settlement.definitions)
    return {
        key: {d.key: ratio(d, counts).value for d in definitions}
        for key, counts in by_group(rows).items()
    }


def read_month(
    session: Session, moment: ReportMoment, month: str, period: Period, entity_kind: str
) -> MonthInputs:
    """All inputs of one month's evaluation, in the caller's read transaction."""
    settlements = settlements_for(session, period)
    settled = settlements.get(month)
    reader = _Reader(session, moment, period, _dim(entity_kind), settled)
    definitions = {d.key: d for d in report_definitions(session, IndicatorQuery(period))}
    entities = entities_of(session, entity_kind)
    counts = reader.counts(settlements)
    exclusions = _approved_exclusions(session, month)
    excluded = _exclusions(reader, definitions, counts, exclusions)
    deductions = _deductions(reader, entity_kind, exclusions)
    points = _points(session, month, entity_kind, entities)
    inputs = MonthInputs(entities, definitions, counts, excluded, deductions, points,
                         settled is not None)  # fmt: skip
    inputs.last_year = _last_year(session, month, reader.dim)
    if settled is not None:
        on = settled.settled_at.astimezone(moment.tz)
        inputs.notes.append(f"{month} 已于 {on:%Y-%m-%d} 结算，采用结算时冻结的数据")
    return inputs
