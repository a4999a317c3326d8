"""The live inbox (GET /api/v1/me/counters) on a generated PostgreSQL database, beside a baseline
measured in the same run: the same calls without migration 0020's partial indexes.

    createdb -h 127.0.0.1 -U postgres hotline_bench_counters   # the data, once (see below)
    .venv/bin/python bench/generate.py --cases 100000 --seed 42 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/hotline_bench_counters
    .venv/bin/python bench/bench_counters.py [--database NAME] [--repeat 200] [--json]

A handler's page polls the counters every 30 s, so the call must cost the same for a unit with a
long history as for a new one. Chosen units: the one with the most assignments still to act on
(the busiest inbox) and the one with the most assignments ever (the longest history), each polled
by a bench handler of that unit, plus an inspector's poll (the verification queue of the whole
city). Three figures each, with the clock at the data's ``now``:

* ``http``: through the real application (FastAPI's TestClient: bearer token, parameters, the
  service, JSON), timed from request to response;
* ``service``: ``services.cases.counters.my_counters`` alone (its one transaction);
* ``plan``: the unit query's ``EXPLAIN (ANALYZE, BUFFERS)`` — execution time and the pages it
  touched, which do not depend on how busy the machine is.

Timings: once to warm up, then ``--repeat`` times: p50 / p95 / max in milliseconds.

The baseline drops ``ix_case_assignments_unit_active`` and ``ix_supervisions_unit_open`` for the
duration (then makes them again): the counts then read the unit's assignments through the plain
``unit_id`` index — every assignment it ever had — and the open supervisions by status.

Results: ``bench/results/counters.json``; figures in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.dialects import postgresql  # noqa: E402

from bench.common import machine_info, print_json, stderr, write_result  # noqa: E402
from hotline.adapters.db.database import Database  # noqa: E402
from hotline.bootstrap import build_calendar  # noqa: E402
from hotline.config import Settings  # noqa: E402
from hotline.domain.roles import Actor, Role  # noqa: E402
from hotline.entrypoints.web.app import create_app  # noqa: E402
from hotline.services.accounts.users import NewUser, create_user  # noqa: E402
from hotline.services.cases.counters import my_counters, unit_counts_query  # noqa: E402
from hotline.services.context import Hotline  # noqa: E402

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # generate.py's default now: 16:00 local
INDEXES = {
    "ix_case_assignments_unit_active": (
        "CREATE INDEX ix_case_assignments_unit_active ON case_assignments "
        "(unit_id, dispatched_at) WHERE status IN ('pending', 'accepted')"
    ),
    "ix_supervisions_unit_open": (
        "CREATE INDEX ix_supervisions_unit_open ON supervisions "
        "(target_unit_id, created_at) WHERE status = 'open'"
    ),
}


def _hotline(url: str) -> Hotline:
    settings = Settings(database_url=url)
    db = Database(url)
    return Hotline(settings=settings, db=db, clock=build_calendar(settings, db), now=lambda: NOW)


def _units(hotline: Hotline) -> dict[str, dict[str, Any]]:
    """The busiest inbox and the longest history, with their sizes."""
    queries = {
        "busiest_inbox": "SELECT unit_id FROM case_assignments "
        "WHERE status IN ('pending', 'accepted') GROUP BY unit_id ORDER BY count(*) DESC LIMIT 1",
        "longest_history": "SELECT unit_id FROM case_assignments "
        "GROUP BY unit_id ORDER BY count(*) DESC LIMIT 1",
    }
    chosen: dict[str, dict[str, Any]] = {}
    with hotline.db.transaction() as session:
        for name, sql in queries.items():
            unit_id = session.execute(text(sql)).scalar_one()
            code, unit_name = session.execute(
                text("SELECT code, name FROM units WHERE id = :u"), {"u": unit_id}
            ).one()
            sizes = session.execute(
                text(
                    "SELECT count(*), count(*) FILTER (WHERE status IN ('pending', 'accepted')) "
                    "FROM case_assignments WHERE unit_id = :u"
                ),
                {"u": unit_id},
            ).one()
            supervisions = session.execute(
                text("SELECT count(*) FROM supervisions WHERE target_unit_id = :u"), {"u": unit_id}
            ).scalar_one()
            chosen[name] = {
                "unit": code,
                "unit_name": unit_name,
                "assignments_ever": sizes[0],
                "assignments_to_act_on": sizes[1],
                "supervisions_ever": supervisions,
            }
    return chosen


def _people(hotline: Hotline, units: dict[str, dict[str, Any]]) -> dict[str, tuple[str, Actor]]:
    """A bench user per chosen unit and an inspector: (token, the actor it stands for)."""
    wanted = {name: ("handler", info["unit"]) for name, info in units.items()}
    wanted["inspector"] = ("inspector", None)
    people = {}
    for name, (role, unit_code) in wanted.items():
        user = f"bench-counters-{name}"
        with hotline.db.transaction() as session:
            users = "(SELECT id FROM users WHERE name = :n)"
            session.execute(text(f"DELETE FROM api_tokens WHERE user_id IN {users}"), {"n": user})
            session.execute(text("DELETE FROM users WHERE name = :n"), {"n": user})
            unit_id = (
                session.execute(
                    text("SELECT id FROM units WHERE code = :c"), {"c": unit_code}
                ).scalar_one()
                if unit_code
                else None
            )
        token = create_user(hotline, NewUser(user, role, unit_code, None), NOW)
        people[name] = (token, Actor(user, Role(role), unit_id=unit_id))
    return people


SINCE = NOW - timedelta(hours=1)  # the user looked at the inbox an hour ago


def _percentiles(samples: list[float]) -> dict[str, float]:
    samples = sorted(samples)
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[max(0, round(0.95 * len(samples)) - 1)], 2),
        "max_ms": round(samples[-1], 2),
    }


def http_timed(client: TestClient, token: str, repeat: int) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    samples, body = [], {}
    for attempt in range(repeat + 1):
        began = time.perf_counter()
        response = client.get(
            "/api/v1/me/counters", params={"since": SINCE.isoformat()}, headers=headers
        )
        elapsed = (time.perf_counter() - began) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{response.status_code} {response.text}")
        body = response.json()
        if attempt:
            samples.append(elapsed)
    answer = {k: v for k, v in body.items() if isinstance(v, int)}
    return {**_percentiles(samples), "answer": answer}


def service_timed(hotline: Hotline, actor: Actor, repeat: int) -> dict[str, Any]:
    samples = []
    for attempt in range(repeat + 1):
        began = time.perf_counter()
        my_counters(hotline, actor, SINCE, NOW)
        if attempt:
            samples.append((time.perf_counter() - began) * 1000)
    return _percentiles(samples)


def plan(hotline: Hotline, unit_id: int) -> dict[str, Any]:
    """The unit query's plan: which index, execution time, pages touched."""
    sql = str(
        unit_counts_query(unit_id, SINCE, NOW).compile(
            dialect=postgresql.dialect(),  # type: ignore[no-untyped-call]
            compile_kwargs={"literal_binds": True},
        )
    )
    with hotline.db.engine.connect() as conn:
        document = conn.execute(text("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)).scalar_one()
    top = document[0]

    def indexes(node: dict[str, Any]) -> list[str]:
        found = [node["Index Name"]] if "Index Name" in node else []
        for child in node.get("Plans", []):
            found += indexes(child)
        return found

    root = top["Plan"]
    return {
        "execution_ms": round(top["Execution Time"], 2),
        "buffers": root.get("Shared Hit Blocks", 0) + root.get("Shared Read Blocks", 0),
        "indexes": sorted(set(indexes(root))),
    }


def run_all(
    hotline: Hotline,
    client: TestClient,
    people: dict[str, tuple[str, Actor]],
    repeat: int,
) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name, (token, actor) in people.items():
        results[name] = {
            "http": http_timed(client, token, repeat),
            "service": service_timed(hotline, actor, repeat),
        }
        if actor.unit_id is not None:
            results[name]["plan"] = plan(hotline, actor.unit_id)
        stderr.print(f"  {name}: {results[name]}")
    return results


@contextmanager
def without_inbox_indexes(hotline: Hotline) -> Iterator[None]:
    """Migration 0020's partial indexes dropped for the duration, then made again."""
    with hotline.db.engine.begin() as conn:
        for name in INDEXES:
            conn.execute(text(f'DROP INDEX IF EXISTS "{name}"'))
    try:
        yield
    finally:
        with hotline.db.engine.begin() as conn:
            for statement in INDEXES.values():
                conn.execute(text(statement))
            conn.execute(text("ANALYZE case_assignments"))
            conn.execute(text("ANALYZE supervisions"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="hotline_bench_counters")
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    hotline = _hotline(f"{SERVER}/{args.database}")
    with hotline.db.transaction() as session:
        cases, open_cases = session.execute(
            text(
                "SELECT count(*), count(*) FILTER (WHERE status NOT IN ('closed', 'voided')) "
                "FROM cases"
            )
        ).one()
        assignments = session.execute(text("SELECT count(*) FROM case_assignments")).scalar_one()
    units = _units(hotline)
    people = _people(hotline, units)
    result: dict[str, Any] = {
        "database": args.database,
        "data": {"cases": cases, "open_cases": open_cases, "assignments": assignments},
        "units": units,
        "repeat": args.repeat,
        "machine": machine_info(),
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
    }
    with TestClient(create_app(hotline)) as client:
        stderr.print("with the inbox indexes:")
        result["indexed"] = run_all(hotline, client, people, args.repeat)
        stderr.print("baseline, without them:")
        with without_inbox_indexes(hotline):
            result["baseline_no_inbox_indexes"] = run_all(hotline, client, people, args.repeat)
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    hotline.db.dispose()
    write_result("counters", result)
    if args.json:
        print_json(result)


if __name__ == "__main__":
    main()
