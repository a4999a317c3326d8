"""One deadline sweep over many open cases on PostgreSQL (the time-limits issue's benchmark).

    .venv/bin/python bench/bench_sweep.py [--open 1000000] [--closed 0] [--warn-share 0.01]
        [--breach-share 0.001] [--reuse] [--per-case]
        [--server-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

The generator (bench/generate.py) builds ``--open`` open cases (plus ``--closed`` closed ones) in
a database of their own, with deadlines chosen so that at a fixed ``now`` exactly
``warn-share`` of the open cases have crossed a warning line and ``breach-share`` a deadline that
the sweep has not raised yet (as if it had stopped a while before). Then, in the same run:

1. the migration to head, timed, where the data is older than the code (a template generated
   before migration 0005 gets its partial indexes here, as a production database would);
2. the baseline: a naive sweep that reads every open case into Python and works out its SLA state
   with the working calendar (``warning_line`` and ``sla_state``), finding the same cases;
3. ONE ``sweep_deadlines(hotline, now)`` — the production code, timed, including its history
   events, supervision records and outbox rows;
4. checks: the sweep raised exactly the expected counts, wrote one warning or breach event, one
   supervision and one outbox row per new supervision, stamped exactly the expected markers, the
   affected cases' hash chains still verify, a second sweep raises nothing, and the claim's plan
   uses the partial index (``EXPLAIN ANALYZE`` of one claim goes into the results);
5. with ``--per-case`` (needs ``--reuse``): on a fresh copy of the same data, the sweep as it was
   before (bench/sweep_per_case.py, per case through the ORM, on the schema the data was
   generated with), timed and checked the same way, and an md5 of everything each wrote: the
   same digest means the same rows.

Results: bench/results/sweep.json (machine, load, PostgreSQL settings, every figure). With
``--reuse`` the generated database is kept as the template ``<db-name>_base`` and copied for each
measurement, so the sweep can be measured again without generating anew (``DROP DATABASE
hotline_bench_sweep_base`` gives the disk back).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.common import (  # noqa: E402
    load_average,
    postgres_info,
    print_json,
    recreate_postgres_database,
    stderr,
    write_result,
)
from bench.generate import Options, generate  # noqa: E402
from bench.sweep_per_case import sweep_deadlines_per_case  # noqa: E402
from hotline.adapters.db.database import Database  # noqa: E402
from hotline.adapters.db.migrate import current_revision, upgrade  # noqa: E402
from hotline.adapters.db.models import Case, CaseEvent, OutboxItem, Supervision  # noqa: E402
from hotline.bootstrap import build_calendar, build_hotline  # noqa: E402
from hotline.config import Settings  # noqa: E402
from hotline.domain.sla import SlaState, sla_state, warning_line  # noqa: E402
from hotline.services.actions.sweeps import (  # noqa: E402
    DEFAULT_BATCH,
    SWEEPS,
    claim_statement,
    sweep_deadlines,
)
from hotline.services.cases.history import verify_case_history  # noqa: E402

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DATABASE = "hotline_bench_sweep"  # the template kept by --reuse is DATABASE_base
TARGET_SECONDS = 10.0
# Everything a sweep wrote at ``now``, in one md5: two sweeps that write the same rows have the
# same digest. Ids are left out (supervision ids, and with them the events' hashes and the
# outbox payloads, follow the order in which a sweep takes its batches: id order per case
# before, line order now), and so is ``cases.version`` (the per-case path moved it once per ORM
# flush); every touched chain is verified separately.
DIGEST = text(
    """
    SELECT md5(
      (SELECT coalesce(string_agg(concat_ws('|', case_id, seq, action, actor, from_status,
            to_status, reason, (details - 'supervision')::text), ',' ORDER BY case_id, seq), '')
        FROM case_events WHERE at = :now)
      || (SELECT coalesce(string_agg(concat_ws('|', case_id, level, source, reason,
            target_unit_id, head_name, head_title, district_code, status, created_by, due_at),
            ',' ORDER BY case_id, level, source), '') FROM supervisions WHERE created_at = :now)
      || (SELECT coalesce(string_agg(concat_ws('|', kind, status, (payload - 'supervision')::text),
            ',' ORDER BY payload->>'case', payload->>'level'), '') FROM outbox
            WHERE created_at = :now)
      || (SELECT coalesce(string_agg(concat_ws('|', id, supervised, updated_at, accept_warned_at,
            accept_breached_at, reply_warned_at, reply_breached_at), ',' ORDER BY id), '')
            FROM cases WHERE updated_at = :now
            OR accept_warned_at = :now OR accept_breached_at = :now
            OR reply_warned_at = :now OR reply_breached_at = :now))
    """
)
OPEN_STATUSES = sorted({status for sweep in SWEEPS for status in sweep.statuses})


def _baseline_rows(url: str) -> list[tuple[Any, ...]]:
    """Every open case the sweep could concern, with the start of its current stage."""
    sql = text(
        """
        SELECT c.id, c.status, c.accept_due_at, c.reply_due_at, c.accept_warn_at,
               c.reply_warn_at, c.accept_warned_at, c.accept_breached_at, c.reply_warned_at,
               c.reply_breached_at, c.accept_late, s.started_at
        FROM cases c
        JOIN (SELECT case_id, max(dispatched_at) AS started_at FROM case_assignments
              WHERE role = 'lead' AND parent_id IS NULL AND status <> 'ended'
              GROUP BY case_id) s ON s.case_id = c.id
        WHERE c.status = ANY(:statuses)
        """
    )
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(sql, {"statuses": OPEN_STATUSES}))
    finally:
        engine.dispose()


def naive_sweep(url: str, settings: Settings, now: datetime) -> dict[str, Any]:
    """The baseline: scan all open cases in Python, compute each stage's state with the
    calendar, count what a sweep would raise. Also checks the stored warning lines."""
    began = time.perf_counter()
    rows = _baseline_rows(url)
    fetched = time.perf_counter()
    calendar = build_calendar(settings)
    fraction = build_hotline(settings).policy.warn_fraction
    found: Counter[str] = Counter()
    mismatched = 0
    for row in rows:
        (
            _,
            status,
            accept_due,
            reply_due,
            accept_warn,
            reply_warn,
            accept_warned,
            accept_breached,
            reply_warned,
            reply_breached,
            accept_late,
            start,
        ) = row
        stages = (
            ("accept", accept_due, accept_warn, accept_warned, accept_breached),
            ("reply", reply_due, reply_warn, reply_warned, reply_breached),
        )
        for stage, due, stored_warn, warned, breached in stages:
            if status not in _statuses(stage) or due is None:
                continue
            if stage == "accept" and accept_late is not None:
                continue  # settled at the lead unit's accept; a sub-dispatch does not reopen it
            warn = warning_line(calendar, start, due, fraction)
            mismatched += warn != stored_warn
            state = sla_state(due, warn, now)
            if state is SlaState.OVERDUE and breached is None:
                found[f"{stage}_breach"] += 1
            if state in (SlaState.WARNING, SlaState.OVERDUE) and warned is None:
                found[f"{stage}_warning"] += 1
    ended = time.perf_counter()
    return {
        "open_cases_scanned": len(rows),
        "found": dict(found),
        "stored_warning_lines_differing": mismatched,
        "seconds": round(ended - began, 3),
        "seconds_fetch": round(fetched - began, 3),
        "seconds_compute": round(ended - fetched, 3),
    }


def _statuses(stage: str) -> tuple[str, ...]:
    return next(sweep.statuses for sweep in SWEEPS if sweep.stage == stage)


def verify(url: str, now: datetime, expected: dict[str, int]) -> dict[str, Any]:
    """What the sweep wrote at ``now``, and whether every touched chain still verifies."""
    db = Database(url)
    try:
        with db.transaction() as session:
            at_now = CaseEvent.at == now
            actions = Counter(
                dict(
                    session.execute(
                        select(CaseEvent.action, func.count())
                        .where(at_now)
                        .group_by(CaseEvent.action)
                    ).all()
                )
            )
            markers = {
                f"{sweep.stage}_{sweep.kind}": session.scalar(
                    select(func.count()).where(getattr(Case, sweep.marker) == now)
                )
                for sweep in SWEEPS
            }
            supervisions = session.scalar(select(func.count()).where(Supervision.created_at == now))
            outbox = session.scalar(select(func.count()).where(OutboxItem.created_at == now))
            touched = session.scalars(select(CaseEvent.case_id).where(at_now).distinct()).all()
            broken = [
                case.number
                for case in session.scalars(select(Case).where(Case.id.in_(touched)))
                if not verify_case_history(session, case).ok
            ]
            digest = session.execute(DIGEST, {"now": now}).scalar_one()
    finally:
        db.dispose()
    raised = sum(expected.values())
    checks = {
        "events_match": actions["sla_warning"] + actions["sla_breach"] == raised,
        "markers_match": {k: v for k, v in markers.items() if v} == expected,
        "one_supervision_event_each": actions["supervise"] == supervisions,
        "one_outbox_row_each": outbox == supervisions,
        "chains_verify": not broken,
    }
    return {
        "events": dict(actions),
        "markers": markers,
        "supervisions": supervisions,
        "outbox_rows": outbox,
        "cases_touched": len(touched),
        "broken_chains": broken[:10],
        "digest": digest,
        "checks": checks,
        "ok": all(checks.values()),
    }


def explain(url: str, now: datetime) -> list[str]:
    """The plan of one production claim (reply warnings), as the sweep sends it; run after the
    sweep (so it finds nothing and warms nothing) and rolled back."""
    sweep = next(sweep for sweep in SWEEPS if sweep.key == "reply_warning")
    engine = create_engine(url)
    compiled = claim_statement(sweep, now, DEFAULT_BATCH).compile(
        dialect=engine.dialect, compile_kwargs={"render_postcompile": True}
    )
    try:
        with engine.connect() as conn, conn.begin() as transaction:
            sql = f"EXPLAIN (ANALYZE, BUFFERS) {compiled}"
            plan = [row[0] for row in conn.exec_driver_sql(sql, compiled.params)]
            transaction.rollback()
            return plan
    finally:
        engine.dispose()


def migrate(url: str) -> dict[str, Any]:
    """Bring the copied data to the code's schema (0005 adds the sweep's partial indexes), timed:
    what deploying the migration costs on a database of this size."""
    engine = create_engine(url)
    try:
        before = current_revision(engine)
        began = time.perf_counter()
        upgrade(url)
        seconds = time.perf_counter() - began
        return {"from": before, "to": current_revision(engine), "seconds": round(seconds, 3)}
    finally:
        engine.dispose()


def prepare(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    """A fresh database with the generated cases; from the template when ``--reuse`` has one
    (the generator's report, with ``now`` and the pending counts, is kept beside it)."""
    wanted, kept = _parameters(args), _saved(args)
    if args.reuse and _exists(args.server_url, f"{args.db_name}_base") and kept.exists():
        saved = json.loads(kept.read_text(encoding="utf-8"))
        if saved.get("parameters") == wanted:
            stderr.print(f"copying {args.db_name}_base → {args.db_name}")
            return _copy_template(args), {**saved["report"], "reused_template": True}
    url = recreate_postgres_database(args.server_url, args.db_name)
    total = args.open + args.closed
    report = generate(
        Options(
            database_url=url,
            cases=total,
            months=args.months,
            seed=args.seed,
            open_fraction=args.open / total,
            pending_warnings=round(args.open * args.warn_share),
            pending_breaches=round(args.open * args.breach_share),
            workers=args.workers,
        )
    )
    if args.reuse:
        _save_template(args)
        kept.parent.mkdir(parents=True, exist_ok=True)
        saved = {"parameters": wanted, "report": report}
        kept.write_text(json.dumps(saved, ensure_ascii=False, indent=2), encoding="utf-8")
        url = _copy_template(args)
    return url, report


def _saved(args: argparse.Namespace) -> Path:
    """The generator's report kept with the template (``now``, pending counts); local state,
    so under the ignored ``var/``."""
    return ROOT / "var" / "bench" / f"{args.db_name}_generation.json"


def _parameters(args: argparse.Namespace) -> dict[str, Any]:
    names = ("open", "closed", "warn_share", "breach_share", "months", "seed")
    return {name: getattr(args, name) for name in names}


def _admin(server_url: str) -> Any:
    return create_engine(server_url, isolation_level="AUTOCOMMIT")


def _exists(server_url: str, name: str) -> bool:
    engine = _admin(server_url)
    try:
        with engine.connect() as conn:
            found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            return found.first() is not None
    finally:
        engine.dispose()


def _save_template(args: argparse.Namespace) -> None:
    engine = _admin(args.server_url)
    database, template = args.db_name, f"{args.db_name}_base"
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)'))
            conn.execute(text(f'ALTER DATABASE "{database}" RENAME TO "{template}"'))
    finally:
        engine.dispose()


def _copy_template(args: argparse.Namespace) -> str:
    engine = _admin(args.server_url)
    database, template = args.db_name, f"{args.db_name}_base"
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{database}" TEMPLATE "{template}"'))
    finally:
        engine.dispose()
    return make_url(args.server_url).set(database=database).render_as_string(hide_password=False)


def _expected(report: dict[str, Any]) -> tuple[datetime, dict[str, int]]:
    """``now`` and the lines left pending at it, from the generator's report."""
    counts = {k: v for k, v in report["pending_at_now"].items() if v}
    return datetime.fromisoformat(report["now"]), counts


SWEEPERS = {"production": sweep_deadlines, "per-case": sweep_deadlines_per_case}


def measure(
    url: str, now: datetime, expected: dict[str, int], variant: str = "production"
) -> dict[str, Any]:
    """One timed sweep (and a second one, which must find nothing), then the checks.

    ``variant``: ``production`` (``sweep_deadlines`` as shipped) or ``per-case`` (the sweep as it
    was before, bench/sweep_per_case.py).
    """
    sweep = SWEEPERS[variant]
    hotline = build_hotline(Settings(database_url=url), now=lambda: now)
    load_before = load_average()
    stderr.print(f"{variant}: sweeping …")
    began, cpu = time.perf_counter(), time.process_time()
    report = sweep(hotline, now)
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    load_after = load_average()
    began = time.perf_counter()
    again = sweep(hotline, now)
    seconds_again = time.perf_counter() - began
    revision = _revision(hotline.db)
    hotline.db.dispose()
    return {
        "variant": variant,
        "schema_revision": revision,
        "seconds": round(seconds, 3),
        "client_cpu_seconds": round(cpu, 3),
        "raised": report.raised,
        "raised_total": report.total,
        "cases_per_second": round(report.total / seconds, 1) if seconds else None,
        "target_seconds": TARGET_SECONDS,
        "met_target": seconds < TARGET_SECONDS,
        "exactly_expected": report.raised == expected,
        "load_average_before": load_before,
        "load_average_after": load_after,
        "second_sweep": {"seconds": round(seconds_again, 3), "raised": again.raised},
        "verification": verify(url, now, expected),
    }


def _revision(db: Database) -> str | None:
    return current_revision(db.engine)


def run(args: argparse.Namespace) -> dict[str, Any]:
    if args.per_case and not args.reuse:
        raise SystemExit("--per-case needs --reuse (it runs on a fresh copy of the same data)")
    url, generated = prepare(args)
    now, expected = _expected(generated)
    stderr.print("migrating the copy to the code's schema")
    migration = migrate(url)
    stderr.print(f"baseline: scanning open cases at {now.isoformat()}")
    baseline = naive_sweep(url, Settings(database_url=url), now)
    sweep = measure(url, now, expected)
    plan = explain(url, now)
    result: dict[str, Any] = {
        "parameters": {**_parameters(args), "now": now.isoformat()},
        "postgres": postgres_info(url),
        "generation": generated,
        "migration": migration,
        "expected": expected,
        "baseline": baseline,
        "sweep": sweep,
        "plan_reply_warning_claim": plan,
        "plan_uses_partial_index": any("ix_cases_sweep_reply_warning" in line for line in plan),
        "exactly_expected": sweep["exactly_expected"] and baseline["found"] == expected,
        "ok": sweep["verification"]["ok"],
    }
    if args.per_case:
        before = measure(_copy_template(args), now, expected, "per-case")
        before["same_rows_as_production"] = (
            before["verification"]["digest"] == sweep["verification"]["digest"]
        )
        result["per_case_baseline"] = before
        result["ok"] = result["ok"] and before["verification"]["ok"]
        result["ok"] = result["ok"] and before["same_rows_as_production"]
        result["exactly_expected"] &= before["exactly_expected"]
    return result


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server-url", default=SERVER, help="any database on the server")
    parser.add_argument("--open", type=int, default=1_000_000)
    parser.add_argument("--closed", type=int, default=0)
    parser.add_argument("--warn-share", type=float, default=0.01)
    parser.add_argument("--breach-share", type=float, default=0.001)
    parser.add_argument("--months", type=int, default=2)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--reuse", action="store_true", help="keep the data as a template")
    parser.add_argument(
        "--per-case",
        action="store_true",
        help="also time the sweep as it was before (per case, ORM) on a fresh copy",
    )
    parser.add_argument("--name", default="sweep", help="results file bench/results/NAME.json")
    parser.add_argument("--db-name", default=DATABASE, help="the database to (re)create")
    parser.add_argument("--json", action="store_true")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.workers is None:
        args.workers = os.cpu_count() or 1
    result = run(args)
    path = write_result(args.name, result)
    if args.json:
        print_json(result)
    else:
        _print_human(args, result, path)
    return 0 if result["exactly_expected"] and result["ok"] else 1


def _print_human(args: argparse.Namespace, result: dict[str, Any], path: Path) -> None:
    baseline, migration = result["baseline"], result["migration"]
    print(f"open cases: {args.open:,}  expected: {result['expected']}")
    print(f"migration {migration['from']} → {migration['to']}: {migration['seconds']} s")
    print(f"baseline (naive scan): {baseline['seconds']} s, found {baseline['found']}")
    for sweep in [result["sweep"], *filter(None, [result.get("per_case_baseline")])]:
        verdict = "met" if sweep["met_target"] else "missed"
        print(
            f"{sweep['variant']}: {sweep['seconds']} s, raised {sweep['raised_total']} "
            f"(target < {TARGET_SECONDS} s: {verdict}); second sweep "
            f"{sweep['second_sweep']['seconds']} s raised {sweep['second_sweep']['raised']}; "
            f"checks {'ok' if sweep['verification']['ok'] else sweep['verification']['checks']}"
        )
    if "per_case_baseline" in result:
        print(f"same rows as per-case: {result['per_case_baseline']['same_rows_as_production']}")
    print(f"claim uses its partial index: {result['plan_uses_partial_index']}")
    print(f"results: {path}")


if __name__ == "__main__":
    sys.exit(main())
