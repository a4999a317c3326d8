"""Around the load: free disk space before it, the database's size after it. The rows are written
by the application's bulk writer (``hotline.adapters.db.bulk.write_tables``: COPY on PostgreSQL,
executemany on SQLite), one chunk per transaction, parents before children."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

# The tables a load fills, analysed afterwards for the planner.
ANALYSED = ", ".join(
    (
        "problems", "cases", "case_assignments", "case_requests", "case_callbacks",
        "supervisions", "case_events", "problem_links", "case_classifications", "outbox",
        "case_number_counters",
    )
)  # fmt: skip


def database_size(engine: Engine) -> tuple[int, dict[str, int]]:
    """Bytes on disk in all, and per table (PostgreSQL)."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        path = url.database or ""
        files = [Path(path + suffix) for suffix in ("", "-wal", "-shm")]
        return sum(f.stat().st_size for f in files if f.exists()), {}
    with engine.connect() as conn:
        total = int(
            conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar_one()
        )
        tables = {
            name.strip(): int(
                conn.exec_driver_sql(
                    f"SELECT pg_total_relation_size('{name.strip()}')"
                ).scalar_one()
            )
            for name in ANALYSED.split(",")
        }
    return total, tables


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
