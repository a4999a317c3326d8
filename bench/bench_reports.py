"""Daily notice, weekly summary and monthly report (with the evaluation) over generated cases,
beside a plain GROUP BY on the raw tables measured in the same run.

    .venv/bin/python bench/generate.py --database-url URL --cases N      # the data, once
    .venv/bin/python bench/bench_reports.py --database-url URL [--day 2026-11-25]
        [--week 2026-W48] [--month 2026-10] [--repeat 3] [--facts rebuild|refresh|reuse] [--json]

Steps: replay history into the indicator facts (``--facts rebuild``, as a fresh installation
would; ``refresh`` brings them up to date incrementally, as the worker does; ``reuse`` keeps
them), then time, each cold once and then ``--repeat`` times: the hotspot detection of the day;
the daily notice built and rendered as HTML and as xlsx; the weekly summary; the evaluation of
the month (``evaluate_month``) and the monthly report (evaluation included) in both formats.
Baselines in the same run: the day's intake by district × channel and the month's figures by
district straight from the raw tables with GROUP BY (no comparisons, no lists, no rendering).
Results go to ``bench/results/reports.json`` under the database kind.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, text  # noqa: E402

from bench.bench_indicators import raw_group_by  # noqa: E402
from bench.common import (  # noqa: E402
    RESULTS,
    machine_info,
    print_json,
    redact,
    stderr,
    write_result,
)
from hotline.adapters.db.models import Case, CaseEvent  # noqa: E402
from hotline.bootstrap import build_hotline  # noqa: E402
from hotline.config import Settings  # noqa: E402
from hotline.domain.indicators import month_period  # noqa: E402
from hotline.reports.hotspots import detect_hotspots  # noqa: E402
from hotline.services.context import Hotline  # noqa: E402
from hotline.services.evaluation.monthly import evaluate_month  # noqa: E402
from hotline.services.evaluation.settlement import (  # noqa: E402
    rebuild_indicator_facts,
    refresh_indicator_facts,
)
from hotline.services.reporting.production import produce_edition  # noqa: E402

TARGETS = {"daily_s": 2.0, "monthly_s": 10.0}  # issue 9, stated for 10 M cases on PostgreSQL
DAY_BASELINE = """
    SELECT district_code, channel_code, count(*) FROM cases
    WHERE received_on = :day AND status <> 'void' GROUP BY district_code, channel_code"""


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
    return {"cold_s": round(cold, 3), "median_s": round(statistics.median(runs), 3),
            "max_s": round(max(runs), 3), "runs": repeat}  # fmt: skip


def sizes(hotline: Hotline, day: date) -> dict[str, int]:
    with hotline.db.transaction() as session:
        count = select(func.count())
        return {
            "cases": session.scalar(count.select_from(Case)) or 0,
            "events": session.scalar(count.select_from(CaseEvent)) or 0,
            "cases_on_day": session.scalar(count.select_from(Case).where(Case.received_on == day))
            or 0,
        }


def table_state(hotline: Hotline) -> dict[str, Any]:
    """How much of ``cases`` changed since VACUUM last passed (PostgreSQL): index-only reads of
    recent rows visit every page not marked all-visible since, so this moves the figures."""
    if hotline.db.dialect != "postgresql":
        return {}
    with hotline.db.transaction() as session:
        row = session.execute(text(
            "SELECT n_dead_tup, greatest(last_vacuum, last_autovacuum) FROM pg_stat_user_tables "
            "WHERE relname = 'cases'")).one()  # fmt: skip
    return {"cases_dead_rows": row[0], "cases_last_vacuum": row[1] and row[1].isoformat()}


def day_baseline(hotline: Hotline, day: date) -> int:
    with hotline.db.transaction() as session:
        return len(session.execute(text(DAY_BASELINE), {"day": day}).all())


def measure(hotline: Hotline, args: argparse.Namespace, day: date, now: datetime) -> dict[str, Any]:
    month = args.month
    steps: dict[str, Callable[[], Any]] = {
        "baseline_day_group_by": lambda: day_baseline(hotline, day),
        "hotspots": lambda: detect_hotspots(hotline.db, day),
        "daily_html": lambda: produce_edition(hotline, "daily", args.day, "html", now),
        "daily_xlsx": lambda: produce_edition(hotline, "daily", args.day, "xlsx", now),
        "weekly_html": lambda: produce_edition(hotline, "weekly", args.week, "html", now),
        "baseline_month_group_by": lambda: raw_group_by(hotline, month_period(month), now),
        "evaluation": lambda: evaluate_month(hotline, month, now),
        "monthly_html": lambda: produce_edition(hotline, "monthly", month, "html", now),
        "monthly_xlsx": lambda: produce_edition(hotline, "monthly", month, "xlsx", now),
    }  # fmt: skip
    results = {}
    for name, work in steps.items():
        stderr.print(f"[bold]{name}[/] …")
        results[name] = timed(work, args.repeat)
    return results


def run(args: argparse.Namespace) -> dict[str, Any]:
    now = datetime.fromisoformat(args.now).astimezone(UTC)
    hotline = build_hotline(Settings(database_url=args.database_url))
    hotline.now = lambda: now
    day = date.fromisoformat(args.day)
    result: dict[str, Any] = {"database": redact(args.database_url), "now": now.isoformat(),
                              "day": args.day, "week": args.week, "month": args.month}  # fmt: skip
    if args.facts != "reuse":
        stderr.print(f"indicator facts: {args.facts} …")
        began = time.perf_counter()
        build = rebuild_indicator_facts if args.facts == "rebuild" else refresh_indicator_facts
        replay = build(hotline, now)
        result["facts"] = {"how": args.facts, "seconds": round(time.perf_counter() - began, 2),
                           "cases": replay.cases}  # fmt: skip
    result["data"] = sizes(hotline, day)
    result["table_state"] = table_state(hotline)
    result["timings"] = measure(hotline, args, day, now)
    edition = produce_edition(hotline, "monthly", args.month, "xlsx", now)
    result["monthly_xlsx_bytes"] = len(edition.content)
    result["targets_s"] = TARGETS
    result["machine"] = machine_info()  # per run: the two kinds may run at different times
    return result


def earlier_runs() -> dict[str, Any]:
    """The other database kind's last run stays in the results file beside this one."""
    path = RESULTS / "reports.json"
    if not path.exists():
        return {}
    document = json.loads(path.read_text(encoding="utf-8"))
    return {kind: document[kind] for kind in ("sqlite", "postgresql") if kind in document}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("HOTLINE_DATABASE_URL"))
    parser.add_argument("--now", default="2026-11-30T16:00:00+08:00", help="the generator's now")
    parser.add_argument("--day", default="2026-11-25")
    parser.add_argument("--week", default="2026-W48")
    parser.add_argument("--month", default="2026-10")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--facts", choices=("rebuild", "refresh", "reuse"), default="rebuild",
        help="replay history from scratch, bring facts up to date incrementally, or keep them",
    )  # fmt: skip
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("--database-url (or HOTLINE_DATABASE_URL) is required")
    result = run(args)
    kind = "postgresql" if args.database_url.startswith("postgresql") else "sqlite"
    write_result("reports", {**earlier_runs(), kind: result})
    if args.json:
        print_json(result)
    else:
        for name, timing in result["timings"].items():
            sys.stdout.write(f"{name:28} median {timing['median_s']:8.3f} s\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
