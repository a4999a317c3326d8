"""Open311 POST requests.json under an open-loop load, beside a bare insert-one-row baseline.

Run: ``.venv/bin/python bench/bench_open311.py`` (PostgreSQL on 127.0.0.1, user postgres).

It makes a fresh database, serves the app with uvicorn on 127.0.0.1 (loopback only), and sends
form-encoded POSTs at a constant arrival rate from this process: each request has a scheduled
send time, latency is measured from that time (so a slow server cannot hide its queue), and
every phase is a bounded number of requests (rate × seconds). Phases, each measured for
``--seconds``: baseline and Open311 at 200/s, then at 500/s. The bench key is exempt from rate
limits. Afterwards ``hotline worker`` processes drain the enrichment jobs the posts queued, and
their rate is measured separately. Prints one JSON document and writes bench/results/open311.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import FastAPI, Request
from open311_loadgen import cpu_seconds, open_loop
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "open311.json"
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BENCH_DB = "hotline_bench_open311"
SERVICE_CODES = ("E0101", "E0103", "E0301", "E0401", "E0403", "E0601", "E0602")
TEXTS = (
    "泉城路工地夜间施工噪音扰民，凌晨两点还在施工",
    "小区门口垃圾桶满溢，气味很大",
    "路边占道经营，早晚高峰堵塞通行",
    "人行道上机动车乱停放，行人只能走机动车道",
)


def make_app() -> FastAPI:
    """The served app (uvicorn --factory): Open311 mounted as in production, plus the baseline
    endpoint that parses the same kind of form and inserts one row in one transaction."""
    from hotline.bootstrap import build_hotline
    from hotline.entrypoints.open311 import MOUNT_PATH, create_open311_app

    hotline = build_hotline()
    app = FastAPI(openapi_url=None)
    app.mount(MOUNT_PATH, create_open311_app(hotline))

    def insert(payload: str) -> None:
        with hotline.db.transaction() as session:
            session.execute(text("INSERT INTO bench_rows (payload) VALUES (:p)"), {"p": payload})

    @app.post("/bench/insert")
    async def baseline(request: Request) -> Response:
        fields = dict(parse_qsl((await request.body()).decode("utf-8")))
        await run_in_threadpool(insert, fields.get("description", ""))
        return Response(b'[{"ok":true}]', media_type="application/json; charset=utf-8")

    return app


# ── setup ────────────────────────────────────────────────────────────────────────────────────


def fresh_database(server_url: str) -> str:
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{BENCH_DB}"'))
        version = conn.execute(text("SHOW server_version")).scalar_one()
    admin.dispose()
    os.environ["BENCH_PG_VERSION"] = str(version)
    return make_url(server_url).set(database=BENCH_DB).render_as_string(hide_password=False)


def prepare(url: str, var_dir: Path) -> str:
    """Migrate, seed, make the baseline table and an exempt partner key; returns the key."""
    from hotline.adapters.db.migrate import upgrade
    from hotline.bootstrap import build_hotline
    from hotline.config import Settings
    from hotline.services.open311 import Open311Settings, create_key
    from hotline.services.reference.seeding import seed_reference_data

    upgrade(url)
    hotline = build_hotline(Settings(database_url=url, var_dir=var_dir))
    seed_reference_data(hotline)
    with hotline.db.transaction() as session:
        session.execute(
            text(
                "CREATE TABLE bench_rows (id serial PRIMARY KEY, payload text, "
                "created_at timestamptz NOT NULL DEFAULT now())"
            )
        )
    key = create_key(
        hotline, Open311Settings(), "bench", hotline.now(), exempt_from_rate_limit=True
    )
    hotline.db.dispose()
    return key


def bodies(key: str, count: int = 500) -> list[bytes]:
    made = []
    for i in range(count):
        fields = {
            "api_key": key,
            "service_code": SERVICE_CODES[i % len(SERVICE_CODES)],
            "lat": f"{36.60 + (i % 97) * 0.001:.4f}",
            "long": f"{116.95 + (i % 89) * 0.002:.4f}",
            "address_string": f"历下区泉城路 {i % 300 + 1} 号",
            "description": f"{TEXTS[i % len(TEXTS)]}（编号 {i}）",
        }
        made.append(urlencode(fields).encode())
    return made


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "bench_open311:make_app",
        "--app-dir",
        str(ROOT / "bench"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    server = subprocess.Popen(command, env=env, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            asyncio.run(_probe(port))
            return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise RuntimeError("the server did not start")


async def _probe(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /open311/v2/discovery.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    await writer.drain()
    if not (await reader.readline()).startswith(b"HTTP/1.1 200"):
        raise OSError("not ready")
    writer.close()


# ── the enrichment drain ─────────────────────────────────────────────────────────────────────


def _jobs_done(url: str) -> tuple[int, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        done = conn.execute(
            text("SELECT count(*) FROM outbox WHERE kind='enrich' AND status='done'")
        )
        left = conn.execute(
            text(
                "SELECT count(*) FROM outbox WHERE kind='enrich' "
                "AND status IN ('pending','running')"
            )
        )
        counts = int(done.scalar_one()), int(left.scalar_one())
    engine.dispose()
    return counts


def drain(url: str, env: dict[str, str], workers: int, seconds: float) -> dict[str, Any]:
    """Start ``hotline worker`` processes; measure jobs done per second over ``seconds`` from
    the first finished job (start-up, which loads the geo data, is not counted)."""
    before, backlog = _jobs_done(url)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "hotline", "worker"],
            env=env,
            cwd=ROOT,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    try:
        deadline = time.monotonic() + 120
        while _jobs_done(url)[0] == before and time.monotonic() < deadline:
            time.sleep(0.2)
        first, began = _jobs_done(url)[0], time.monotonic()
        while time.monotonic() - began < seconds and _jobs_done(url)[1] > 0:
            time.sleep(1.0)
        done, left = _jobs_done(url)
        elapsed = time.monotonic() - began
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)
    return {
        "workers": workers,
        "backlog_at_start": backlog,
        "jobs_measured": done - first,
        "seconds": round(elapsed, 1),
        "per_second": round((done - first) / elapsed, 1),
        "left": left,
    }


# ── the run ──────────────────────────────────────────────────────────────────────────────────


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "postgresql": os.environ.get("BENCH_PG_VERSION"),
        "server": _server_stack(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _server_stack() -> str:
    """What uvicorn runs on ("auto" picks httptools and uvloop when they are installed)."""
    from importlib.util import find_spec

    http = "httptools" if find_spec("httptools") else "h11"
    loop = "uvloop" if find_spec("uvloop") else "asyncio"
    return f"uvicorn, {http}, {loop}"


async def load(port: int, key: str, args: argparse.Namespace, server_pid: int) -> dict[str, Any]:
    payloads = bodies(key)
    paths = {"baseline": "/bench/insert", "open311": "/open311/v2/requests.json"}
    for path in paths.values():  # warm-up, not measured
        await open_loop(port, path, payloads, 50, 5, args.connections)
    phases: dict[str, Any] = {}
    for rate in args.rates:
        for name, path in paths.items():
            load_average, before = os.getloadavg()[0], cpu_seconds(server_pid)
            phase = await open_loop(port, path, payloads, rate, args.seconds, args.connections)
            after = cpu_seconds(server_pid)
            phase["cpu_ms_per_request"] = {
                # processes that exit during a phase take their CPU with them: never below 0
                group: round(max(after[group] - before[group], 0) * 1000 / max(phase["ok"], 1), 2)
                for group in after
            }
            phase["load_average_1m_before"] = round(load_average, 2)
            phases[f"{name}@{rate:g}"] = phase
    return phases


def ratios(phases: dict[str, Any], rates: list[float]) -> dict[str, Any]:
    found = {}
    for rate in rates:
        base, o311 = phases[f"baseline@{rate:g}"], phases[f"open311@{rate:g}"]
        found[f"{rate:g}"] = {
            "throughput_open311_over_baseline": round(
                o311["achieved_per_second"] / max(base["achieved_per_second"], 1e-9), 3
            ),
            "p99_open311_over_baseline": round(
                o311["latency_ms"]["p99"] / max(base["latency_ms"]["p99"], 1e-9), 2
            ),
        }
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server-url", default=DEFAULT_SERVER)
    parser.add_argument("--port", type=int, default=8311)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rates", type=float, nargs="+", default=[200.0, 500.0])
    parser.add_argument("--server-workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=256)
    parser.add_argument("--drain-workers", type=int, default=2)
    parser.add_argument("--drain-seconds", type=float, default=60.0)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--no-write", action="store_true", help="do not write the results file")
    args = parser.parse_args()

    url = fresh_database(args.server_url)
    var_dir = Path(tempfile.mkdtemp(prefix="bench-open311-"))
    key = prepare(url, var_dir)
    env = {
        **os.environ,
        "HOTLINE_DATABASE_URL": url,
        "HOTLINE_VAR_DIR": str(var_dir),
    }
    server = start_server(env, args.port, args.server_workers)
    try:
        phases = asyncio.run(load(args.port, key, args, server.pid))
    finally:
        server.terminate()
        server.wait(timeout=30)
    report = {
        "benchmark": "open311 POST requests.json, open loop",
        "machine": machine(),
        "config": {k: v for k, v in vars(args).items() if k not in ("no_write", "output")},
        "phases": phases,
        "ratios": ratios(phases, args.rates),
        "enrichment_drain": drain(url, env, args.drain_workers, args.drain_seconds),
        "note": "server, load generator, PostgreSQL and workers share the same cores",
    }
    report["targets"] = {
        "sustained_500_per_second": phases.get("open311@500", {}).get("sustained"),
        "p99_under_100ms_at_200": (
            phases.get("open311@200", {}).get("latency_ms", {}).get("p99", 1e9) < 100
        ),
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if not args.no_write:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
