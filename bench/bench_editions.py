"""What storing a district cut (区县版) per recipient district costs when an edition is produced:
the city edition alone (the baseline, what production did before) against the city edition and
the cut of every district with a recipient in the profile, built and rendered in both formats,
measured in the same run.

    .venv/bin/python bench/generate.py --database-url URL --cases N      # the data, once
    .venv/bin/python bench/bench_editions.py --database-url URL [--day 2026-11-25]
        [--month 2026-10] [--repeat 2] [--json]

Nothing is stored: the step timed is ``production.produce_formats`` (what the scheduled
production calls before its one storing transaction). The indicator facts are brought up to
date first (``refresh``), as the worker keeps them. Results go to
``bench/results/editions.json`` under the database kind.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_reports import sizes, timed  # noqa: E402
from bench.common import (  # noqa: E402
    load_average,
    machine_info,
    print_json,
    redact,
    stderr,
    write_result,
)
from hotline.bootstrap import build_hotline  # noqa: E402
from hotline.config import Settings  # noqa: E402
from hotline.services.evaluation.settlement import refresh_indicator_facts  # noqa: E402
from hotline.services.reporting.editions import cut_districts  # noqa: E402
from hotline.services.reporting.production import produce_formats  # noqa: E402


def run(args: argparse.Namespace) -> dict[str, Any]:
    now = datetime.fromisoformat(args.now).astimezone(UTC)
    hotline = build_hotline(Settings(database_url=args.database_url))
    hotline.now = lambda: now
    stderr.print("indicator facts: refresh …")
    refresh_indicator_facts(hotline, now)
    result: dict[str, Any] = {"database": redact(args.database_url), "now": now.isoformat(),
                              "day": args.day, "month": args.month}  # fmt: skip
    result["data"] = sizes(hotline, date.fromisoformat(args.day))
    result["load_average_before"] = load_average()
    timings: dict[str, Any] = {}
    for kind, key in (("daily", args.day), ("monthly", args.month)):
        districts = cut_districts(hotline, kind)
        stderr.print(f"[bold]{kind}[/]: city alone, then with {len(districts)} cuts …")
        timings[f"{kind}_city_only"] = timed(partial(produce_formats, hotline, kind, key),
                                             args.repeat)  # fmt: skip
        cuts = timed(partial(produce_formats, hotline, kind, key, districts), args.repeat)
        timings[f"{kind}_with_cuts"] = {**cuts, "districts": len(districts)}
    result["timings"] = timings
    result["load_average_after"] = load_average()
    result["machine"] = machine_info()
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("HOTLINE_DATABASE_URL"))
    parser.add_argument("--now", default="2026-11-30T16:00:00+08:00", help="the generator's now")
    parser.add_argument("--day", default="2026-11-25")
    parser.add_argument("--month", default="2026-10")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("--database-url (or HOTLINE_DATABASE_URL) is required")
    result = run(args)
    kind = "postgresql" if args.database_url.startswith("postgresql") else "sqlite"
    write_result("editions", {kind: result})
    if args.json:
        print_json(result)
    else:
        for name, timing in result["timings"].items():
            sys.stdout.write(f"{name:24} median {timing['median_s']:8.3f} s\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
