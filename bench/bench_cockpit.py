"""The leaders' cockpit's calls over generated cases, beside a plain GROUP BY in the same run.

    .venv/bin/python bench/generate.py --database-url URL --cases N --months 13   # the data
    .venv/bin/python bench/bench_cockpit.py --database-url URL [--day 2026-11-24]
        [--repeat 20] [--facts rebuild|refresh|reuse] [--json]

What a cockpit screen asks every minute, each timed cold once and then ``--repeat`` times
(median, p95, max), at the moment ``--day`` 10:00 local:

* ``today_cached``: ``GET /cockpit/today``'s service with the worker's rows fresh — what every
  screen reads (decision 0037);
* ``today_live``: the same with no row, the day's tiles counted on the spot (what the worker does
  once per 30 s; and a screen when no worker runs);
* ``worker_refresh``: the worker's ``refresh_figures`` (today; the past days once final);
* ``month_indicators``: the month so far by district with 同比 and 环比 (``GET /indicators``);
* ``trend``: 13 months of intake and key rates, city and one district (``GET /cockpit/trend``);
* ``map``: the map document (``GET /cockpit/map``), built once per process then cached.

Baseline in the same run: the day's intake by district straight from ``cases`` (GROUP BY).
Results go to ``bench/results/cockpit.json`` under the database kind.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, func, select, text  # noqa: E402

from bench.common import load_average, machine_info, print_json, redact, stderr, write_result  # noqa: E402
from hotline.adapters.db.models import Case, CockpitFigures  # noqa: E402
from hotline.bootstrap import build_hotline  # noqa: E402
from hotline.config import Settings  # noqa: E402
from hotline.domain.indicators import Period  # noqa: E402
from hotline.domain.roles import Actor, Role  # noqa: E402
from hotline.reports.indicator_counts import ReportMoment  # noqa: E402
from hotline.reports.indicators import IndicatorQuery, indicator_report  # noqa: E402
from hotline.services.cockpit.figures import cockpit_today, refresh_figures  # noqa: E402
from hotline.services.cockpit.map import city_map  # noqa: E402
from hotline.services.cockpit.trend import monthly_trend  # noqa: E402
from hotline.services.context import Hotline  # noqa: E402
from hotline.services.evaluation.settlement import (  # noqa: E402
    rebuild_indicator_facts,
    refresh_indicator_facts,
)

TARGETS = {"today_cached_p95_s": 0.3, "month_indicators_p95_s": 0.3, "map_p95_s": 0.2}  # issue 20
DAY_BASELINE = """
    SELECT district_code, count(*) FROM cases
    WHERE received_on = :day AND status <> 'void' GROUP BY district_code"""
LEADER = Actor("bench-lead", Role.LEADER)


def timed(work: Callable[[], Any], repeat: int) -> dict[str, Any]:
    """First (cold) run, then ``repeat`` more: median, p95 and worst of those."""
    began = time.perf_counter()
    work()
    cold = time.perf_counter() - began
    runs = []
    for _ in range(repeat):
        began = time.perf_counter()
        work()
        runs.append(time.perf_counter() - began)
    runs.sort()
    p95 = runs[min(len(runs) - 1, round(0.95 * (len(runs) - 1)))]
    return {"cold_s": round(cold, 4), "median_s": round(statistics.median(runs), 4),
            "p95_s": round(p95, 4), "max_s": round(runs[-1], 4), "runs": repeat}  # fmt: skip


def at_ten(hotline: Hotline, day: date) -> datetime:
    return datetime.combine(day, clock_time(10, 0), hotline.settings.tz).astimezone(UTC)


def drop_rows(hotline: Hotline) -> None:
    with hotline.db.transaction() as session:
        session.execute(delete(CockpitFigures))


def measure(hotline: Hotline, day: date, repeat: int) -> dict[str, Any]:
    now = at_ten(hotline, day)
    month = Period(day.replace(day=1), day)
    moment = ReportMoment(hotline.settings.tz, now)

    def live() -> None:
        drop_rows(hotline)
        cockpit_today(hotline, LEADER, now)

    def indicators() -> None:
        with hotline.db.transaction() as session:
            indicator_report(session, moment, IndicatorQuery(month, "district"))

    def baseline() -> None:
        with hotline.db.transaction() as session:
            session.execute(text(DAY_BASELINE), {"day": day}).all()

    figures: dict[str, Any] = {"today_live": timed(live, max(3, repeat // 4))}
    figures["worker_refresh"] = timed(lambda: refresh_figures(hotline, now), max(3, repeat // 4))
    refresh_figures(hotline, now)
    figures["today_cached"] = timed(lambda: cockpit_today(hotline, LEADER, now), repeat)
    figures["month_indicators"] = timed(indicators, repeat)
    figures["trend"] = timed(
        lambda: monthly_trend(hotline, now, day.strftime("%Y-%m"), "370102"), repeat
    )
    figures["map"] = timed(lambda: city_map(hotline), repeat)
    figures["baseline_day_intake_group_by"] = timed(baseline, repeat)
    return figures


def prepare_facts(hotline: Hotline, mode: str, now: datetime) -> float:
    began = time.perf_counter()
    if mode == "rebuild":
        rebuild_indicator_facts(hotline, now)
    elif mode == "refresh":
        refresh_indicator_facts(hotline, now)
    return round(time.perf_counter() - began, 2)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("HOTLINE_DATABASE_URL"))
    parser.add_argument("--day", type=date.fromisoformat, default=date(2026, 11, 24))
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--facts", choices=("rebuild", "refresh", "reuse"), default="refresh")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("--database-url (or HOTLINE_DATABASE_URL) is required")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    hotline = build_hotline(Settings(database_url=args.database_url))
    with hotline.db.transaction() as session:
        cases = session.scalar(select(func.count()).select_from(Case)) or 0
    stderr.print(f"{cases:,} cases; facts: {args.facts}")
    facts_s = prepare_facts(hotline, args.facts, at_ten(hotline, args.day))
    load_before = load_average()
    figures = measure(hotline, args.day, args.repeat)
    result = {
        "database": hotline.db.dialect,
        "url": redact(args.database_url),
        "cases": cases,
        "day": args.day.isoformat(),
        "facts": {"mode": args.facts, "seconds": facts_s},
        "targets": TARGETS,
        "figures": figures,
        "load_average": {"before": load_before, "after": load_average()},
        "machine": machine_info(),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    write_result("cockpit", {hotline.db.dialect: result})
    if args.json:
        print_json(result)
    else:
        for name, figure in figures.items():
            stderr.print(
                f"{name:32} median {figure['median_s']:.4f} s  p95 {figure['p95_s']:.4f} s"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
