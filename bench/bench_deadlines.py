"""Deadline computations per second on one core: reply deadline = start + 5 working days.

Run: ``.venv/bin/python bench/bench_deadlines.py [--samples N] [--naive-samples M]``.
Prints one JSON object. The naive baseline walks the clock minute by minute (the obvious
implementation) over a sample of the same starts, in the same run, and must agree with the
calendar on every one of them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hotline.adapters.cncalendar import official_day_kinds, official_years, package_version
from hotline.domain.calendar import WorkingCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
REPLY_DAYS = 5
TARGET_PER_SECOND = 100_000


def pin_to_one_core() -> int | None:
    """Measure one core's throughput: keep the scheduler from moving the process around."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return core


def random_starts(count: int, seed: int = 20251001) -> list[datetime]:
    """Starts to the minute, uniformly over 2024-01-01 .. 2026-12-31 local time."""
    rng = random.Random(seed)
    first = datetime(2024, 1, 1, tzinfo=SHANGHAI)
    span_minutes = int((datetime(2027, 1, 1, tzinfo=SHANGHAI) - first).total_seconds() // 60)
    return [first + timedelta(minutes=rng.randrange(span_minutes)) for _ in range(count)]


def stepping_deadline(calendar: WorkingCalendar, start: datetime, minutes: int) -> datetime:
    """The naive baseline: step one minute at a time, asking each minute whether it is worked."""

    def working(moment: datetime) -> bool:
        clock = moment.time()
        hours = calendar.schedule.hours_on(moment.date())
        in_period = any(begin <= clock < end for begin, end in hours.periods)
        return in_period and calendar.days.is_workday(moment.date())

    moment, counted = start.astimezone(calendar.tz), 0
    while counted < minutes or (minutes == 0 and not working(moment)):
        counted += working(moment)
        moment += timedelta(minutes=1)
    return moment


def timed(compute: Callable[[datetime], datetime], starts: Sequence[datetime]) -> dict[str, float]:
    began = time.perf_counter()
    for start in starts:
        compute(start)
    seconds = time.perf_counter() - began
    return {
        "computations": len(starts),
        "seconds": round(seconds, 4),
        "per_second": _rate(starts, seconds),
    }


def _rate(starts: Sequence[datetime], seconds: float) -> float:
    return round(len(starts) / seconds, 1)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200_000)
    parser.add_argument("--naive-samples", type=int, default=200)
    args = parser.parse_args(argv)
    core = pin_to_one_core()
    starts = random_starts(args.samples)
    minutes = REPLY_DAYS * WorkingCalendar(SHANGHAI, official_day_kinds()).standard_day_minutes

    cold_calendar = WorkingCalendar(SHANGHAI, official_day_kinds())
    cold = timed(lambda s: cold_calendar.add_working_days(s, REPLY_DAYS), starts[:10_000])
    calendar = WorkingCalendar(SHANGHAI, official_day_kinds())
    for start in starts[:5_000]:  # warm the per-day plans, as a long-running process has them
        calendar.add_working_days(start, REPLY_DAYS)
    fast = timed(lambda s: calendar.add_working_days(s, REPLY_DAYS), starts)

    sample = starts[: args.naive_samples]
    naive = timed(lambda s: stepping_deadline(calendar, s, minutes), sample)
    disagreements = [
        s.isoformat()
        for s in sample
        if stepping_deadline(calendar, s, minutes) != calendar.add_working_days(s, REPLY_DAYS)
    ]
    report = {
        "benchmark": "reply deadline = start + 5 working days (2100 working minutes)",
        "starts": "random minutes 2024-01-01..2026-12-31, Asia/Shanghai, seed 20251001",
        "date": datetime.now(UTC).date().isoformat(),
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "processor": platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count(),
            "pinned_to_cpu": core,
        },
        "chinesecalendar": {"version": package_version(), "years": str(official_years())},
        "calendar_cold_first_10000": cold,
        "calendar_warm": fast,
        "naive_minute_stepping": naive,
        "speedup_warm_over_naive": round(fast["per_second"] / naive["per_second"], 1),
        "target_per_second": TARGET_PER_SECOND,
        "meets_target": fast["per_second"] >= TARGET_PER_SECOND,
        "naive_agrees_on_all_samples": not disagreements,
        "disagreements": disagreements[:10],
    }
    json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
