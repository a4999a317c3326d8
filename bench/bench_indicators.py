"""A month of indicators by district over generated cases, beside a plain GROUP BY on the raw
tables measured in the same run.

    .venv/bin/python bench/generate.py --database-url URL --cases N      # the data, once
    .venv/bin/python bench/bench_indicators.py --database-url URL [--month 2026-10] [--json]

Steps: replay all history into indicator facts and the rollup (``rebuild``; skipped with
``--reuse`` when facts are current), time the report (``indicator_report``: ten indicators for
the month by district with 环比 and 同比, i.e. three periods) against a plain GROUP BY over
cases, events, callbacks and requests for the month alone; check that the rollup agrees with a
raw recomputation from history; measure what keeping facts and rollup in step costs per case
event (one case re-derived per transaction, and in batches); settle an old month and time the
report of a settled month. Results go to ``bench/results/indicators.json`` under the database
kind (sqlite / postgresql), with the machine and the date. The database is migrated to head
first (older generated data gets the report's indexes). For PostgreSQL, a generated SQLite
database can be copied over with ``bench/copy_to_postgres.py`` (its indicator tables too, once
replayed there: then ``--reuse`` times the report without a second replay).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, text  # noqa: E402

from bench.common import RESULTS, print_json, redact, stderr, write_result  # noqa: E402
from hotline.adapters.db.indicator_store import newest_seqs  # noqa: E402
from hotline.adapters.db.migrate import upgrade  # noqa: E402
from hotline.adapters.db.models import Case, CaseEvent, IndicatorFact, Problem  # noqa: E402
from hotline.bootstrap import build_hotline  # noqa: E402
from hotline.config import Settings  # noqa: E402
from hotline.domain.indicators import Period, month_period  # noqa: E402
from hotline.domain.roles import SYSTEM  # noqa: E402
from hotline.reports.indicator_counts import ReportMoment  # noqa: E402
from hotline.reports.indicators import IndicatorQuery, indicator_report  # noqa: E402
from hotline.reports.recompute import raw_counts  # noqa: E402
from hotline.services.context import Hotline  # noqa: E402
from hotline.services.evaluation.settlement import (  # noqa: E402
    rebuild_indicator_facts,
    refresh_cases,
    settle_month,
    settlement_of,
)

TARGETS = {"postgresql": 2.0, "sqlite": 5.0}  # seconds, a month by district (the issue)
RAW_SQL = {
    "reply_deadlines": """
        SELECT district_code, count(*),
               sum(CASE WHEN replied_at IS NOT NULL THEN 1 ELSE 0 END),
               sum(CASE WHEN reply_late THEN 1 ELSE 0 END),
               sum(CASE WHEN replied_at IS NULL AND reply_due_at < :now THEN 1 ELSE 0 END)
        FROM cases WHERE reply_due_at >= :start AND reply_due_at < :end
        GROUP BY district_code""",
    "events": """
        SELECT c.district_code, e.action, count(*)
        FROM case_events e JOIN cases c ON c.id = e.case_id
        WHERE e.at >= :start AND e.at < :end
          AND e.action IN ('dispatch', 'sub_dispatch', 'accept', 'return', 'reply', 'verify',
                           'reopen')
        GROUP BY c.district_code, e.action""",
    "callbacks": """
        SELECT c.district_code, count(*),
               sum(CASE WHEN cb.process_satisfaction IN ('satisfied', 'basically_satisfied')
                   THEN 1 ELSE 0 END),
               sum(CASE WHEN cb.result_satisfaction IN ('satisfied', 'basically_satisfied')
                   THEN 1 ELSE 0 END),
               sum(CASE WHEN cb.solved THEN 1 ELSE 0 END)
        FROM case_callbacks cb JOIN cases c ON c.id = cb.case_id
        WHERE cb.outcome = 'reached' AND cb.at >= :start AND cb.at < :end
        GROUP BY c.district_code""",
    "intake": """
        SELECT district_code, count(*),
               sum(CASE WHEN problem_id IS NOT NULL THEN 1 ELSE 0 END)
        FROM cases WHERE received_on BETWEEN :first AND :last
        GROUP BY district_code""",
}


def timed(work: Callable[[], Any], repeat: int) -> dict[str, Any]:
    """First (cold) run, then ``repeat`` more: median and worst of those."""
    began = time.perf_counter()
    work()
    cold = time.perf_counter() - began
    runs = []
    for _ in range(repeat):
        began = time.perf_counter()
        work()
        runs.append(time.perf_counter() - began)
    return {
        "cold_s": round(cold, 3),
        "median_s": round(statistics.median(runs), 3),
        "max_s": round(max(runs), 3),
        "runs": repeat,
    }


def utc_bounds(hotline: Hotline, period: Period) -> dict[str, Any]:
    """The month as UTC instants (events, callbacks, deadlines) and local dates (intake)."""

    def midnight(day: date) -> datetime:
        return datetime.combine(day, dt_time.min, hotline.settings.tz).astimezone(UTC)

    return {
        "start": midnight(period.start),
        "end": midnight(period.end + timedelta(days=1)),
        "first": period.start,
        "last": period.end,
    }


def raw_group_by(hotline: Hotline, period: Period, now: datetime) -> int:
    """The baseline: the same month by district straight from the raw tables (current state)."""
    params = {**utc_bounds(hotline, period), "now": now}
    rows = 0
    with hotline.db.transaction() as session:
        for sql in RAW_SQL.values():
            rows += len(session.execute(text(sql), params).all())
    return rows


LINK_PAIRS = {
    "problems": """
        INSERT INTO problems (id, status, title, case_count, recurrence_count, first_case_at,
                              last_case_at, version)
        SELECT id / 10 + 1, 'open', '合成问题', 2, 1, min(created_at), max(created_at), 1
        FROM cases WHERE id % 10 IN (0, 1) GROUP BY id / 10 + 1""",
    "cases": "UPDATE cases SET problem_id = id / 10 + 1 WHERE id % 10 IN (0, 1)",
}


def link_repeats(hotline: Hotline) -> dict[str, Any]:
    """The generator files no problems; pair every 10th case with its successor on one problem
    (a fifth of all cases are repeats) so that the repeat rate costs what it would."""
    with hotline.db.transaction() as session:
        if session.scalar(select(func.count()).select_from(Problem)):
            return {"linked": "already"}
        began = time.perf_counter()
        for sql in LINK_PAIRS.values():
            session.execute(text(sql))
        # fresh planner statistics, as a production database keeps them (the generator's
        # were taken before any case had a problem)
        session.execute(
            text("ANALYZE cases, problems" if hotline.db.dialect == "postgresql" else "ANALYZE")
        )
        linked = session.scalar(select(func.count()).where(Case.problem_id.is_not(None)))
    return {"linked_cases": linked, "seconds": round(time.perf_counter() - began, 1)}


def sizes(hotline: Hotline) -> dict[str, int]:
    with hotline.db.transaction() as session:
        return {
            "cases": session.scalar(select(func.count()).select_from(Case)) or 0,
            "events": session.scalar(select(func.count()).select_from(CaseEvent)) or 0,
            "facts": session.scalar(select(func.count()).select_from(IndicatorFact)) or 0,
        }


def report_of(hotline: Hotline, period: Period, now: datetime) -> dict[str, Any]:
    moment = ReportMoment(hotline.settings.tz, now)
    with hotline.db.snapshot() as session:
        return indicator_report(session, moment, IndicatorQuery(period, "district")).as_data()


def agreement(
    hotline: Hotline, period: Period, now: datetime, district: str | None
) -> dict[str, Any]:
    """Rollup (through the report) against a replay of raw history, by district (all of them,
    or the one given: its cases are replayed and its group compared)."""
    began = time.perf_counter()
    with hotline.db.transaction() as session:
        raw = raw_counts(session, period, ReportMoment(hotline.settings.tz, now), district)
    seconds = time.perf_counter() - began
    by_group: dict[str, Counter[str]] = {}
    for (_day, kind, dim, key), n in raw.items():
        if dim == "district":
            by_group.setdefault(key, Counter())[kind] += n
    report = report_of(hotline, period, now)
    mismatches = []
    for group in report["groups"]:
        if district is not None and group["key"] != district:
            continue
        counts = by_group.get(group["key"], Counter())
        for key, value in group["indicators"].items():
            definition = next(d for d in report["definitions"] if d["key"] == key)
            expected = tuple(
                sum(counts[k] for k in definition[side]) for side in ("numerator", "denominator")
            )
            if expected != (value["numerator"], value["denominator"]):
                mismatches.append({"group": group["key"], "indicator": key, "raw": expected})
    return {
        "district": district or "all",
        "agrees": not mismatches,
        "mismatches": mismatches[:20],
        "raw_replay_s": round(seconds, 3),
    }


def maintenance(hotline: Hotline, now: datetime, sample: int, seed: int) -> dict[str, Any]:
    """What keeping facts and rollup in step costs per case event. A new event re-derives its
    case (all of its events) and moves the rollup by the difference: timed once per case in its
    own transaction (a hook after every action would pay this), and for the sample in one
    batch (the worker's refresh), divided by the events the sample's cases hold."""
    with hotline.db.transaction() as session:
        top = session.scalar(select(func.max(Case.id))) or 0
        ids = sorted(random.Random(seed).sample(range(1, top + 1), min(sample, top)))
        seqs = newest_seqs(session, ids)
    began = time.perf_counter()
    for case_id, seq in seqs.items():
        with hotline.db.transaction() as session:
            refresh_cases(hotline, session, {case_id: seq}, now)
    hook = (time.perf_counter() - began) / max(len(seqs), 1)
    began = time.perf_counter()
    with hotline.db.transaction() as session:
        refresh_cases(hotline, session, seqs, now)
    batch = time.perf_counter() - began
    events = sum(seqs.values())
    return {
        "cases": len(seqs),
        "events_of_those_cases": events,
        "per_event_as_hook_ms": round(hook * 1000, 3),
        "per_event_in_worker_batch_ms": round(batch / max(events, 1) * 1000, 4),
    }


def settled(hotline: Hotline, month: str, now: datetime, repeat: int) -> dict[str, Any]:
    with hotline.db.transaction() as session:
        done = settlement_of(session, month) is not None
    result: dict[str, Any] = {"month": month}
    if not done:
        began = time.perf_counter()
        settle_month(hotline, month, SYSTEM, now)
        result["settle_s"] = round(time.perf_counter() - began, 3)
    result["report"] = timed(lambda: report_of(hotline, month_period(month), now), repeat)
    return result


def run(args: argparse.Namespace) -> dict[str, Any]:
    upgrade(args.database_url)  # data generated before the newest migration gets its indexes
    hotline = build_hotline(Settings(database_url=args.database_url))
    now = datetime.fromisoformat(args.now).astimezone(UTC)
    period = month_period(args.month)
    kind = hotline.db.dialect
    result: dict[str, Any] = {"database": redact(args.database_url), "month": args.month}
    result["size_before"] = sizes(hotline)
    if not args.reuse or result["size_before"]["facts"] == 0:
        stderr.print("replaying history into indicator facts …")
        began = time.perf_counter()
        replay = rebuild_indicator_facts(hotline, now, batch_size=args.batch)
        seconds = time.perf_counter() - began
        events = result["size_before"]["events"]
        result["rebuild"] = {
            "seconds": round(seconds, 1),
            "cases": replay.cases,
            "facts": replay.facts,
            "events_per_s": round(events / seconds),
        }
    result["size"] = sizes(hotline)
    result["problem_links"] = link_repeats(hotline)
    stderr.print("timing the report and the raw GROUP BY …")
    result["indicators_by_district"] = timed(lambda: report_of(hotline, period, now), args.repeat)
    result["raw_group_by"] = timed(lambda: raw_group_by(hotline, period, now), args.repeat)
    result["target_s"] = TARGETS.get(kind)
    result["meets_target"] = result["indicators_by_district"]["median_s"] <= TARGETS.get(kind, 0)
    if not args.no_agreement:
        stderr.print("replaying raw history for the month to check the rollup …")
        result["agreement"] = agreement(hotline, period, now, args.agreement_district)
    result["maintenance"] = maintenance(hotline, now, args.sample, args.seed)
    if args.settle_month:
        result["settled"] = settled(hotline, args.settle_month, now, args.repeat)
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]
    result["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    return {"kind": kind, **result}


def _carry_over(result: dict[str, Any], earlier: dict[str, Any]) -> None:
    """With --reuse the replay and the settlement are not redone: keep their earlier figures,
    marked as such, when the earlier run was on the same database."""
    if earlier.get("database") != result["database"]:
        return
    if "rebuild" not in result and "rebuild" in earlier:
        result["rebuild"] = {**earlier["rebuild"], "from_run": earlier.get("measured_at")}
    settled, before = result.get("settled", {}), earlier.get("settled", {})
    if settled and "settle_s" not in settled and "settle_s" in before:
        settled["settle_s"] = before["settle_s"]
        settled["settle_from_run"] = before.get("settle_from_run", earlier.get("measured_at"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("HOTLINE_DATABASE_URL"))
    parser.add_argument("--month", default="2026-10")
    parser.add_argument("--now", default="2026-11-30T16:00:00+08:00", help="the generator's now")
    parser.add_argument("--settle-month", default="2025-01", help="an old month to settle")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="keep facts from an earlier run")
    parser.add_argument("--no-agreement", action="store_true", help="skip the raw replay check")
    parser.add_argument("--agreement-district", help="replay only this district's cases")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("--database-url or HOTLINE_DATABASE_URL is required")
    result = run(args)
    path = RESULTS / "indicators.json"
    previous = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    _carry_over(result, previous.get("runs", {}).get(result["kind"], {}))
    runs = {**previous.get("runs", {}), result["kind"]: result}
    write_result("indicators", {"runs": runs})
    if args.json:
        print_json(result)
    else:
        stderr.print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
