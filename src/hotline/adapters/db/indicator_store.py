"""Reading case history into indicator facts, and storing facts and their daily rollup.

The one place where the indicator tables meet SQL: the refresh service writes through it, the
reports read through it, so both see a case's facts the same way (the projection itself is pure,
in hotline.domain.indicator_facts).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from hotline.adapters.db.models import (
    Case,
    CaseEvent,
    IndicatorCaseState,
    IndicatorFact,
    IndicatorRollup,
    Unit,
)
from hotline.domain.indicator_facts import (
    HANDLERS,
    INDICATOR_VERSION,
    Dims,
    EventIn,
    FactRow,
    UnitDirectory,
    project_case,
)

WATERMARK = "indicator_facts"  # the refresh's row in indicator_watermark
# Events committed out of id order (a long transaction) are caught by looking this far back.
OVERLAP_EVENTS = 1000
CHUNK = 900  # ids per IN (…) list: under SQLite's bound-parameter limit with room to spare
DIMENSIONS = ("district", "unit", "street", "category", "channel")
RollupKey = tuple[date, str, str, str]  # day, kind, dim, key
RELEVANT_ACTIONS = tuple(HANDLERS)  # the events the projection reads; the rest are skipped


def chunks(ids: Sequence[int], size: int = CHUNK) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def unit_directory(session: Session) -> UnitDirectory:
    rows = session.execute(select(Unit.id, Unit.code, Unit.region_code)).all()
    return UnitDirectory({code: uid for uid, code, _ in rows}, {uid: r for uid, _, r in rows})


def _dims(row: Any) -> Dims:
    return Dims(row.district_code or "", row.street_code or "", row.category_code or "",
                row.channel_code or "")  # fmt: skip


def dims_by_case(session: Session, case_ids: Sequence[int]) -> dict[int, Dims]:
    result: dict[int, Dims] = {}
    for part in chunks(case_ids):
        stmt = select(
            Case.id, Case.district_code, Case.street_code, Case.category_code, Case.channel_code
        ).where(Case.id.in_(part))
        result.update({row.id: _dims(row) for row in session.execute(stmt)})
    return result


def events_by_case(
    session: Session, case_ids: Sequence[int], until: datetime | None = None
) -> dict[int, list[EventIn]]:
    """The events the projection reads, per case in seq order; with ``until`` only those up to
    that time (history as of then)."""
    result: dict[int, list[EventIn]] = {case_id: [] for case_id in case_ids}
    columns = (CaseEvent.case_id, CaseEvent.seq, CaseEvent.action, CaseEvent.at,
               CaseEvent.to_status, CaseEvent.details)  # fmt: skip
    for part in chunks(case_ids):
        stmt = select(*columns).where(
            CaseEvent.case_id.in_(part), CaseEvent.action.in_(RELEVANT_ACTIONS)
        )
        if until is not None:
            stmt = stmt.where(CaseEvent.at <= until)
        for row in session.execute(stmt.order_by(CaseEvent.case_id, CaseEvent.seq)):
            result[row.case_id].append(
                EventIn(row.seq, row.action, row.at, row.to_status, row.details or {})
            )
    return result


def project_cases(
    session: Session,
    case_ids: Sequence[int],
    tz: ZoneInfo,
    units: UnitDirectory,
    until: datetime | None = None,
    version: int = INDICATOR_VERSION,
) -> dict[int, list[FactRow]]:
    """Project each case's history (up to ``until``) into facts, under the rules of
    ``version`` (a settlement's, when replaying it)."""
    dims = dims_by_case(session, case_ids)
    events = events_by_case(session, case_ids, until)
    return {
        case_id: project_case(case_id, dims[case_id], events[case_id], units, tz, version)
        for case_id in case_ids
        if case_id in dims
    }


def _fact(row: IndicatorFact) -> FactRow:
    dims = Dims(row.district_code, row.street_code, row.category_code, row.channel_code)
    return FactRow(row.case_id, row.kind, row.origin_seq, row.period_at, row.period_on,
                   row.unit_id, dims, row.valid_from_at, row.valid_to_at)  # fmt: skip


def stored_facts(session: Session, case_ids: Sequence[int]) -> list[FactRow]:
    result: list[FactRow] = []
    for part in chunks(case_ids):
        stmt = select(IndicatorFact).where(IndicatorFact.case_id.in_(part))
        result += [_fact(row) for row in session.scalars(stmt)]
    return result


FACT_COLUMNS = (
    "case_id", "kind", "origin_seq", "period_at", "period_on", "unit_id", "district_code",
    "street_code", "category_code", "channel_code", "valid_from_at", "valid_to_at",
)  # fmt: skip


def _sqlite_time(value: datetime | None) -> str | None:
    """The text UTCDateTime stores on SQLite (naive UTC, microseconds)."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(sep=" ", timespec="microseconds")[:26]  # without "+00:00"


def _fact_tuple(row: FactRow, sqlite: bool) -> tuple[Any, ...]:
    times: Any = _sqlite_time if sqlite else (lambda value: value)
    day: Any = row.period_on.isoformat() if sqlite else row.period_on
    return (row.case_id, row.kind, row.origin_seq, times(row.period_at), day, row.unit_id,
            row.dims.district, row.dims.street, row.dims.category, row.dims.channel,
            times(row.valid_from_at), times(row.valid_to_at))  # fmt: skip


def insert_facts(session: Session, rows: Sequence[FactRow]) -> None:
    """Bulk insert below the ORM: facts come by the hundred thousand when history is replayed
    (COPY on PostgreSQL, executemany on SQLite; values as the column types would store them)."""
    if not rows:
        return
    dbapi: Any = session.connection().connection.dbapi_connection
    columns = ", ".join(FACT_COLUMNS)
    if session.get_bind().dialect.name == "postgresql":
        with (
            dbapi.cursor() as cursor,
            cursor.copy(f"COPY indicator_facts ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(_fact_tuple(row, sqlite=False))
        return
    marks = ", ".join("?" * len(FACT_COLUMNS))
    cursor = dbapi.cursor()
    cursor.executemany(
        f"INSERT INTO indicator_facts ({columns}) VALUES ({marks})",
        [_fact_tuple(row, sqlite=True) for row in rows],
    )
    cursor.close()


def replace_facts(session: Session, case_ids: Sequence[int], rows: Sequence[FactRow]) -> None:
    for part in chunks(case_ids):
        session.execute(delete(IndicatorFact).where(IndicatorFact.case_id.in_(part)))
    insert_facts(session, rows)


def group_key(row: FactRow, dim: str) -> str:
    if dim == "unit":
        return str(row.unit_id) if row.unit_id else ""
    value: str = getattr(row.dims, dim)
    return value


def rollup_counts(rows: Iterable[FactRow], sign: int = 1) -> Counter[RollupKey]:
    """Each currently valid fact counts once under 'total' and once per grouping dimension."""
    counts: Counter[RollupKey] = Counter()
    for row in rows:
        if row.valid_to_at is not None:
            continue
        counts[(row.period_on, row.kind, "total", "")] += sign
        for dim in DIMENSIONS:
            counts[(row.period_on, row.kind, dim, group_key(row, dim))] += sign
    return counts


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _executemany(session: Session, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """Plain DB-API executemany (``?`` placeholders) in the session's transaction."""
    if not rows:
        return
    dbapi: Any = session.connection().connection.dbapi_connection
    if _is_postgres(session):
        sql = sql.replace("?", "%s")
    cursor = dbapi.cursor()
    cursor.executemany(sql, rows)
    cursor.close()


ROLLUP_UPSERT = (
    "INSERT INTO indicator_rollup (day_on, kind, dim, key, n) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (day_on, kind, dim, key) DO UPDATE SET n = indicator_rollup.n + excluded.n"
)
STATE_UPSERT = (
    "INSERT INTO indicator_case_state (case_id, last_seq, refreshed_at) VALUES (?, ?, ?) "
    "ON CONFLICT (case_id) DO UPDATE SET last_seq = excluded.last_seq, "
    "refreshed_at = excluded.refreshed_at"
)


def apply_rollup(session: Session, delta: Mapping[RollupKey, int]) -> None:
    """Add ``delta`` to the rollup; keys in sorted order so concurrent writers never deadlock."""
    day: Any = (lambda d: d) if _is_postgres(session) else date.isoformat
    rows = [(day(d), kind, dim, key, n) for (d, kind, dim, key), n in sorted(delta.items()) if n]
    _executemany(session, ROLLUP_UPSERT, rows)


def mark_cases(session: Session, seqs: Mapping[int, int], now: datetime) -> None:
    """Record up to which event each case's facts are derived."""
    at: Any = now if _is_postgres(session) else _sqlite_time(now)
    _executemany(session, STATE_UPSERT, [(c, s, at) for c, s in sorted(seqs.items())])


ROLLUP_KEYS = {  # the SQL twin of group_key()
    "total": "''",
    "district": "district_code",
    "unit": "CASE WHEN unit_id = 0 THEN '' ELSE CAST(unit_id AS VARCHAR(32)) END",
    "street": "street_code",
    "category": "category_code",
    "channel": "channel_code",
}


def rebuild_rollup(session: Session) -> None:
    """The rollup recomputed from the currently valid facts, set-based (after a full replay)."""
    session.execute(delete(IndicatorRollup))
    for dim, expression in ROLLUP_KEYS.items():
        # PostgreSQL refuses a constant in GROUP BY ('' of the total): group by columns only
        grouping = "period_on, kind" if dim == "total" else f"period_on, kind, {expression}"
        session.execute(
            text(
                "INSERT INTO indicator_rollup (day_on, kind, dim, key, n) "
                f"SELECT period_on, kind, '{dim}', {expression}, count(*) FROM indicator_facts "
                f"WHERE valid_to_at IS NULL GROUP BY {grouping}"
            )
        )


def case_states(session: Session, case_ids: Sequence[int]) -> dict[int, int]:
    result: dict[int, int] = {}
    for part in chunks(case_ids):
        stmt = select(IndicatorCaseState.case_id, IndicatorCaseState.last_seq).where(
            IndicatorCaseState.case_id.in_(part)
        )
        result.update({case_id: seq for case_id, seq in session.execute(stmt)})
    return result


def newest_seqs(session: Session, case_ids: Sequence[int]) -> dict[int, int]:
    result: dict[int, int] = {}
    for part in chunks(case_ids):
        stmt = select(CaseEvent.case_id, func.max(CaseEvent.seq)).where(CaseEvent.case_id.in_(part))
        result.update({c: seq for c, seq in session.execute(stmt.group_by(CaseEvent.case_id))})
    return result


def recent_cases(session: Session, after_event_id: int) -> tuple[dict[int, int], int]:
    """Cases with events after ``after_event_id``: {case_id: newest seq}, and the newest id.
    Folded here rather than by GROUP BY, which SQLite would answer by walking the whole
    (case_id, seq) index instead of the few newest rows."""
    stmt = select(CaseEvent.id, CaseEvent.case_id, CaseEvent.seq).where(
        CaseEvent.id > after_event_id
    )
    newest: dict[int, int] = {}
    top = after_event_id
    for event_id, case_id, seq in session.execute(stmt):
        newest[case_id] = max(newest.get(case_id, 0), seq)
        top = max(top, event_id)
    return newest, top


def stale_cases(session: Session, after_event_id: int) -> tuple[dict[int, int], int]:
    """Cases whose stored facts lag their history: {case_id: newest seq}, and the newest id."""
    newest, top = recent_cases(session, after_event_id)
    known = case_states(session, list(newest))
    return {c: seq for c, seq in newest.items() if known.get(c, 0) < seq}, top
