"""Read-only SQL over the indicator tables: rollup, settled counts, facts as of a time.

Counts come back keyed by (local day, fact kind, group key) for one grouping dimension at a
time ('total' for none). The two derived kinds are counted here too: open rounds past their
deadline (``reply_due_open_past``) and intakes of repeated problems (``repeat``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from hotline.adapters.db.indicator_store import chunks
from hotline.adapters.db.models import (
    Case,
    IndicatorFact,
    IndicatorRollup,
    IndicatorSettledCount,
    Problem,
    ProblemLink,
)
from hotline.domain.indicator_facts import Derived, Kind

F = IndicatorFact
DayCounts = Counter[tuple[date, str, str]]  # (day, kind, group key) → count
FACT_COLUMNS: dict[str, Any] = {
    "total": literal(""),
    "district": F.district_code,
    "unit": F.unit_id,
    "street": F.street_code,
    "category": F.category_code,
    "channel": F.channel_code,
}
ONE_DAY = timedelta(days=1)
MANY = 5000  # cases: beyond this, look repeats up as one set
OPEN_PAST = Derived.REPLY_DUE_OPEN_PAST.value
REPEAT = Derived.REPEAT.value
# The aliases of ``cases`` the repeat queries use, made once: SQLAlchemy memoizes an alias's
# column adaptation on the alias itself, and a fresh alias per query cost ~0.1 s of Python per
# report (profiled), more than the queries themselves.
_CASE = aliased(Case, name="repeat_case")
_SIBLING = aliased(Case, name="repeat_sibling")
_NEAR = aliased(Case, name="repeat_near")
_LINKED = aliased(Case, name="repeat_linked")


def _key(dim: str, value: object) -> str:
    if dim == "unit":
        return str(value) if value else ""
    return str(value or "")


def rollup_rows(session: Session, start: date, end: date, dim: str) -> DayCounts:
    """The rollup day by day."""
    R = IndicatorRollup
    stmt = select(R.day_on, R.kind, R.key, R.n).where(R.dim == dim, R.day_on.between(start, end))
    return Counter({(day, kind, key): n for day, kind, key, n in session.execute(stmt) if n})


def rollup_sums(session: Session, start: date, end: date, dim: str) -> DayCounts:
    """The rollup summed over the days in SQL, dated on the first day: a report not grouped by
    day needs one row per kind and group, not one per day (30 times fewer rows to carry)."""
    R = IndicatorRollup
    stmt = (
        select(R.kind, R.key, func.sum(R.n))
        .where(R.dim == dim, R.day_on.between(start, end))
        .group_by(R.kind, R.key)
    )
    return Counter({(start, kind, key): int(n) for kind, key, n in session.execute(stmt) if n})


def settled_rows(
    session: Session, settlement_id: int, start: date, end: date, dim: str, per_day: bool = True
) -> DayCounts:
    """A settled month's frozen counts, day by day or (``per_day`` false) summed onto the first
    day."""
    S = IndicatorSettledCount
    where = (S.settlement_id == settlement_id, S.dim == dim, S.day_on.between(start, end))
    if per_day:
        rows = session.execute(select(S.day_on, S.kind, S.key, S.n).where(*where))
        return Counter({(day, kind, key): n for day, kind, key, n in rows if n})
    summed = select(S.kind, S.key, func.sum(S.n)).where(*where).group_by(S.kind, S.key)
    return Counter({(start, kind, key): int(n) for kind, key, n in session.execute(summed) if n})


def valid_at(as_of: datetime | None) -> ColumnElement[bool]:
    """Facts believed at ``as_of`` (None: now, the currently valid ones)."""
    if as_of is None:
        return F.valid_to_at.is_(None)
    return and_(F.valid_from_at <= as_of, or_(F.valid_to_at.is_(None), F.valid_to_at > as_of))


def _grouped(session: Session, dim: str, *where: ColumnElement[bool]) -> list[Any]:
    column = FACT_COLUMNS[dim]
    stmt = select(F.period_on, F.kind, column, func.count()).where(*where)
    return list(session.execute(stmt.group_by(F.period_on, F.kind, column)))


def facts_as_of(session: Session, start: date, end: date, dim: str, as_of: datetime) -> DayCounts:
    """Every stored kind, plus open rounds past their deadline, as believed at ``as_of``."""
    in_period = F.period_on.between(start, end)
    counts: DayCounts = Counter()
    for day, kind, value, n in _grouped(session, dim, in_period, valid_at(as_of)):
        counts[(day, kind, _key(dim, value))] += n
    past = (F.kind == Kind.REPLY_DUE_OPEN.value, F.period_at < as_of)
    for day, _kind, value, n in _grouped(session, dim, in_period, valid_at(as_of), *past):
        counts[(day, OPEN_PAST, _key(dim, value))] += n
    counts.update(repeat_counts(session, start, end, dim, as_of))
    return counts


def open_past_on(session: Session, day: date, dim: str, now: datetime) -> DayCounts:
    """Currently open rounds due on ``day`` whose deadline is before ``now``."""
    where = (F.period_on == day, F.kind == Kind.REPLY_DUE_OPEN.value, F.period_at < now)
    rows = _grouped(session, dim, valid_at(None), *where)
    return Counter({(d, OPEN_PAST, _key(dim, value)): n for d, _k, value, n in rows})


def _linked_by(case: Any, as_of: datetime | None) -> ColumnElement[bool]:
    """The case's link to its problem existed at ``as_of``: dated by the newest 'link' row of
    the problem-link audit, or by the case's own intake when it was linked without one."""
    if as_of is None:
        return literal(True)
    linked_at = (
        select(func.max(ProblemLink.at))
        .where(ProblemLink.case_id == case.id, ProblemLink.problem_id == case.problem_id,
               ProblemLink.action == "link")
        .scalar_subquery()
    )  # fmt: skip
    return func.coalesce(linked_at, case.created_at) <= as_of


def _repeat_condition(case: Any, as_of: datetime | None) -> ColumnElement[bool]:
    """The case is linked to a problem that has another linked case (per case: for few)."""
    sibling = _SIBLING
    shared = exists().where(
        sibling.problem_id == case.problem_id, sibling.id != case.id, _linked_by(sibling, as_of)
    )
    return and_(case.problem_id.is_not(None), _linked_by(case, as_of), shared)


def _repeat_case_ids(as_of: datetime | None, days: tuple[date, date] | None = None) -> Select[int]:
    """The same condition as a set (for many). With ``days``, only cases taken in then (a day
    of slack either side: intake facts fall on the local date of receipt), so the cost follows
    the period's cases, not the whole ledger."""
    near = _NEAR
    here = [near.problem_id.is_not(None)]
    if days is not None:
        here.append(near.received_on.between(days[0] - ONE_DAY, days[1] + ONE_DAY))
    if as_of is None:
        # Now: the ledger keeps each problem's case count (problem_ledger.recount on every link
        # and unlink), so a repeat is one key lookup instead of counting every linked case.
        repeated_now = select(Problem.id).where(Problem.case_count >= 2)
        return select(near.id).where(*here, near.problem_id.in_(repeated_now))
    cases_here = select(near.id, near.problem_id).where(*here).subquery()
    linked = _LINKED
    repeated = (
        select(linked.problem_id)
        .where(linked.problem_id.in_(select(cases_here.c.problem_id)), _linked_by(linked, as_of))
        .group_by(linked.problem_id)
        .having(func.count() >= 2)
    )
    case = _CASE
    return select(case.id).where(
        case.id.in_(select(cases_here.c.id)),
        case.problem_id.in_(repeated),
        _linked_by(case, as_of),
    )


def repeat_counts(
    session: Session,
    start: date,
    end: date,
    dim: str,
    as_of: datetime | None,
    per_day: bool = True,
) -> DayCounts:
    """Intakes in the period of cases linked to a problem that has at least two cases, day by
    day or (``per_day`` false) counted over the whole period and dated on its first day."""
    grouping = (F.period_on, FACT_COLUMNS[dim]) if per_day else (FACT_COLUMNS[dim],)
    stmt = (
        select(*grouping, func.count())
        .where(F.kind == Kind.INTAKE.value, F.period_on.between(start, end), valid_at(as_of))
        .where(F.case_id.in_(_repeat_case_ids(as_of, (start, end))))
        .group_by(*grouping)
    )
    counts: DayCounts = Counter()
    for row in session.execute(stmt):
        day = row[0] if per_day else start
        counts[(day, REPEAT, _key(dim, row[-2]))] += row[-1]
    return counts


def repeat_cases(session: Session, case_ids: Sequence[int], as_of: datetime | None) -> set[int]:
    """Which of these cases count as repeats: case by case for a few (the tail), from the
    whole set of repeats for many (a replay)."""
    if len(case_ids) > MANY:
        wanted = set(case_ids)
        return {cid for cid in session.scalars(_repeat_case_ids(as_of)) if cid in wanted}
    case = _CASE
    found: set[int] = set()
    for part in chunks(case_ids):
        stmt = select(case.id).where(case.id.in_(part), _repeat_condition(case, as_of))
        found.update(session.scalars(stmt))
    return found


def fact_listing(
    session: Session,
    start: date,
    end: date,
    kinds: Sequence[str],
    where: Sequence[ColumnElement[bool]],
    as_of: datetime | None,
) -> list[tuple[int, str, datetime]]:
    """(case id, kind, period time) of the stored facts behind a count, oldest first."""
    stmt = select(F.case_id, F.kind, F.period_at).where(
        F.kind.in_(kinds), F.period_on.between(start, end), valid_at(as_of), *where
    )
    return [tuple(row) for row in session.execute(stmt.order_by(F.period_at, F.id))]  # type: ignore[misc]


def dimension_filter(dim: str, key: str) -> list[ColumnElement[bool]]:
    if dim == "total":
        return []
    if dim == "unit":
        return [F.unit_id == (int(key) if key else 0)]
    column: ColumnElement[Any] = FACT_COLUMNS[dim]
    return [column == key]


def repeat_filter(as_of: datetime | None, start: date, end: date) -> ColumnElement[bool]:
    return F.case_id.in_(_repeat_case_ids(as_of, (start, end)))
