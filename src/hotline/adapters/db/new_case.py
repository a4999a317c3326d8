"""A new case's rows written at once: the case, its first history event and the job queued for it.

The caller gives a function from the day's sequence number to the rows (the number goes into the
case and into the events' hashes); the new case's id is filled in here, as the events' ``case_id``
and as ``case_id`` in the job's payload. Events after the first (``more_events``, chained to it
by the caller) go in with them, so that what a filing records beside the case cannot be lost
between two transactions.

* PostgreSQL: two statements on one autocommit connection, two round trips. The number is taken
  first, in a statement of its own (``counters.reserve_daily_seq``: the counter row is locked
  for that statement only); then the rows go in as one statement, data-modifying CTEs,
  which is one atomic transaction by itself. A failure after the number is taken leaves a gap
  (docs/decisions/0011-case-numbers-outside-the-create.md).
* SQLite: one transaction (BEGIN IMMEDIATE): the number inside it, then the INSERTs. No gaps.

The case row carries its search terms (``search_terms``, computed from its number, title,
content and address: adapters/db/case_search.py), so that a new case is found by the list's
text search at once; and, when the client sent one, its Idempotency-Key row
(services/cases/idempotency.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, Table, bindparam, func, insert, literal_column, select
from sqlalchemy.dialects.postgresql import JSONB

from hotline.adapters.db.case_search import with_terms
from hotline.adapters.db.counters import next_daily_seq, reserve_daily_seq
from hotline.adapters.db.database import Database
from hotline.adapters.db.models import Case, CaseEvent, IdempotencyKey, OutboxItem

log = logging.getLogger(__name__)
_CASES: Table = Case.__table__  # type: ignore[assignment]
_EVENTS: Table = CaseEvent.__table__  # type: ignore[assignment]
_OUTBOX: Table = OutboxItem.__table__  # type: ignore[assignment]
_KEYS: Table = IdempotencyKey.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class NewCaseRows:
    """Column values: ``case`` of cases, ``event`` of case_events (but ``case_id``), ``job`` of
    outbox (its ``payload`` gets ``case_id``). The same column names on every call."""

    case: dict[str, Any]
    event: dict[str, Any]
    job: dict[str, Any]
    # The client's Idempotency-Key, stored in the same transaction as the case, so that a key
    # is never without its case nor a case created with a key without it (a crash in between
    # would make a retry create a second case). A clash on the key's uniqueness undoes it all.
    key: dict[str, Any] | None = None
    # Further history events of the new case, each sealed onto the one before (seq 2, 3, …).
    more_events: tuple[dict[str, Any], ...] = ()


def insert_new_case(
    db: Database, day_on: date, rows_for: Callable[[int], NewCaseRows]
) -> tuple[int, NewCaseRows]:
    """Number, then store, a new case; returns its id and the rows written."""
    if db.dialect == "postgresql":
        with db.autocommit() as connection:
            seq = reserve_daily_seq(connection, day_on)
            try:
                rows = _with_defaults(rows_for(seq))
                stored = _searchable(rows, db.dialect)
                statement = _pg_statement(
                    tuple(stored.case),
                    tuple(stored.event),
                    tuple(stored.job),
                    tuple(stored.key or ()),
                    tuple(tuple(event) for event in stored.more_events),
                )
                case_id = connection.execute(statement, _pg_params(stored)).scalar_one()
            except BaseException:
                log.warning("case number %s #%d was taken but not used (a gap)", day_on, seq)
                raise
            return int(case_id), rows
    with db.transaction() as session:
        rows = rows_for(next_daily_seq(session, day_on))
        connection = session.connection()
        case_values = _searchable(rows, db.dialect).case
        case_id = connection.execute(
            insert(_CASES).returning(_CASES.c.id), case_values
        ).scalar_one()
        for event in (rows.event, *rows.more_events):
            connection.execute(insert(_EVENTS), {**event, "case_id": case_id})
        payload = {"case_id": case_id, **rows.job["payload"]}
        connection.execute(insert(_OUTBOX), {**rows.job, "payload": payload})
        if rows.key is not None:
            connection.execute(insert(_KEYS), rows.key)
        return int(case_id), rows


def _searchable(rows: NewCaseRows, dialect: str) -> NewCaseRows:
    """The rows to store: the case with its search terms."""
    return replace(rows, case=with_terms(dialect, rows.case))


def _scalar_defaults(table: Table) -> dict[str, Any]:
    return {
        column.name: column.default.arg  # type: ignore[attr-defined]
        for column in table.columns
        if column.default is not None and column.default.is_scalar
    }


_DEFAULTS = {table.name: _scalar_defaults(table) for table in (_CASES, _EVENTS, _OUTBOX)}


def _with_defaults(rows: NewCaseRows) -> NewCaseRows:
    """The columns' scalar defaults (``default=False`` …) added where no value is given: inside a
    CTE, SQLAlchemy names such columns but leaves their values to the caller."""
    return NewCaseRows(
        {**_DEFAULTS[_CASES.name], **rows.case},
        {**_DEFAULTS[_EVENTS.name], **rows.event},
        {**_DEFAULTS[_OUTBOX.name], **rows.job},
        rows.key,
        tuple({**_DEFAULTS[_EVENTS.name], **event} for event in rows.more_events),
    )


def _params(prefix: str, table: Table, names: tuple[str, ...]) -> list[Any]:
    return [bindparam(f"{prefix}{name}", type_=table.c[name].type) for name in names]


@lru_cache(maxsize=8)
def _pg_statement(
    case_columns: tuple[str, ...],
    event_columns: tuple[str, ...],
    job_columns: tuple[str, ...],
    key_columns: tuple[str, ...] = (),
    more_event_columns: tuple[tuple[str, ...], ...] = (),
) -> Select[Any]:
    """``WITH new_case AS (INSERT … RETURNING id), new_event AS (INSERT … SELECT new_case.id, …),
    new_job AS (INSERT … SELECT …, :payload || {"case_id": new_case.id}) SELECT id FROM new_case``,
    built once per set of column names. Foreign keys are checked at the end of the statement,
    when the case row is there."""
    new_case = (
        insert(_CASES)
        .values(dict(zip(case_columns, _params("c_", _CASES, case_columns), strict=True)))
        .returning(_CASES.c.id)
        .cte("new_case")
    )
    event_values = select(new_case.c.id, *_params("e_", _EVENTS, event_columns))
    new_event = insert(_EVENTS).from_select(["case_id", *event_columns], event_values)
    with_id = bindparam("j_payload", type_=JSONB).op("||", return_type=JSONB)(
        func.jsonb_build_object(literal_column("'case_id'"), new_case.c.id, type_=JSONB)
    )
    job_values = [
        with_id if name == "payload" else bindparam(f"j_{name}", type_=_OUTBOX.c[name].type)
        for name in job_columns
    ]
    new_job = insert(_OUTBOX).from_select(list(job_columns), select(*job_values))
    ctes = [new_event.cte("new_event"), new_job.cte("new_job")]
    for index, columns in enumerate(more_event_columns):
        values = select(new_case.c.id, *_params(f"m{index}_", _EVENTS, columns))
        more = insert(_EVENTS).from_select(["case_id", *columns], values)
        ctes.append(more.cte(f"more_event_{index}"))
    if key_columns:
        key_values = dict(zip(key_columns, _params("k_", _KEYS, key_columns), strict=True))
        ctes.append(insert(_KEYS).values(key_values).cte("new_key"))
    return select(new_case.c.id).add_cte(*ctes)


def _pg_params(rows: NewCaseRows) -> dict[str, Any]:
    return {
        **{f"c_{name}": value for name, value in rows.case.items()},
        **{f"e_{name}": value for name, value in rows.event.items()},
        **{f"j_{name}": value for name, value in rows.job.items()},
        **{f"k_{name}": value for name, value in (rows.key or {}).items()},
        **{
            f"m{index}_{name}": value
            for index, event in enumerate(rows.more_events)
            for name, value in event.items()
        },
    }
