"""The case list (GET /api/v1/cases) as the workbench calls it, on PostgreSQL, beside baselines
measured in the same run: the same queries without migration 0017's list indexes, and text
search by ``ILIKE`` instead of the search-terms index.

    .venv/bin/python bench/bench_case_list.py --prepare      # the data, once (see below)
    .venv/bin/python bench/bench_case_list.py [--database hotline_bench1m] [--repeat 30] [--json]

``--prepare`` makes the data if it is not there: ``bench/generate.py`` writes ``--cases``
(100,000) cases into ``<database>_base``, their history is replayed into indicator facts (the
amplifier needs them), the search terms are built (``rebuild_search_index``), and
``bench/amplify_postgres.py`` copies them ``--factor`` (10) times into ``<database>``: 1,000,000
cases, about 30,000 of them open. ``--drop`` removes both databases afterwards.

Each call goes through the real application (FastAPI's TestClient: authentication, parameter
checks, the service, JSON), with the clock at the data's ``now``; a call is timed from request
to response ("server time" without a network), once to warm up and then ``--repeat`` times,
reported as p50 / p95 / max in milliseconds with the ``total`` it answered, and ``sql_ms``: the
median over three calls of PostgreSQL's own time for the call's statements (replayed under
``EXPLAIN ANALYZE`` in one transaction with the call's settings), what is left of the wall time
without the application's Python and the waits for a core on a loaded machine. The baselines:

* ``no_list_indexes``: the same calls after dropping migration 0017's B-tree indexes (open
  cases by deadline, current assignments by unit, pending requests, own cases), recreated
  afterwards;
* ``ilike``: the text searches with the search-terms index replaced by ``ILIKE '%term%'`` over
  number, title, content and address (what a list without the index would do).

Results: ``bench/results/case_list.json``; figures in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import ColumnElement, create_engine, event, or_, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.common import machine_info, print_json, redact, stderr, write_result  # noqa: E402
from hotline.adapters.db.database import Database  # noqa: E402
from hotline.adapters.db.migrate import upgrade  # noqa: E402
from hotline.adapters.db.models import CASE_LIST_INDEXES, Case  # noqa: E402
from hotline.bootstrap import build_calendar  # noqa: E402
from hotline.config import Settings  # noqa: E402
from hotline.domain.search_terms import QueryTerm  # noqa: E402
from hotline.entrypoints.web.app import create_app  # noqa: E402
from hotline.services.accounts.users import NewUser, create_user  # noqa: E402
from hotline.services.cases import lists as case_lists  # noqa: E402
from hotline.services.cases.search_index import rebuild_search_index  # noqa: E402
from hotline.services.context import Hotline  # noqa: E402
from hotline.services.evaluation.settlement import rebuild_indicator_facts  # noqa: E402

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # generate.py's default now (16:00 local)
TARGET_P95_MS = 100.0  # issue 16, "Speed"
TEXT_TERMS = {"2": ["烧烤", "井盖", "路灯"], "4": ["占道经营", "夜间施工"]}


# -- data -----------------------------------------------------------------------------------------


def _url(database: str) -> str:
    return make_url(SERVER).set(database=database).render_as_string(hide_password=False)


def _exists(database: str) -> bool:
    engine = create_engine(SERVER)
    with engine.connect() as conn:
        found = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": database}
        ).scalar()
    engine.dispose()
    return bool(found)


def _run(*args: str) -> None:
    stderr.print(" ".join(args))
    subprocess.run([sys.executable, *args], check=True, cwd=ROOT)


def prepare(database: str, cases: int, factor: int) -> None:
    """Generate, replay facts, build the search terms, amplify: skipped where already done."""
    if _exists(database):
        stderr.print(f"{database} exists: reused")
        return
    base = f"{database}_base"
    if not _exists(base):
        _run("bench/generate.py", "--database-url", _url(base), "--cases", str(cases))
    hotline = _hotline(_url(base))
    stderr.print("replaying history into indicator facts …")
    rebuild_indicator_facts(hotline, NOW)
    stderr.print("search terms …")
    rebuild_search_index(hotline)
    hotline.db.dispose()
    _run(
        "bench/amplify_postgres.py",
        *("--source", base, "--target", database, "--factor", str(factor)),
    )


def _hotline(url: str) -> Hotline:
    settings = Settings(database_url=url)
    db = Database(url)
    return Hotline(settings=settings, db=db, clock=build_calendar(settings, db), now=lambda: NOW)


# -- the calls ------------------------------------------------------------------------------------


def _busiest(hotline: Hotline) -> tuple[str, str]:
    """The unit with the most open cases (lead or co-unit), and the district with the most."""
    with hotline.db.transaction() as session:
        unit = session.execute(
            text(
                "SELECT u.code FROM case_assignments a JOIN cases c ON c.id = a.case_id "
                "JOIN units u ON u.id = a.unit_id WHERE a.status <> 'ended' "
                "AND c.status IN ('dispatched', 'accepted') "
                "GROUP BY u.code ORDER BY count(*) DESC LIMIT 1"
            )
        ).scalar_one()
        district = session.execute(
            select(Case.district_code)
            .where(Case.status.in_(["dispatched", "accepted"]))
            .group_by(Case.district_code)
            .order_by(text("count(*) DESC"))
            .limit(1)
        ).scalar_one()
    return str(unit), str(district)


def _users(hotline: Hotline, unit: str, district: str) -> dict[str, str]:
    """Bench users (created once; their tokens are new every run)."""
    people = {
        "bench-disp": ("dispatcher", None, None),
        "bench-district": ("dispatcher", None, district),
        "bench-handler": ("handler", unit, None),
    }
    tokens = {}
    for name, (role, unit_code, district_code) in people.items():
        with hotline.db.transaction() as session:
            users = "(SELECT id FROM users WHERE name = :n)"
            session.execute(text(f"DELETE FROM api_tokens WHERE user_id IN {users}"), {"n": name})
            session.execute(text("DELETE FROM users WHERE name = :n"), {"n": name})
        tokens[name] = create_user(hotline, NewUser(name, role, unit_code, district_code), NOW)
    return tokens


def calls(today: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """name → (user, query parameters): the lists the workbench pages ask for."""
    found: dict[str, tuple[str, dict[str, Any]]] = {
        "unit_open_by_deadline": (
            "bench-handler",
            {"mine": "unit", "status": ["dispatched", "accepted"], "sort": "reply_due"},
        ),
        "unit_all_by_deadline": ("bench-handler", {"mine": "unit", "sort": "reply_due"}),
        "unit_default": ("bench-handler", {}),
        "today_registered": ("bench-disp", {"created_from": today, "sort": "-created"}),
        "district_overdue": ("bench-district", {"sla": "overdue", "sort": "reply_due"}),
        "pending_requests": ("bench-disp", {"pending": ["extension", "return"]}),
        "resorted": ("bench-disp", {"status": "registered", "reopened": "true", "sort": "created"}),
        "unit_co_pending": ("bench-handler", {"mine": "co", "sort": "reply_due"}),
        "default": ("bench-disp", {}),
    }
    for length, terms in TEXT_TERMS.items():
        for term in terms:
            found[f"text{length}_{term}"] = ("bench-disp", {"q": term})
            found[f"text{length}_{term}_district"] = ("bench-district", {"q": term})
    return found


def timed(client: TestClient, token: str, params: dict[str, Any], repeat: int) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    samples, body = [], {}
    for attempt in range(repeat + 1):
        began = time.perf_counter()
        response = client.get("/api/v1/cases", params=params, headers=headers)
        elapsed = (time.perf_counter() - began) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{params}: {response.status_code} {response.text}")
        body = response.json()
        if attempt:  # the first call warms caches up
            samples.append(elapsed)
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[max(0, round(0.95 * len(samples)) - 1)], 1),
        "max_ms": round(samples[-1], 1),
        "total": body["total"],
        "total_is_estimate": body["total_is_estimate"],
        "items": len(body["items"]),
    }


SQL_SAMPLES = 3


def _statements_of_one_call(
    hotline: Hotline, client: TestClient, token: str, params: dict[str, Any]
) -> list[tuple[str, Any]]:
    """The statements (with their parameters) one call sends to PostgreSQL."""
    sent: list[tuple[str, Any]] = []

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    event.listen(hotline.db.engine, "before_cursor_execute", note)
    try:
        client.get("/api/v1/cases", params=params, headers={"Authorization": f"Bearer {token}"})
    finally:
        event.remove(hotline.db.engine, "before_cursor_execute", note)
    return sent


def _server_ms(raw: Any, statement: str, parameters: Any) -> float:
    """PostgreSQL's own time for one statement: planning and execution of a SELECT (EXPLAIN
    ANALYZE), planning alone of the list's estimate (an EXPLAIN itself)."""
    if statement.startswith("EXPLAIN"):
        inner = statement.removeprefix("EXPLAIN (FORMAT JSON) ")
        plan = raw.execute("EXPLAIN (SUMMARY, FORMAT JSON) " + inner, parameters).fetchone()[0]
        return float(plan[0]["Planning Time"])
    plan = raw.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters).fetchone()[0]
    return float(plan[0]["Planning Time"]) + float(plan[0]["Execution Time"])


def server_time(hotline: Hotline, client: TestClient, token: str, params: dict[str, Any]) -> float:
    """The median over :data:`SQL_SAMPLES` calls of the time PostgreSQL itself spends on a
    call's statements (their EXPLAIN ANALYZE, run again in one transaction with the call's
    settings): what the wall time would be without the application's Python and the waits
    for a core on a loaded machine."""
    samples = []
    for _ in range(SQL_SAMPLES):
        sent = _statements_of_one_call(hotline, client, token, params)
        with hotline.db.engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            total = 0.0
            for statement, parameters in sent:
                if statement.startswith("SET"):
                    raw.execute(statement, parameters)
                elif statement.startswith(("SELECT", "EXPLAIN")):
                    total += _server_ms(raw, statement, parameters)
            raw.rollback()
        samples.append(total)
    return round(statistics.median(samples), 1)


def run_all(
    hotline: Hotline,
    client: TestClient,
    tokens: dict[str, str],
    chosen: dict[str, Any],
    repeat: int,
) -> dict[str, Any]:
    results = {}
    for name, (user, params) in chosen.items():
        results[name] = timed(client, tokens[user], params, repeat)
        results[name]["sql_ms"] = server_time(hotline, client, tokens[user], params)
        stderr.print(f"  {name}: {results[name]}")
    return results


# -- baselines ------------------------------------------------------------------------------------


@contextmanager
def without_list_indexes(hotline: Hotline) -> Iterator[None]:
    """Migration 0017's B-tree indexes dropped for the duration, then made again."""
    engine = hotline.db.engine
    with engine.begin() as conn:
        for index in CASE_LIST_INDEXES:
            conn.execute(text(f'DROP INDEX IF EXISTS "{index.name}"'))
        conn.execute(text("ANALYZE cases"))
    try:
        yield
    finally:
        stderr.print("re-creating the list indexes …")
        for index in CASE_LIST_INDEXES:
            index.create(bind=engine, checkfirst=True)
        with engine.begin() as conn:
            conn.execute(text("ANALYZE cases"))


def _ilike(_dialect: str, terms: list[QueryTerm]) -> ColumnElement[bool]:
    fields = (Case.number, Case.title, Case.content, Case.address)
    return or_(*(f.ilike(f"%{terms[0].text}%") for f in fields))


@contextmanager
def text_by_ilike() -> Iterator[None]:
    """The list's text condition replaced by ILIKE over the four fields (one term)."""
    kept = case_lists._text_match
    case_lists._text_match = _ilike  # type: ignore[assignment]
    try:
        yield
    finally:
        case_lists._text_match = kept


# -- main -----------------------------------------------------------------------------------------


def _table_state(hotline: Hotline) -> dict[str, Any]:
    with hotline.db.transaction() as session:
        row = session.execute(
            text(
                "SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM cases WHERE status "
                "NOT IN ('closed', 'void', 'answered_directly')), "
                "pg_size_pretty(pg_total_relation_size('cases')), "
                "pg_size_pretty(pg_relation_size('ix_cases_search_terms'))"
            )
        ).one()
    return {"cases": row[0], "open": row[1], "cases_size": row[2], "gin_size": row[3]}


def bench(args: argparse.Namespace) -> dict[str, Any]:
    upgrade(_url(args.database))  # data made before the newest migration gets its schema
    hotline = _hotline(_url(args.database))
    unit, district = _busiest(hotline)
    tokens = _users(hotline, unit, district)
    today = NOW.astimezone(hotline.settings.tz).strftime("%Y-%m-%dT00:00:00")
    chosen = calls(today)
    result: dict[str, Any] = {
        "database": redact(_url(args.database)),
        "now": NOW.isoformat(),
        "unit": unit,
        "district": district,
        "repeat": args.repeat,
        "target_p95_ms": TARGET_P95_MS,
        "data": _table_state(hotline),
        "machine": machine_info(),
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
    }
    with TestClient(create_app(hotline)) as client:
        stderr.print("with the indexes:")
        result["indexed"] = run_all(hotline, client, tokens, chosen, args.repeat)
        text_calls = {k: v for k, v in chosen.items() if k.startswith("text")}
        stderr.print("baseline, text by ILIKE:")
        with text_by_ilike():
            result["baseline_ilike"] = run_all(hotline, client, tokens, text_calls, args.repeat)
        if not args.skip_index_baseline:
            other = {k: v for k, v in chosen.items() if not k.startswith("text")}
            stderr.print("baseline, without the list indexes:")
            with without_list_indexes(hotline):
                result["baseline_no_list_indexes"] = run_all(
                    hotline, client, tokens, other, args.repeat
                )
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    result["over_target"] = sorted(
        name for name, r in result["indexed"].items() if r["p95_ms"] > TARGET_P95_MS
    )
    hotline.db.dispose()
    return result


def drop(database: str) -> None:
    engine = create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for name in (database, f"{database}_base"):
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="hotline_bench1m")
    parser.add_argument("--prepare", action="store_true", help="make the data if missing")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--factor", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--skip-index-baseline", action="store_true")
    parser.add_argument("--drop", action="store_true", help="drop the databases afterwards")
    parser.add_argument("--name", default="case_list")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.prepare:
        prepare(args.database, args.cases, args.factor)
    result = bench(args)
    path = write_result(args.name, result)
    stderr.print(f"results: {path}")
    if args.json:
        print_json(result)
    if args.drop:
        drop(args.database)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
