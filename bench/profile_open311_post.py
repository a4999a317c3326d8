"""CPU per Open311 create, measured in-process: the app's Python CPU and the PostgreSQL backend's.

Run (PostgreSQL on 127.0.0.1, user postgres, trust)::

    PYTHONPATH=src .venv/bin/python bench/profile_open311_post.py [--count 2000] [--profile]

It makes a fresh database of its own (``hotline_profile_open311``; never the load benchmark's),
migrates and seeds it, issues a bench api_key exempt from rate limits, and builds the very app
``bench/bench_open311.py`` serves (Open311 mounted at /open311/v2 plus the bare insert-one-row
baseline at /bench/insert). It then drives that ASGI app directly from this process, with no
HTTP server and no client library in between (a hand-made ASGI scope per request, so the
measured CPU is the app's own): a warm-up, then ``--count`` form-encoded POSTs to
``requests.json`` and the same number to the baseline, ``--concurrency`` in flight at a time.

For each phase it reports per request: this process's CPU (user + system, every thread), the
CPU of the PostgreSQL backends serving this database (from /proc, so PostgreSQL must run on this
machine), and the wall time; then the ratio Open311 / baseline. ``--profile`` adds a cProfile
top list of the Open311 phase in CPU time (run a second time with the thread-pool hop made
inline, so that one profiler sees the whole request; its figures are not the measured ones, and
the profiler inflates code made of many small calls). ``--json`` prints one JSON document instead
of the table. Nothing is written to bench/results.

This is the quick, quiet-machine-friendly companion of bench_open311.py: CPU per create is what
caps throughput on 2 shared cores, and it can be measured without saturating the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import pstats
import resource
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

from bench_open311 import bodies, make_app, prepare  # noqa: E402

DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PROFILE_DB = "hotline_profile_open311"
PATHS = {"open311": "/open311/v2/requests.json", "baseline": "/bench/insert"}
ASGIApp = Callable[
    [dict[str, Any], Callable[[], Awaitable[dict[str, Any]]], Callable[..., Awaitable[None]]],
    Awaitable[None],
]


def fresh_database(server_url: str) -> str:
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{PROFILE_DB}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{PROFILE_DB}"'))
    admin.dispose()
    return make_url(server_url).set(database=PROFILE_DB).render_as_string(hide_password=False)


# ── driving the ASGI app directly ────────────────────────────────────────────────────────────


async def post(app: ASGIApp, path: str, body: bytes) -> int:
    """One POST through the app; returns the status (the body is checked for 200 only)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/x-www-form-urlencoded; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8311),
        "state": {},
    }
    sent = False
    status = 0
    answer: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)  # a disconnect would come here; it never does
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            answer.append(message.get("body", b""))

    await app(scope, receive, send)
    if status != 200:
        raise RuntimeError(f"{path}: {status} {b''.join(answer)[:300]!r}")
    return status


async def drive(app: ASGIApp, path: str, payloads: list[bytes], count: int, width: int) -> None:
    queue = iter(range(count))

    async def lane() -> None:
        for i in queue:
            await post(app, path, payloads[i % len(payloads)])

    await asyncio.gather(*(lane() for _ in range(width)))


# ── CPU accounting ───────────────────────────────────────────────────────────────────────────


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _proc_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Backends:
    """CPU seconds of the PostgreSQL backends connected to the profiled database (not counting
    the connection that asks)."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url, pool_size=1, max_overflow=0)

    def cpu(self) -> dict[int, float]:
        with self.engine.connect() as conn:
            pids = conn.execute(
                text(
                    "SELECT pid FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalars()
            return {pid: _proc_cpu(pid) for pid in pids}


def measure(
    app: ASGIApp, backends: Backends, path: str, payloads: list[bytes], args: argparse.Namespace
) -> dict[str, float]:
    before_pg, before_cpu, began = backends.cpu(), own_cpu(), time.perf_counter()
    asyncio.run(drive(app, path, payloads, args.count, args.concurrency))
    wall, cpu, after_pg = time.perf_counter() - began, own_cpu() - before_cpu, backends.cpu()
    pg = sum(after - before_pg.get(pid, 0.0) for pid, after in after_pg.items())
    n = args.count
    return {
        "app_cpu_ms": round(cpu * 1000 / n, 3),
        "pg_cpu_ms": round(pg * 1000 / n, 3),
        "wall_ms": round(wall * 1000 / n, 3),
        "per_second_wall": round(n / wall, 1),
    }


# ── profiling ────────────────────────────────────────────────────────────────────────────────


def profile(app: ASGIApp, payloads: list[bytes], args: argparse.Namespace) -> str:
    """cProfile of the Open311 phase with the thread-pool hop made inline (one thread)."""
    from hotline.entrypoints.open311 import routes

    async def inline(func: Callable[..., Any], *a: Any, **kw: Any) -> Any:
        return func(*a, **kw)

    original = routes.run_in_threadpool
    routes.run_in_threadpool = inline  # type: ignore[assignment]
    profiler = cProfile.Profile(time.thread_time)  # CPU time: waits on PostgreSQL excluded
    try:
        profiler.enable()
        asyncio.run(drive(app, PATHS["open311"], payloads, args.count, 1))
        profiler.disable()
    finally:
        routes.run_in_threadpool = original
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)
    return out.getvalue()


# ── the run ──────────────────────────────────────────────────────────────────────────────────


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server-url", default=DEFAULT_SERVER)
    parser.add_argument("--count", type=int, default=2000, help="creates per phase")
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=1, help="requests in flight")
    parser.add_argument("--profile", action="store_true", help="add a cProfile top list")
    parser.add_argument("--top", type=int, default=40, help="lines of each cProfile list")
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    url = fresh_database(args.server_url)
    var_dir = Path(tempfile.mkdtemp(prefix="profile-open311-"))
    key = prepare(url, var_dir)
    os.environ.update({"HOTLINE_DATABASE_URL": url, "HOTLINE_VAR_DIR": str(var_dir)})
    app: ASGIApp = make_app()
    payloads = bodies(key)
    backends = Backends(url)
    for path in PATHS.values():  # warm-up: connections, caches, first-call imports
        asyncio.run(drive(app, path, payloads, args.warmup, args.concurrency))

    phases = {name: measure(app, backends, path, payloads, args) for name, path in PATHS.items()}
    o311, base = phases["open311"], phases["baseline"]
    report: dict[str, Any] = {
        "count": args.count,
        "concurrency": args.concurrency,
        "load_average_1m": round(os.getloadavg()[0], 2),
        "phases": phases,
        "ratio_open311_over_baseline": {
            "app_cpu": round(o311["app_cpu_ms"] / max(base["app_cpu_ms"], 1e-9), 2),
            "pg_cpu": round(o311["pg_cpu_ms"] / max(base["pg_cpu_ms"], 1e-9), 2),
            "total_cpu": round(
                (o311["app_cpu_ms"] + o311["pg_cpu_ms"])
                / max(base["app_cpu_ms"] + base["pg_cpu_ms"], 1e-9),
                2,
            ),
        },
    }
    listing = profile(app, payloads, args) if args.profile else None
    backends.engine.dispose()
    if not args.keep:
        fresh_database_drop(args.server_url)
    if args.json:
        print(json.dumps({**report, "profile": listing}, ensure_ascii=False, indent=2))
        return
    print(
        f"{args.count} creates per phase, concurrency {args.concurrency}, "
        f"load average {report['load_average_1m']}"
    )
    print(f"{'phase':<10} {'app CPU ms':>11} {'PG CPU ms':>10} {'wall ms':>9} {'per s':>8}")
    for name, phase in phases.items():
        print(
            f"{name:<10} {phase['app_cpu_ms']:>11.3f} {phase['pg_cpu_ms']:>10.3f} "
            f"{phase['wall_ms']:>9.3f} {phase['per_second_wall']:>8.1f}"
        )
    print("Open311 / baseline:", report["ratio_open311_over_baseline"])
    if listing:
        print(listing)


def fresh_database_drop(server_url: str) -> None:
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{PROFILE_DB}" WITH (FORCE)'))
    admin.dispose()


if __name__ == "__main__":
    main()
