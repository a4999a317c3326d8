"""Writing generated rows: COPY on PostgreSQL (psycopg 3), executemany on SQLite.

Both write one chunk per transaction, parents before children, and finish by recording the daily
case-number counters, moving the id sequences past the generated ids and refreshing planner
statistics. ``columns_kept`` maps the generator's column lists onto the migrated tables, so a
column added by a later migration is left to its default instead of breaking the load.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, inspect
from sqlalchemy.engine import make_url

from bench.synth.rows import COLUMNS

ORDER = (
    "cases",
    "case_assignments",
    "case_requests",
    "case_callbacks",
    "supervisions",
    "case_events",
)
EXPLICIT_IDS = ("cases", "case_assignments", "supervisions")


def columns_kept(engine: Engine) -> tuple[dict[str, tuple[int, ...] | None], list[str]]:
    """Per table, the positions of generated columns the table has (None: all of them), and
    warnings about required columns the generator does not fill."""
    inspector = inspect(engine)
    kept: dict[str, tuple[int, ...] | None] = {}
    warnings: list[str] = []
    for table, names in COLUMNS.items():
        present = {column["name"]: column for column in inspector.get_columns(table)}
        positions = tuple(i for i, name in enumerate(names) if name in present)
        kept[table] = None if len(positions) == len(names) else positions
        for name, column in present.items():
            required = not column["nullable"] and column.get("default") is None
            if name not in names and name != "id" and required:
                warnings.append(f"{table}.{name} is required but not generated")
    return kept, warnings


def kept_names(table: str, kept: tuple[int, ...] | None) -> list[str]:
    names = COLUMNS[table]
    return list(names) if kept is None else [names[i] for i in kept]


def free_bytes(engine: Engine) -> tuple[int | None, str]:
    """Free space where the data will live, and where that is (None: could not tell)."""
    url = make_url(str(engine.url.render_as_string(hide_password=False)))
    if url.get_backend_name() == "sqlite":
        parent = Path(url.database or ".").resolve().parent
        return _statvfs(parent), str(parent)
    host = url.host or "localhost"
    if host not in ("localhost", "127.0.0.1", "::1") and not host.startswith("/"):
        return None, f"{host} (remote)"
    try:
        with engine.connect() as conn:
            folder = str(conn.exec_driver_sql("SHOW data_directory").scalar())
    except Exception:
        return None, "data_directory not readable"
    return (_statvfs(Path(folder)), folder) if os.path.isdir(folder) else (None, folder)


def _statvfs(folder: Path) -> int | None:
    try:
        stats = os.statvfs(folder)
    except OSError:
        return None
    return stats.f_bavail * stats.f_frsize


class PostgresSink:
    def __init__(self, url: str, kept: dict[str, tuple[int, ...] | None]) -> None:
        import psycopg

        plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self.conn = psycopg.connect(plain)
        self.backend_pid = self.conn.info.backend_pid
        self.kept = kept
        with self.conn.cursor() as cur:
            cur.execute("SET TimeZone = 'UTC'")
            cur.execute("SET synchronous_commit = off")
        self.conn.commit()
        self.statements = {
            table: f"COPY {table} ({', '.join(kept_names(table, kept[table]))}) FROM STDIN"
            for table in ORDER
        }

    def write(self, data: dict[str, Any]) -> None:
        with self.conn.transaction(), self.conn.cursor() as cur:
            for table in ORDER:
                if data[table]:
                    with cur.copy(self.statements[table]) as copy:
                        copy.write(data[table])

    def finish(self, counters: Iterable[tuple[date, int]]) -> None:
        with self.conn.transaction(), self.conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO case_number_counters (day_on, last_seq) VALUES (%s, %s) "
                "ON CONFLICT (day_on) DO UPDATE SET last_seq = "
                "GREATEST(case_number_counters.last_seq, EXCLUDED.last_seq)",
                list(counters),
            )
            for table in EXPLICIT_IDS:
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) "
                    f"FROM {table} HAVING max(id) IS NOT NULL"
                )
        self.conn.autocommit = True
        with self.conn.cursor() as cur:
            for table in (*ORDER, "case_number_counters"):
                cur.execute(f"ANALYZE {table}")
        self.conn.autocommit = False

    def size(self) -> tuple[int, dict[str, int]]:
        with self.conn.cursor() as cur:
            cur.execute("SELECT pg_database_size(current_database())")
            total = int(cur.fetchone()[0])  # type: ignore[index]
            tables = {}
            for table in (*ORDER, "case_number_counters"):
                cur.execute("SELECT pg_total_relation_size(%s)", (table,))
                tables[table] = int(cur.fetchone()[0])  # type: ignore[index]
        return total, tables

    def close(self) -> None:
        self.conn.close()


class SqliteSink:
    backend_pid: int | None = None

    def __init__(self, url: str, kept: dict[str, tuple[int, ...] | None]) -> None:
        self.path = make_url(url).database or ""
        self.conn = sqlite3.connect(self.path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.execute("PRAGMA synchronous=OFF")
        self.statements = {}
        for table in ORDER:
            names = kept_names(table, kept[table])
            marks = ", ".join("?" * len(names))
            self.statements[table] = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})"

    def write(self, data: dict[str, Any]) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            for table in ORDER:
                if data[table]:
                    self.conn.executemany(self.statements[table], data[table])
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def finish(self, counters: Iterable[tuple[date, int]]) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.executemany(
            "INSERT INTO case_number_counters (day_on, last_seq) VALUES (?, ?) "
            "ON CONFLICT (day_on) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq)",
            [(day.isoformat(), seq) for day, seq in counters],
        )
        self.conn.execute("COMMIT")
        self.conn.execute("ANALYZE")
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def size(self) -> tuple[int, dict[str, int]]:
        files = [Path(self.path + suffix) for suffix in ("", "-wal", "-shm")]
        return sum(f.stat().st_size for f in files if f.exists()), {}

    def close(self) -> None:
        self.conn.close()
