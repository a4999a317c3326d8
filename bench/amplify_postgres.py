"""Scale a generated PostgreSQL benchmark database up K-fold inside PostgreSQL: 10,000,000 cases
in well under an hour, where generating them would take hours and more disk than the machine has.

    .venv/bin/python bench/amplify_postgres.py --source hotline_base100k \\
        --target hotline_bench10m --factor 100 [--server URL] [--replace] [--json]

The source is a database written by ``bench/generate.py`` whose history has been replayed into
indicator facts (``rebuild_indicator_facts``; the facts must be current: the watermark at the
newest event). The target starts as ``CREATE DATABASE … TEMPLATE source`` and then receives
K − 1 copies of every source case with everything hanging from it: history, assignments,
requests, callbacks, supervisions, indicator facts and per-case fact state. Copy k shifts every
id by k × (the table's largest id, rounded up to a multiple of 10, so the indicator benchmark's
"every tenth case with the next" pairs stay inside one copy) and every reference to a copied row
by the same amount; case numbers keep their day and get k × ``stride`` added to the day's
sequence (the stride is above any day's count), and each day's number counter moves to the
day's largest number, so a case created afterwards gets the next one.

What a copy is, and is not. A copy of a case is that case again at the same instants, in the
same place and category, handled by the same units: the city at K times the volume, every day
with K times the cases. Indicator facts are copied rather than replayed, which is exact: a fact
depends on its case's events and place, never on the case's id or number. Then the rollup is
rebuilt from all facts in SQL (the application's ``rebuild_rollup``) and the watermark moved to
the newest event. To fit the disk (about 6 KB per case instead of 8.5), the copies' history rows
carry no ``details`` (``{}``) and no hashes (``''``): nothing the indicators, notices, reports
or the raw GROUP BY baseline read; the copied chains therefore do not verify (the source's
cases still do). Distinct values per day (street × category, unit) do not grow with K as they
would in a real city ten times the size; reports grouped by district (the benchmarks') read the
same number of rollup rows either way.

Loading: foreign keys and triggers off (``session_replication_role = replica``, the source is
consistent), secondary indexes and unique constraints dropped and rebuilt after the copies
(faster than maintaining them row by row), one transaction per copy, then ``VACUUM ANALYZE``
(statistics and the visibility map for index-only scans). Progress on stderr; stdout gets rows
per table, size and seconds per step (``--json``: one JSON document). Refuses a target that
exists unless ``--replace``, and a source with rows the copy does not know how to shift
(problems, attachments, classifications, …).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rich.progress import (  # noqa: E402  # noqa: E402
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from sqlalchemy import Connection, create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.common import human_bytes, print_json, redact, stderr  # noqa: E402
from hotline.adapters.db.database import Database  # noqa: E402
from hotline.adapters.db.indicator_store import rebuild_rollup  # noqa: E402
from hotline.adapters.db.intake_cells import rebuild_intake_cells  # noqa: E402
from hotline.demo.engine.sink import free_bytes  # noqa: E402

DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
CASE_NUMBER = "left(number, 9) || lpad((right(number, 6)::int + {k} * {stride})::text, 6, '0')"

# table -> (its id column, {column: SQL expression of copy k}); "{k}" is the copy's index,
# "{off[table]}" that table's id offset. Columns not named are copied as they are.
SHIFTS: dict[str, tuple[str, dict[str, str]]] = {
    "cases": (
        "id",
        {
            "id": "id + {k} * {off[cases]}",
            "number": CASE_NUMBER,
            "content": "left(content, 80)",
            # The copy's search terms are its source's with the copy's case number (the first
            # two positions, where adapters/db/case_search.py puts the number's tokens); they
            # were made from the source's full text, not the copy's 80 characters. (``\\:``
            # keeps SQLAlchemy from reading ``:1`` as a parameter.)
            "search_terms": "format('''%s''\\:1 ''%s''\\:2', left(number, 8), "
            "lpad((right(number, 6)::int + {k} * {stride})::text, 6, '0'))::tsvector "
            "|| ts_delete(ts_delete(search_terms, left(number, 8)), right(number, 6))",
        },
    ),
    "case_events": (
        "id",
        {
            "id": "id + {k} * {off[case_events]}",
            "case_id": "case_id + {k} * {off[cases]}",
            "details": "CASE WHEN action = 'enrich' THEN details - 'suggestions' ELSE details END",
            "prev_hash": "''",
            "hash": "''",
        },
    ),
    "case_assignments": (
        "id",
        {
            "id": "id + {k} * {off[case_assignments]}",
            "case_id": "case_id + {k} * {off[cases]}",
            "parent_id": "parent_id + {k} * {off[case_assignments]}",
        },
    ),
    "case_requests": (
        "id",
        {
            "id": "id + {k} * {off[case_requests]}",
            "case_id": "case_id + {k} * {off[cases]}",
            "assignment_id": "assignment_id + {k} * {off[case_assignments]}",
        },
    ),
    "case_callbacks": (
        "id",
        {"id": "id + {k} * {off[case_callbacks]}", "case_id": "case_id + {k} * {off[cases]}"},
    ),
    "supervisions": (
        "id",
        {"id": "id + {k} * {off[supervisions]}", "case_id": "case_id + {k} * {off[cases]}"},
    ),
    "indicator_facts": (
        "id",
        {"id": "id + {k} * {off[indicator_facts]}", "case_id": "case_id + {k} * {off[cases]}"},
    ),
    "indicator_case_state": ("case_id", {"case_id": "case_id + {k} * {off[cases]}"}),
}
# Tables whose rows point at cases or problems in ways the copy does not shift: must be empty.
MUST_BE_EMPTY = (
    "problems",
    "problem_links",
    "attachments",
    "case_classifications",
    "evaluation_adjustments",
    "idempotency_keys",
    "indicator_settlements",
    "outbox",
)
NUMBER_WIDTH = 1_000_000  # six digits of sequence per day


def _scalar(conn: Connection, sql: str, **params: Any) -> Any:
    return conn.execute(text(sql), params).scalar()


def check_source(conn: Connection) -> dict[str, int]:
    """The source's row counts; refuses what the copy would get wrong."""
    for table in MUST_BE_EMPTY:
        exists = _scalar(conn, "SELECT to_regclass(:t) IS NOT NULL", t=table)
        if exists and _scalar(conn, f"SELECT count(*) FROM {table}"):
            raise SystemExit(f"source table {table} holds rows; amplify only generated data")
    if _scalar(conn, "SELECT count(*) FROM cases WHERE problem_id IS NOT NULL"):
        raise SystemExit("source cases are linked to problems; amplify only generated data")
    unindexed = _scalar(conn, "SELECT count(*) FROM cases WHERE search_terms IS NULL")
    if unindexed:
        raise SystemExit(
            f"{unindexed} source cases have no search terms: run `hotline search rebuild` "
            "on the source first"
        )
    newest = _scalar(conn, "SELECT coalesce(max(id), 0) FROM case_events")
    mark = _scalar(conn, "SELECT last_event_id FROM indicator_watermark")
    if not newest or mark != newest:
        raise SystemExit(
            f"source indicator facts are not current (watermark {mark}, newest event {newest}): "
            "run rebuild_indicator_facts on the source first"
        )
    return {t: _scalar(conn, f"SELECT count(*) FROM {t}") for t in SHIFTS}


def offsets(conn: Connection) -> dict[str, int]:
    """Each table's id offset per copy: its largest id, rounded up to a multiple of 10."""
    result = {}
    for table, (key, _) in SHIFTS.items():
        if key != "id":
            continue
        top = _scalar(conn, f"SELECT coalesce(max(id), 0) FROM {table}")
        result[table] = -(-top // 10) * 10 or 10
    return result


def column_list(conn: Connection, table: str) -> list[str]:
    rows = conn.execute(
        text(
            "SELECT column_name FROM information_schema.columns WHERE table_name = :t "
            "AND table_schema = current_schema() ORDER BY ordinal_position"
        ),
        {"t": table},
    )
    return [row[0] for row in rows]


def copy_statement(conn: Connection, table: str, off: dict[str, int], stride: int) -> str:
    """INSERT … SELECT of one copy (``:k``) of the source rows (ids up to the source's largest)."""
    key, shifts = SHIFTS[table]
    columns = column_list(conn, table)
    unknown = set(shifts) - set(columns)
    if unknown:
        raise SystemExit(f"{table} has no column(s) {sorted(unknown)}: update SHIFTS")
    exprs = [shifts.get(c, f'"{c}"').replace("{k}", ":k") for c in columns]
    select_list = ", ".join(e.format(off=off, stride=stride) for e in exprs)
    column_names = ", ".join(f'"{c}"' for c in columns)
    return (
        f"INSERT INTO {table} ({column_names}) SELECT {select_list} FROM {table} "
        f"WHERE {key} <= :top ORDER BY {key}"
    )


def secondary_indexes(conn: Connection, tables: Sequence[str]) -> list[tuple[str, str, str]]:
    """(table, drop statement, create statement) for every index but the primary keys; unique
    constraints as constraints."""
    rows = conn.execute(
        text(
            """
            SELECT i.tablename, i.indexname, i.indexdef, c.conname, c.contype,
                   pg_get_constraintdef(c.oid)
            FROM pg_indexes i
            LEFT JOIN pg_constraint c ON c.conname = i.indexname
            WHERE i.schemaname = current_schema() AND i.tablename = ANY(:tables)
            """
        ),
        {"tables": list(tables)},
    )
    found = []
    for table, index, definition, constraint, kind, constraint_def in rows:
        if kind == "p":
            continue
        if constraint:
            drop = f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"'
            create = f'ALTER TABLE {table} ADD CONSTRAINT "{constraint}" {constraint_def}'
        else:
            drop, create = f'DROP INDEX "{index}"', definition
        found.append((table, drop, create))
    return found


def make_target(server: str, source: str, target: str, replace: bool) -> None:
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if _scalar(conn, "SELECT 1 FROM pg_database WHERE datname = :d", d=target):
            if not replace:
                raise SystemExit(f"database {target} exists: use --replace")
            conn.execute(text(f'DROP DATABASE "{target}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{target}" TEMPLATE "{source}"'))
    admin.dispose()


def needed_bytes(conn: Connection, factor: int) -> int:
    """About what the copies add: the source's case tables (history without details and
    hashes) times K − 1."""
    per_copy = 0
    for table in SHIFTS:
        per_copy += _scalar(conn, f"SELECT pg_total_relation_size('{table}')")
    trimmed = _scalar(
        conn,
        "SELECT coalesce(sum(pg_column_size(details) + pg_column_size(prev_hash) "
        "+ pg_column_size(hash)), 0) FROM case_events",
    )
    return int((per_copy - trimmed) * (factor - 1) * 1.1)


def amplify(args: argparse.Namespace) -> dict[str, Any]:
    server = make_url(args.server)
    source_url = server.set(database=args.source).render_as_string(hide_password=False)
    target_url = server.set(database=args.target).render_as_string(hide_password=False)
    steps: dict[str, float] = {}
    source = create_engine(source_url)
    with source.connect() as conn:
        base_rows = check_source(conn)
        need = needed_bytes(conn, args.factor)
    free, where = free_bytes(source)
    source.dispose()
    stderr.print(
        f"copies need about {human_bytes(need)}; free at {where}: {human_bytes(free or 0)}"
    )
    if free is not None and free < need + (2 << 30):
        raise SystemExit(
            f"not enough disk: need about {human_bytes(need)}, {human_bytes(free)} free"
        )
    began = time.perf_counter()
    make_target(args.server, args.source, args.target, args.replace)
    steps["template_copy_s"] = time.perf_counter() - began
    engine = create_engine(target_url)
    with engine.connect() as conn:
        steps.update(_load_copies(conn, args.factor))
    engine.dispose()
    steps.update(_finish(target_url))
    return _summary(target_url, args, base_rows, steps)


def _load_copies(conn: Connection, factor: int) -> dict[str, float]:
    conn.execute(text("SET session_replication_role = replica"))
    conn.execute(text("SET maintenance_work_mem = '1GB'"))
    off = offsets(conn)
    tops = {
        t: _scalar(conn, f"SELECT coalesce(max({key}), 0) FROM {t}")
        for t, (key, _) in SHIFTS.items()
    }
    largest_day = _scalar(conn, "SELECT coalesce(max(last_seq), 0) FROM case_number_counters")
    stride = 10 ** len(str(largest_day))
    if factor * stride > NUMBER_WIDTH:
        raise SystemExit(
            f"{factor} copies of days of up to {largest_day} cases overflow six digits"
        )
    statements = {t: copy_statement(conn, t, off, stride) for t in SHIFTS}
    indexes = secondary_indexes(conn, list(SHIFTS))
    timings: dict[str, float] = {}
    began = time.perf_counter()
    for _table, drop, _create in indexes:
        conn.execute(text(drop))
    conn.commit()
    timings["drop_indexes_s"] = time.perf_counter() - began
    began = time.perf_counter()
    with _progress() as progress:
        task = progress.add_task("复制", total=factor - 1)
        for k in range(1, factor):
            for table, sql in statements.items():
                conn.execute(text(sql), {"k": k, "top": tops[table]})
            conn.commit()
            progress.advance(task)
    timings["copies_s"] = time.perf_counter() - began
    conn.execute(
        text("UPDATE case_number_counters SET last_seq = last_seq + :extra"),
        {"extra": (factor - 1) * stride},
    )
    began = time.perf_counter()
    for _table, _drop, create in indexes:
        stderr.print(f"index: {create[:110]}")
        conn.execute(text(create))
        conn.commit()
    timings["rebuild_indexes_s"] = time.perf_counter() - began
    for table, (key, _) in SHIFTS.items():
        if key == "id":
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            )
    conn.commit()
    return timings


def _finish(target_url: str) -> dict[str, float]:
    """The rollup from all facts and the intake cells from all cases (the application's own
    SQL: the copies were loaded with triggers off), the watermark at the newest event, then
    VACUUM ANALYZE."""
    timings: dict[str, float] = {}
    began = time.perf_counter()
    db = Database(target_url)
    with db.transaction() as session:
        rebuild_rollup(session)
        rebuild_intake_cells(session)
        session.execute(
            text("UPDATE indicator_watermark SET last_event_id = (SELECT max(id) FROM case_events)")
        )
    db.dispose()
    timings["rollup_s"] = time.perf_counter() - began
    began = time.perf_counter()
    engine = create_engine(target_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        stderr.print("VACUUM ANALYZE …")
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    timings["vacuum_analyze_s"] = time.perf_counter() - began
    return timings


def _summary(
    target_url: str, args: argparse.Namespace, base_rows: dict[str, int], steps: dict[str, float]
) -> dict[str, Any]:
    engine = create_engine(target_url)
    with engine.connect() as conn:
        rows = {t: _scalar(conn, f"SELECT count(*) FROM {t}") for t in SHIFTS}
        rows["indicator_rollup"] = _scalar(conn, "SELECT count(*) FROM indicator_rollup")
        size = _scalar(conn, "SELECT pg_database_size(current_database())")
    engine.dispose()
    return {
        "source": args.source,
        "target": redact(target_url),
        "factor": args.factor,
        "source_rows": base_rows,
        "rows": rows,
        "size_bytes": size,
        "size": human_bytes(size),
        "seconds": {k: round(v, 1) for k, v in steps.items()},
        "total_s": round(sum(steps.values()), 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=stderr,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default=DEFAULT_SERVER, help="any database on the server")
    parser.add_argument("--source", required=True, help="generated database, facts replayed")
    parser.add_argument("--target", required=True)
    parser.add_argument("--factor", type=int, default=10, help="K: the target has K × the cases")
    parser.add_argument("--replace", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.factor < 2:
        parser.error("--factor must be at least 2")
    result = amplify(args)
    if args.json:
        print_json(result)
    else:
        stderr.print(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
