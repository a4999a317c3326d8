"""Writing many rows at once in the session's transaction, for set-based work (the deadline
sweep): ``COPY`` on PostgreSQL (psycopg 3), ``executemany`` elsewhere.

Through SQLAlchemy, psycopg sends a list of rows either as one statement per row (pipelined) or
as a multi-row ``VALUES`` statement with a placeholder per value; both cost the server and the
client per row and per placeholder. ``COPY`` streams the rows. Ids that the caller needs before
writing (to reference them in other rows) are reserved from the table's sequence first, so the
rows still get them in the order given, as ``INSERT … RETURNING`` would hand them out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import Column, Date, Table, bindparam, insert, text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from hotline.adapters.db.case_search import with_terms
from hotline.adapters.db.models import Base, Case
from hotline.adapters.db.types import PortableJSON, UTCDateTime


def _is_postgres(session: Session) -> bool:
    return session.connection().dialect.name == "postgresql"


def _table(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


def insert_rows(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (column name → value, the same names in every row) into ``model``'s
    table."""
    if not rows:
        return
    table = _table(model)
    rows = _searchable(session, model, rows)
    if _is_postgres(session):
        _copy(session, table, rows)
    else:
        session.execute(insert(table), rows)


def insert_rows_returning_ids(
    session: Session, model: type[Base], rows: list[dict[str, Any]]
) -> list[int]:
    """As ``insert_rows``; returns the new rows' ids in the order of ``rows``."""
    if not rows:
        return []
    table = _table(model)
    rows = _searchable(session, model, rows)
    if not _is_postgres(session):
        stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return list(session.scalars(stmt, rows))
    ids = _reserve_ids(session, table, len(rows))
    _copy(session, table, [{"id": new_id, **row} for new_id, row in zip(ids, rows, strict=True)])
    return ids


def _searchable(
    session: Session, model: type[Base], rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Cases loaded in bulk carry their search terms, as on every other write path
    (adapters/db/case_search.py); rows that come with them (computed by the bulk loader's
    workers, :func:`searchable_cases`) keep them."""
    if model is not Case or "search_terms" in rows[0]:
        return rows
    dialect = session.connection().dialect.name
    return [with_terms(dialect, row) for row in rows]


def _reserve_ids(session: Session, table: Table, count: int) -> list[int]:
    """``count`` ids from the table's own sequence, ascending (as a multi-row insert takes them)."""
    stmt = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)")
    return sorted(session.scalars(stmt, {"table": table.name, "n": count}))


def _copy_value(column: Column[Any], value: Any, dialect: Dialect) -> Any:
    """What the column's SQLAlchemy type would bind: COPY bypasses the type machinery."""
    if value is None:
        return None
    if isinstance(column.type, PortableJSON):
        from psycopg.types.json import Jsonb  # PostgreSQL only: psycopg is its driver

        return Jsonb(value)
    if isinstance(column.type, UTCDateTime):
        return column.type.process_bind_param(value, dialect)  # refuses naive, converts to UTC
    return value


def _copy(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    connection = session.connection()
    columns = [table.c[name] for name in rows[0]]
    names = ", ".join(f'"{column.name}"' for column in columns)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(
                [_copy_value(column, row[column.name], connection.dialect) for column in columns]
            )


# --- bulk loading of generated or imported cases (services/actions/bulk_sink.py) -------------

# The tables a bulk load writes whose ids the loader hands out itself (rows name each other by
# them before they are written): their sequences must be moved past them afterwards.
EXPLICIT_IDS = ("problems", "cases", "case_assignments", "case_requests", "supervisions")


def _model_for(name: str) -> type[Base]:
    for mapper in Base.registry.mappers:
        model = mapper.class_
        if getattr(model, "__tablename__", None) == name:
            return cast(type[Base], model)
    raise KeyError(name)


@dataclass(frozen=True)
class CopyText:
    """A table's rows already in PostgreSQL's COPY text format (made where the rows are made,
    so the one writing process only streams bytes)."""

    columns: tuple[str, ...]
    payload: bytes
    count: int


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))


def _copy_field(column: Column[Any], value: Any) -> str:
    """One value as COPY text reads it for ``column`` (what its type would bind)."""
    if value is None:
        return "\\N"
    if isinstance(column.type, PortableJSON):
        return _JSON.encode(value).translate(_ESCAPES)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive datetime refused in {column.table.name}.{column.name}")
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).translate(_ESCAPES)


def copy_text(name: str, rows: list[dict[str, Any]]) -> CopyText:
    """``rows`` of table ``name`` (the same columns in every row) as COPY text."""
    table = _table(_model_for(name))
    columns = [table.c[column] for column in rows[0]]
    lines = [
        "\t".join([_copy_field(column, row[column.name]) for column in columns]) for row in rows
    ]
    payload = ("\n".join(lines) + "\n").encode()
    return CopyText(tuple(c.name for c in columns), payload, len(rows))


def searchable_cases(dialect: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Case rows with their search terms, for a writer that loads them as they are."""
    return [with_terms(dialect, row) for row in rows]


def prepared(
    dialect: str, tables: Mapping[str, list[dict[str, Any]]]
) -> dict[str, list[dict[str, Any]] | CopyText]:
    """Tables of rows made ready for :func:`write_tables` where they are made (a worker
    process): the cases' search terms, and on PostgreSQL every table as COPY text."""
    ready: dict[str, list[dict[str, Any]] | CopyText] = {}
    for name, rows in tables.items():
        if not rows:
            continue
        if name == "cases":
            rows = searchable_cases(dialect, rows)
        ready[name] = copy_text(name, rows) if dialect == "postgresql" else rows
    return ready


def write_tables(
    session: Session, tables: Iterable[tuple[str, list[dict[str, Any]] | CopyText]]
) -> None:
    """Insert each table's rows, in the order given (parents before children), in the session's
    transaction: COPY on PostgreSQL, executemany elsewhere; :class:`CopyText` (PostgreSQL only)
    is streamed as it is."""
    for name, rows in tables:
        if isinstance(rows, CopyText):
            _copy_prepared(session, name, rows)
        elif rows:
            insert_rows(session, _model_for(name), rows)


def _copy_prepared(session: Session, name: str, prepared: CopyText) -> None:
    if not prepared.count:
        return
    names = ", ".join(f'"{column}"' for column in prepared.columns)
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor, cursor.copy(f'COPY "{name}" ({names}) FROM STDIN') as copy:
        copy.write(prepared.payload)


def move_sequences_past_ids(session: Session) -> None:
    """After rows were written with explicit ids: the next id a table hands out lies past them
    (PostgreSQL's sequences; SQLite's rowid tables take max(id) + 1 by themselves)."""
    if not _is_postgres(session):
        return
    for name in EXPLICIT_IDS:
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), max(id)) "
                f"FROM {name} HAVING max(id) IS NOT NULL"
            )
        )


def raise_case_counters(session: Session, last_seqs: Mapping[date, int]) -> None:
    """The daily case-number counters at least at the numbers a load used, so the next case
    created that day gets the next number."""
    if not last_seqs:
        return
    dialect = session.connection().dialect.name
    greatest = "GREATEST" if dialect == "postgresql" else "max"
    stmt = text(
        "INSERT INTO case_number_counters (day_on, last_seq) VALUES (:day_on, :last_seq) "
        "ON CONFLICT (day_on) DO UPDATE SET last_seq = "
        f"{greatest}(case_number_counters.last_seq, excluded.last_seq)"
    ).bindparams(bindparam("day_on", type_=Date))
    session.execute(stmt, [{"day_on": d, "last_seq": n} for d, n in sorted(last_seqs.items())])


def next_ids(session: Session) -> dict[str, int]:
    """The first free id of each table a bulk load names ids in."""
    return {
        name: int(
            session.execute(text(f"SELECT coalesce(max(id), 0) + 1 FROM {name}")).scalar_one()
        )
        for name in EXPLICIT_IDS
    }
