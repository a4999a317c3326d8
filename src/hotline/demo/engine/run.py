"""Generating a span of days into a migrated, seeded database: plan, build in worker processes,
write through the bulk sink.

The plan (cases per local day, which stay open, which carry a line for the sweep benchmark) is
made here, cheaply; the cases are lived in worker processes (:mod:`.build`), a chunk at a time,
each through the application's handlers and the bulk sink; this process writes each chunk in one
transaction (``hotline.adapters.db.bulk.write_tables``: COPY on PostgreSQL, executemany on
SQLite) and finishes by raising the daily case-number counters, moving the id sequences past the
generated ids and refreshing the planner's statistics. A chunk's random stream depends only on
the seed and the chunk's index, so the data are the same whatever the number of workers.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from hotline.adapters.db.bulk import (
    move_sequences_past_ids,
    next_ids,
    raise_case_counters,
    write_tables,
)
from hotline.adapters.db.database import Database
from hotline.bootstrap import build_calendar
from hotline.config import Settings
from hotline.demo.engine import build
from hotline.demo.engine import timeline as tl
from hotline.demo.engine.clock import FastClock
from hotline.demo.engine.reference import load_reference
from hotline.demo.engine.sink import ANALYSED, database_size
from hotline.domain.calendar import WorkingCalendar
from hotline.domain.errors import InvalidInput

if TYPE_CHECKING:
    from hotline.demo.content.draws import CaseDraw

Progress = Callable[[int, int], None]  # (cases written, cases planned)


@dataclass
class Options:
    """What to generate. ``cases`` over ``months`` ending ``end`` (a fixed number: the benchmarks'
    way), or ``per_day`` on average (the demo's way)."""

    database_url: str
    cases: int | None = None
    per_day: float | None = None
    months: int = 24
    seed: int = 42
    end: date = date(2026, 11, 30)
    start: date | None = None  # first day generated (a catch-up); default: ``months`` back
    now: datetime | None = None  # default: the end date at 16:00 local time
    open_fraction: float = 0.03
    pending_warnings: int = 0
    pending_breaches: int = 0
    accept_share: float = 0.2  # of the pending lines, the share on the accept stage
    backlog_minutes: int | None = None  # default: 15 with pending lines, else 0
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    chunk: int = 2000

    def check(self) -> None:
        if (self.cases is None) == (self.per_day is None):
            raise InvalidInput(
                "须给出工单总数或每日平均件数（二选一）", fields=("cases", "per_day")
            )
        if self.cases is not None and self.cases < 1:
            raise InvalidInput("工单数须为正整数", fields=("cases",))
        if self.per_day is not None and not 0 < self.per_day <= 100_000:
            raise InvalidInput("每日件数须大于 0", fields=("per_day",))
        if not 0 <= self.open_fraction <= 1:
            raise InvalidInput("未结比例须在 0 与 1 之间", fields=("open_fraction",))
        if not 1 <= self.months <= 240:
            raise InvalidInput("月数须在 1 与 240 之间", fields=("months",))
        if self.start is not None and self.start > self.end:
            raise InvalidInput("起始日期晚于结束日期", fields=("start", "end"))

    def roles(self) -> dict[int, int]:
        accept_w = round(self.pending_warnings * self.accept_share)
        accept_b = round(self.pending_breaches * self.accept_share)
        return {
            tl.ACCEPT_WARNING: accept_w,
            tl.REPLY_WARNING: self.pending_warnings - accept_w,
            tl.ACCEPT_BREACH: accept_b,
            tl.REPLY_BREACH: self.pending_breaches - accept_b,
        }


def cpu_seconds() -> dict[str, float]:
    """CPU seconds of this process and of its finished children (worker processes)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "self": round(own.ru_utime + own.ru_stime, 2),
        "children": round(children.ru_utime + children.ru_stime, 2),
    }


def _now(settings: Settings, options: Options) -> datetime:
    now = options.now or datetime.combine(options.end, clock_time(16, 0), settings.tz)
    if now.tzinfo is None:
        now = now.replace(tzinfo=settings.tz)
    return now.replace(second=0, microsecond=0).astimezone(UTC)


def plan(
    db: Database, settings: Settings, options: Options
) -> tuple[tl.Plan, build.Params, tl.Timeline, dict[int, list[CaseDraw]] | None]:
    """Cases per day and the workers' parameters (reference data, first free ids)."""
    now = _now(settings, options)
    roles = options.roles()
    backlog = options.backlog_minutes
    if backlog is None:
        backlog = 15 if any(roles.values()) else 0
    sweep_stop = now - timedelta(minutes=backlog)
    calendar = build_calendar(settings, db)
    last_day = now.astimezone(settings.tz).date()
    clock = FastClock(
        calendar, last_day - timedelta(days=31 * options.months + 14), last_day + timedelta(days=30)
    )
    timeline = tl.Timeline(calendar, clock, settings.tz, now, options.months, options.start)
    draws = None
    if options.cases is not None:
        open_cases = round(options.cases * options.open_fraction)
        the_plan = timeline.plan(options.cases, open_cases, roles, sweep_stop, options.seed)
    else:
        assert options.per_day is not None
        draws = content_draws(calendar, settings, options.per_day, options.seed, timeline, now)
        totals = [len(draws[day]) for day in timeline.days()]
        open_cases = round(sum(totals) * options.open_fraction)
        the_plan = timeline.plan_given(totals, open_cases, roles, sweep_stop, options.seed)
    with db.transaction() as session:
        reference = load_reference(session, settings.profile)
        first_ids = next_ids(session)
    params = build.Params(
        url=db.url,
        city=settings.city,
        seed=options.seed,
        now=now,
        sweep_stop=sweep_stop,
        first_day=timeline.first_day,
        last_day=timeline.last_day,
        reference=reference,
        first_ids=first_ids,
    )
    return the_plan, params, timeline, draws


def content_draws(
    calendar: WorkingCalendar,
    settings: Settings,
    per_day: float,
    seed: int,
    timeline: tl.Timeline,
    now: datetime,
) -> dict[int, list[CaseDraw]]:
    """The demo content's cases of each day (hotline.demo.content), up to ``now``."""
    from hotline.demo.content.city import load_content

    content = load_content(calendar, settings.profile, seed=seed, per_day=per_day)
    return {
        ordinal: [
            draw for draw in content.draw_day(date.fromordinal(ordinal)) if draw.created <= now
        ]
        for ordinal in timeline.days()
    }


def results(
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


def load(
    db: Database, settings: Settings, options: Options, progress: Progress | None = None
) -> dict[str, Any]:
    """Generate and write what ``options`` asks for; returns the report."""
    options.check()
    began = time.perf_counter()
    the_plan, params, timeline, draws = plan(db, settings, options)
    total = sum(the_plan.totals)
    rows: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    pending: Counter[str] = Counter()
    missed = retries = done = 0
    cpu_before = cpu_seconds()
    specs = timeline.chunks(the_plan, options.chunk, params.first_ids["cases"], draws)
    loading = time.perf_counter()
    # Starting a worker process costs seconds (imports, the clock's check): one chunk is built here.
    workers = options.workers if total > options.chunk else 1
    for result in results(params, specs, workers):
        with db.transaction() as session:
            write_tables(session, result.data.items())
        rows.update(result.rows)
        statuses.update(result.statuses)
        pending.update(result.pending)
        missed, retries = missed + result.designated_missed, retries + result.retries
        done += result.cases
        if progress is not None:
            progress(done, total)
    load_seconds = time.perf_counter() - loading
    counters = {
        date.fromordinal(d): n for d, n in zip(the_plan.days, the_plan.totals, strict=True) if n
    }
    finish(db, counters)
    rows["case_number_counters"] = len(counters)
    size, table_sizes = database_size(db.engine)
    after = cpu_seconds()
    return {
        "database": db.dialect,
        "cases": total,
        "months": options.months,
        "seed": options.seed,
        "first_day": timeline.first_day.isoformat(),
        "last_day": timeline.last_day.isoformat(),
        "now": params.now.isoformat(),
        "sweep_stopped_at": params.sweep_stop.isoformat(),
        "open_fraction": options.open_fraction,
        "workers": workers,
        "chunk": options.chunk,
        "rows": dict(rows),
        "statuses": dict(statuses.most_common()),
        "designated": the_plan.designated,
        "designated_missed": missed,
        "pending_at_now": {key: pending.get(key, 0) for key in tl.ROLE_KEYS.values()},
        "retries": retries,
        "size_bytes": size,
        "table_bytes": table_sizes,
        "bytes_per_case": round(size / max(total, 1)),
        "load_seconds": round(load_seconds, 3),
        "seconds": round(time.perf_counter() - began, 3),
        "cases_per_second": round(total / max(load_seconds, 1e-9)),
        "rows_per_second": round(sum(rows.values()) / max(load_seconds, 1e-9)),
        "cpu_seconds": {
            "workers": round(after["children"] - cpu_before["children"], 2),
            "writer": round(after["self"] - cpu_before["self"], 2),
        },
    }


def last_day_with_cases(db: Database) -> date | None:
    """The local day of the newest case (where a catch-up starts from the day after)."""
    with db.engine.connect() as conn:
        value = conn.execute(text("SELECT max(received_on) FROM cases")).scalar()
    if value is None:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def finish(db: Database, counters: dict[date, int]) -> None:
    """Counters and sequences past what was written; fresh planner statistics."""
    with db.transaction() as session:
        raise_case_counters(session, counters)
        move_sequences_past_ids(session)
    with db.engine.connect() as conn:
        conn.execute(text("ANALYZE" if db.dialect == "sqlite" else f"ANALYZE {ANALYSED}"))
        conn.commit()
