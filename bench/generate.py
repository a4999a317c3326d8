"""Seeded synthetic cases for the benchmarks: a city hotline's ledger, bulk-loaded.

    .venv/bin/python bench/generate.py --database-url URL --cases N [--months 24] [--seed 42]
        [--end 2026-11-30] [--open-fraction 0.03] [--json]

N cases over the given months, numbered per local day (``YYYYMMDD-NNNNNN``, counters left so the
next case created gets the next number), each with its hash-chained history (about 8 events),
assignments, requests, callbacks and supervision records as the services would have written them,
complaint texts of 100–500 characters, and callers, channels, categories, places and units from
the seeded reference data. Most cases are closed; ``--open-fraction`` of them are open (dispatched,
accepted, returned, verifying, awaiting callback) with deadlines and warning lines as
``services.deadlines`` sets them. ``--pending-warnings`` / ``--pending-breaches`` leave that many
lines crossed but not yet raised at ``now``, as if the deadline sweep had stopped
``--backlog-minutes`` before (the sweep benchmark's setup); without them the sweep is up to date.

The database is migrated and seeded first if needed; free disk space is checked before anything is
written. Rows go in with COPY on PostgreSQL and executemany on SQLite, one transaction per chunk,
built by one worker process per core. Progress goes to stderr; stdout gets rows per table, size,
seconds and cases per second (``--json``: one JSON document).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
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
from sqlalchemy import func, inspect, select, text  # noqa: E402

from bench.common import (  # noqa: E402
    Timer,
    cpu_seconds,
    ensure_postgres_database,
    human_bytes,
    print_json,
    process_cpu_seconds,
    redact,
    stderr,
)
from bench.synth import build  # noqa: E402
from bench.synth import timeline as tl  # noqa: E402
from bench.synth.clock import FastClock  # noqa: E402
from bench.synth.reference import load_reference  # noqa: E402
from bench.synth.sink import PostgresSink, SqliteSink, columns_kept, free_bytes  # noqa: E402
from hotline.adapters.db.database import Database  # noqa: E402
from hotline.adapters.db.migrate import upgrade  # noqa: E402
from hotline.adapters.db.models import Case, Channel  # noqa: E402
from hotline.bootstrap import build_calendar, build_hotline  # noqa: E402
from hotline.config import Settings  # noqa: E402
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
class Options:
    database_url: str
    cases: int
    months: int = 24
    seed: int = 42
    end: date = date(2026, 11, 30)
    now: datetime | None = None  # default: the end date at 16:00 local time
    open_fraction: float = 0.03
    pending_warnings: int = 0
    pending_breaches: int = 0
    accept_share: float = 0.2  # of the pending lines, the share on the accept stage
    backlog_minutes: int | None = None  # default: 15 with pending lines, else 0
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    chunk: int = 2000
    reset: bool = False
    progress: bool = True

    def check(self) -> None:
        if self.cases < 1:
            raise GenerateError("--cases 须为正整数")
        if not 0 <= self.open_fraction <= 1:
            raise GenerateError("--open-fraction 须在 0 与 1 之间")
        if not 1 <= self.months <= 240:
            raise GenerateError("--months 须在 1 与 240 之间")
        pending = self.pending_warnings + self.pending_breaches
        if pending > round(self.cases * self.open_fraction):
            raise GenerateError("待触发的预警和超期数不能多于未结工单数（--open-fraction）")


def _roles(options: Options) -> dict[int, int]:
    accept_w = round(options.pending_warnings * options.accept_share)
    accept_b = round(options.pending_breaches * options.accept_share)
    return {
        tl.ACCEPT_WARNING: accept_w,
        tl.REPLY_WARNING: options.pending_warnings - accept_w,
        tl.ACCEPT_BREACH: accept_b,
        tl.REPLY_BREACH: options.pending_breaches - accept_b,
    }


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
    needed = int(options.cases * BYTES_PER_CASE[db.dialect] * HEADROOM) + FIXED_BYTES
    free, where = free_bytes(db.engine)
    if free is not None and free < needed:
        raise GenerateError(
            f"磁盘空间不足：{options.cases} 件工单约需 {human_bytes(needed)}，"
            f"{where} 仅剩 {human_bytes(free)}（按每件 {BYTES_PER_CASE[db.dialect]} 字节估算）"
        )
    if free is None:
        stderr.print(f"[yellow]无法检查 {where} 的剩余空间，继续")
    return {"needed_bytes": needed, "free_bytes": free, "where": where}


def _next_ids(db: Database) -> tuple[int, int, int]:
    with db.engine.connect() as conn:
        first = [
            int(conn.execute(text(f"SELECT coalesce(max(id), 0) + 1 FROM {t}")).scalar_one())
            for t in ("cases", "case_assignments", "supervisions")
        ]
    return first[0], first[1], first[2]


def _results(
    params: build.Params, specs: Iterator[tl.ChunkSpec], workers: int
) -> Iterator[build.ChunkResult]:
    """Chunks in order; several worker processes, at most two chunks ahead of the writer each."""
    if workers <= 1:
        build.init_worker(params)
        yield from (build.build_chunk(spec) for spec in specs)
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, build.init_worker, (params,)) as pool:
        queue: deque[Any] = deque()
        for spec in specs:
            queue.append(pool.apply_async(build.build_chunk, (spec,)))
            if len(queue) >= 2 * workers:
                yield queue.popleft().get()
        while queue:
            yield queue.popleft().get()


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
            kept, warnings = columns_kept(db.engine)
            for warning in warnings:
                stderr.print(f"[yellow]{warning}")
            with db.transaction() as session:
                reference = load_reference(session, settings.profile)
            first_ids = _next_ids(db)
        with timer.phase("plan"):
            plan, params, timeline = _plan(db, settings, options, reference, kept)
        report = _load(db, options, plan, params, timeline, first_ids, timer)
    finally:
        db.dispose()
    report.update(disk=disk, phases=timer.phases, seconds=timer.total)
    report["cases_per_second"] = round(options.cases / max(timer.phases.get("load", 1e-9), 1e-9))
    rows = sum(report["rows"].values())
    report["rows_per_second"] = round(rows / max(timer.phases.get("load", 1e-9), 1e-9))
    return report


def _plan(
    db: Database,
    settings: Settings,
    options: Options,
    reference: Any,
    kept: dict[str, tuple[int, ...] | None],
) -> tuple[tl.Plan, build.Params, tl.Timeline]:
    now = options.now or datetime.combine(options.end, clock_time(16, 0), settings.tz)
    if now.tzinfo is None:
        now = now.replace(tzinfo=settings.tz)
    now = now.replace(second=0, microsecond=0).astimezone(UTC)
    roles = _roles(options)
    backlog = options.backlog_minutes
    if backlog is None:
        backlog = 15 if any(roles.values()) else 0
    sweep_stop = now - timedelta(minutes=backlog)
    calendar = build_calendar(settings, db)
    last_day = now.astimezone(settings.tz).date()
    clock = FastClock(
        calendar, last_day - timedelta(days=31 * options.months + 14), last_day + timedelta(days=30)
    )
    timeline = tl.Timeline(calendar, clock, settings.tz, now, options.months)
    open_cases = round(options.cases * options.open_fraction)
    plan = timeline.plan(options.cases, open_cases, roles, sweep_stop, options.seed)
    params = build.Params(
        url=options.database_url,
        city=settings.city,
        seed=options.seed,
        now=now,
        sweep_stop=sweep_stop,
        first_day=timeline.first_day,
        last_day=timeline.last_day,
        reference=reference,
        columns=kept,
        copy_text=db.dialect == "postgresql",
    )
    return plan, params, timeline


def _load(
    db: Database,
    options: Options,
    plan: tl.Plan,
    params: build.Params,
    timeline: tl.Timeline,
    first_ids: tuple[int, int, int],
    timer: Timer,
) -> dict[str, Any]:
    sink = (PostgresSink if db.dialect == "postgresql" else SqliteSink)(db.url, params.columns)
    rows: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    pending: Counter[str] = Counter()
    missed = retries = done = 0
    cpu_before = cpu_seconds()
    ids = (first_ids[1], build.ASSIGNMENT_ROOM, first_ids[2], build.SUPERVISION_ROOM)
    specs = timeline.chunks(plan, options.chunk, first_ids[0], ids)
    began = time.perf_counter()
    next_note = time.time() + 30  # without a terminal, a line every 30 s instead of the bar
    try:
        with timer.phase("load"), _progress(options.progress) as progress:
            task = progress.add_task("cases", total=options.cases, rate="")
            for result in _results(params, specs, options.workers):
                sink.write(result.data)
                rows.update(result.rows)
                statuses.update(result.statuses)
                pending.update(result.pending)
                missed += result.designated_missed
                retries += result.retries
                done += result.cases
                rate = done / max(time.perf_counter() - began, 1e-9)
                progress.update(task, advance=result.cases, rate=f"{rate:,.0f} 件/秒")
                if options.progress and not stderr.is_terminal and time.time() > next_note:
                    stderr.print(f"{done:,}/{options.cases:,} cases, {rate:,.0f}/s")
                    next_note = time.time() + 30
        with timer.phase("finish"):
            counters = [
                (date.fromordinal(d), n) for d, n in zip(plan.days, plan.totals, strict=True) if n
            ]
            sink.finish(counters)
            size, table_sizes = sink.size()
            database_cpu = process_cpu_seconds(sink.backend_pid) if sink.backend_pid else None
    finally:
        sink.close()
    rows["case_number_counters"] = len(counters)
    if missed:
        stderr.print(f"[yellow]{missed} 件指定的待触发工单未能安排，已改为普通未结工单")
    return {
        "database": db.dialect,
        "url": redact(db.url),
        "cases": options.cases,
        "months": options.months,
        "seed": options.seed,
        "first_day": timeline.first_day.isoformat(),
        "last_day": timeline.last_day.isoformat(),
        "now": params.now.isoformat(),
        "sweep_stopped_at": params.sweep_stop.isoformat(),
        "open_fraction": options.open_fraction,
        "workers": options.workers,
        "chunk": options.chunk,
        "rows": dict(rows),
        "statuses": dict(statuses.most_common()),
        "designated": plan.designated,
        "pending_at_now": {key: pending.get(key, 0) for key in tl.ROLE_KEYS.values()},
        "retries": retries,
        "size_bytes": size,
        "size": human_bytes(size),
        "table_bytes": table_sizes,
        "bytes_per_case": round(size / options.cases),
        "cpu_seconds": _cpu_used(cpu_before, database_cpu),
    }


def _cpu_used(before: dict[str, float], database: float | None) -> dict[str, float | None]:
    """CPU seconds spent generating (workers), writing (this process) and loading (the
    PostgreSQL backend): comparable across runs even when the machine is busy."""
    after = cpu_seconds()
    return {
        "workers": round(after["children"] - before["children"], 2),
        "writer": round(after["self"] - before["self"], 2),
        "database": database,
    }


def parse_args(argv: Sequence[str] | None) -> tuple[Options, bool]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("HOTLINE_DATABASE_URL"))
    parser.add_argument("--cases", type=int, required=True)
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
        f"{report['cases']} cases in {report['seconds']} s "
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
