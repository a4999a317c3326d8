"""Seeded synthetic cases for the benchmarks: a city hotline's ledger, bulk-loaded.

    .venv/bin/python bench/generate.py --database-url URL --cases N [--months 24] [--seed 42]
        [--end 2026-11-30] [--open-fraction 0.03] [--json]

N cases over the given months, numbered per local day (``YYYYMMDD-NNNNNN``, counters left so the
next case created gets the next number), each lived through the application's own action handlers
and written by its bulk sink (``hotline.demo.engine``; docs/decisions/0031-two-write-sinks.md):
its hash-chained history (about 9 events), assignments, requests, callbacks, supervisions and
problem-ledger entries exactly as the services would have written them,
complaint texts of 100–500 characters, and callers, channels, categories, places and units from
the seeded reference data. Most cases are closed; ``--open-fraction`` of them are open (dispatched,
accepted, returned, verifying, awaiting callback) with deadlines and warning lines as
``services.deadlines`` sets them. ``--pending-warnings`` / ``--pending-breaches`` leave that many
lines crossed but not yet raised at ``now``, as if the deadline sweep had stopped
``--backlog-minutes`` before (the sweep benchmark's setup); without them the sweep is up to date.

The database is migrated and seeded first if needed; free disk space is checked before anything is
written. Rows go in with COPY on PostgreSQL and executemany on SQLite, one transaction per chunk,
built by one worker process per core (``--workers``). Progress goes to stderr; stdout gets rows
per table, size, seconds and cases per second (``--json``: one JSON document).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rich.progress import (  # noqa: E402
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from sqlalchemy import func, inspect, select, text  # noqa: E402

from bench.common import (  # noqa: E402
    Timer,
    ensure_postgres_database,
    human_bytes,
    print_json,
    redact,
    stderr,
)
from hotline.adapters.db.database import Database  # noqa: E402
from hotline.adapters.db.migrate import upgrade  # noqa: E402
from hotline.adapters.db.models import Case, Channel  # noqa: E402
from hotline.bootstrap import build_hotline  # noqa: E402
from hotline.config import Settings  # noqa: E402
from hotline.demo.engine import run  # noqa: E402
from hotline.demo.engine.sink import free_bytes  # noqa: E402
from hotline.domain.errors import InvalidInput  # noqa: E402
from hotline.services.reference.seeding import seed_reference_data  # noqa: E402

# Bytes on disk per generated case, tables and indexes together (measured: 8.3–8.8 KB on
# PostgreSQL, 7.9 KB on SQLite), with room for the WAL and the indexes' growth.
BYTES_PER_CASE = {"postgresql": 9_000, "sqlite": 8_000}
HEADROOM = 1.1
FIXED_BYTES = 2 << 30
KEEP_ON_RESET = frozenset(
    {
        "channels",
        "regions",
        "units",
        "categories",
        "users",
        "api_tokens",
        "calendar_overrides",
        "calendar_years",
        "alembic_version",
    }
)


class GenerateError(Exception):
    """Bad input or a database that cannot take the data; the message is for people."""


@dataclass
class Options(run.Options):
    """The engine's options (``hotline.demo.engine.run.Options``) and this command's own."""

    reset: bool = False
    progress: bool = True

    def check(self) -> None:
        try:
            super().check()
        except InvalidInput as exc:
            raise GenerateError(str(exc)) from exc
        pending = self.pending_warnings + self.pending_breaches
        if self.cases is not None and pending > round(self.cases * self.open_fraction):
            raise GenerateError("待触发的预警和超期数不能多于未结工单数（--open-fraction）")


def prepare(db: Database, settings: Settings, options: Options) -> int:
    """Migrate and seed where the reference tables are empty; the cases already there (refused
    unless ``--reset``). A PostgreSQL database the server lacks is created first."""
    if db.dialect == "postgresql":
        ensure_postgres_database(db.url)
    upgrade(db.url)
    with db.transaction() as session:
        seeded = session.scalar(select(func.count()).select_from(Channel))
    if not seeded:
        report = seed_reference_data(build_hotline(settings))
        for warning in getattr(report, "warnings", []):
            stderr.print(f"[yellow]seed: {warning}")
    with db.transaction() as session:
        existing = session.scalar(select(func.count()).select_from(Case)) or 0
    if existing and not options.reset:
        raise GenerateError(
            f"数据库中已有 {existing} 件工单；请使用新的数据库，或加 --reset 清空工单数据"
        )
    if existing and db.dialect != "postgresql":
        raise GenerateError("--reset 仅支持 PostgreSQL；SQLite 请删除数据库文件后重试")
    return existing


def reset(db: Database) -> None:
    """Empty every table but the reference data, users and calendar (``--reset``)."""
    tables = [t for t in inspect(db.engine).get_table_names() if t not in KEEP_ON_RESET]
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


def check_disk(db: Database, options: Options) -> dict[str, Any]:
    cases = options.cases or 0
    needed = int(cases * BYTES_PER_CASE[db.dialect] * HEADROOM) + FIXED_BYTES
    free, where = free_bytes(db.engine)
    if free is not None and free < needed:
        raise GenerateError(
            f"磁盘空间不足：{cases} 件工单约需 {human_bytes(needed)}，"
            f"{where} 仅剩 {human_bytes(free)}（按每件 {BYTES_PER_CASE[db.dialect]} 字节估算）"
        )
    if free is None:
        stderr.print(f"[yellow]无法检查 {where} 的剩余空间，继续")
    return {"needed_bytes": needed, "free_bytes": free, "where": where}


def _progress(enabled: bool) -> Progress:
    return Progress(
        TextColumn("[bold]生成工单"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=stderr,
        disable=not enabled,
    )


def generate(options: Options) -> dict[str, Any]:
    """Generate and load; returns the report (what ``--json`` prints)."""
    options.check()
    timer = Timer()
    settings = Settings(database_url=options.database_url)
    db = Database(options.database_url)
    try:
        with timer.phase("setup"):
            existing = prepare(db, settings, options)
            disk = check_disk(db, options)
            if existing:
                reset(db)
        began = time.perf_counter()
        with timer.phase("load"), _progress(options.progress) as progress:
            task = progress.add_task("cases", total=options.cases, rate="")

            def advance(done: int, total: int) -> None:
                rate = done / max(time.perf_counter() - began, 1e-9)
                progress.update(task, completed=done, total=total, rate=f"{rate:,.0f} 件/秒")

            report = run.load(db, settings, options, advance)
    finally:
        db.dispose()
    report.update(url=redact(db.url), disk=disk, phases=timer.phases, size=human_bytes(
        report["size_bytes"]))  # fmt: skip
    if report["designated_missed"]:
        stderr.print(
            f"[yellow]{report['designated_missed']} 件指定的待触发工单未能安排，已改为普通未结工单"
        )
    return report


def parse_args(argv: Sequence[str] | None) -> tuple[Options, bool]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("HOTLINE_DATABASE_URL"))
    parser.add_argument("--cases", type=int, required=True)
    parser.add_argument("--start", type=date.fromisoformat, default=None)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--end", type=date.fromisoformat, default=date(2026, 11, 30))
    parser.add_argument(
        "--now",
        type=datetime.fromisoformat,
        default=None,
        help="the fixed now (default: END at 16:00 local time)",
    )
    parser.add_argument("--open-fraction", type=float, default=0.03)
    parser.add_argument("--pending-warnings", type=int, default=0)
    parser.add_argument("--pending-breaches", type=int, default=0)
    parser.add_argument("--accept-share", type=float, default=0.2)
    parser.add_argument("--backlog-minutes", type=int, default=None)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--chunk", type=int, default=2000)
    parser.add_argument("--reset", action="store_true", help="empty the case tables first (PG)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("--database-url (or HOTLINE_DATABASE_URL) is required")
    options = Options(
        database_url=args.database_url,
        cases=args.cases,
        months=args.months,
        seed=args.seed,
        end=args.end,
        start=args.start,
        now=args.now,
        open_fraction=args.open_fraction,
        pending_warnings=args.pending_warnings,
        pending_breaches=args.pending_breaches,
        accept_share=args.accept_share,
        backlog_minutes=args.backlog_minutes,
        workers=args.workers,
        chunk=args.chunk,
        reset=args.reset,
        progress=not args.no_progress,
    )
    return options, args.json


def _print_human(report: dict[str, Any]) -> None:
    print(
        f"{report['cases']} cases in {report['load_seconds']} s of load "
        f"({report['cases_per_second']} cases/s, {report['rows_per_second']} rows/s)"
    )
    for table, count in report["rows"].items():
        print(f"  {table:<22} {count:>12,}")
    print(f"size on disk: {report['size']} ({report['bytes_per_case']} bytes per case)")
    print(f"statuses: {report['statuses']}")
    if any(report["pending_at_now"].values()):
        print(f"pending at {report['now']}: {report['pending_at_now']}")


def main(argv: Sequence[str] | None = None) -> int:
    options, as_json = parse_args(argv)
    try:
        report = generate(options)
    except GenerateError as exc:
        stderr.print(f"[red]{exc}", soft_wrap=True)
        return 2
    if as_json:
        print_json(
            {
                **report,
                "options": {k: str(v) for k, v in asdict(options).items() if k != "database_url"},
            }
        )
    else:
        _print_human(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
