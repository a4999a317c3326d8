"""The demo: a living Jinan built through the pure handlers (engine) from drawn content.

:func:`build_demo` is the one entry point (``hotline demo`` and ``make run`` call it). Every
case is lived through the application's own action handlers and written by the bulk sink
(:mod:`hotline.demo.engine`; docs/decisions/0031-two-write-sinks.md), so its rows are those the
services would have written. The engine is imported when the demo is built, not with this
package, so that a command's start-up does not pay for it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from hotline.domain.errors import InvalidInput

if TYPE_CHECKING:
    from hotline.services.context import Hotline

Progress = Callable[[int, int], None]  # (cases written, cases planned), called per chunk


@dataclass(frozen=True)
class DemoSummary:
    """What one build (or catch-up) made."""

    cases: int
    first_day: date
    last_day: date
    seconds: float
    cases_per_second: float
    rows: dict[str, int]
    statuses: dict[str, int]
    caught_up_from: date | None  # None: a fresh build


def build_demo(
    hotline: Hotline,
    *,
    end: date,
    months: int = 13,
    per_day: float = 40.0,
    seed: int = 42,
    progress: Progress | None = None,
    start: date | None = None,
) -> DemoSummary:
    """Generate the demo's cases from ``start`` (default: ``months`` back from ``end``, or on a
    database that holds cases already, the day after the last one: a catch-up) to ``end``
    (inclusive) on ``hotline``'s database, migrated and seeded. The same seed, days and rate give
    the same rows. ``now`` is ``end`` at 16:00 local time, or the hotline's clock when ``end``
    is today. Raises :class:`InvalidInput` for arguments out of range."""
    from hotline.demo.engine import run  # the engine is heavy: only when a demo is built

    _check(months, per_day)
    tz = hotline.settings.tz
    now = hotline.now()
    if end > now.astimezone(tz).date():
        raise InvalidInput(f"结束日期 {end} 晚于今天", fields=("end",))
    previous = run.last_day_with_cases(hotline.db)
    caught_up_from = None
    if start is None and previous is not None:
        start = caught_up_from = previous + timedelta(days=1)
    if start is not None and start > end:
        return _nothing(start, end)
    options = run.Options(
        database_url=hotline.db.url,
        per_day=per_day,
        months=months,
        seed=seed,
        end=end,
        start=start,
        now=now if end == now.astimezone(tz).date() else None,
        workers=min(os.cpu_count() or 1, 4),
    )
    report = run.load(hotline.db, hotline.settings, options, progress)
    return DemoSummary(
        cases=report["cases"],
        first_day=date.fromisoformat(report["first_day"]),
        last_day=date.fromisoformat(report["last_day"]),
        seconds=report["seconds"],
        cases_per_second=report["cases_per_second"],
        rows=report["rows"],
        statuses=report["statuses"],
        caught_up_from=caught_up_from,
    )


def _check(months: int, per_day: float) -> None:
    if not 1 <= months <= 240:
        raise InvalidInput("月数须在 1 与 240 之间", fields=("months",))
    if not 0 < per_day <= 10_000:
        raise InvalidInput("每日件数须大于 0、不超过 10000", fields=("per_day",))


def _nothing(start: date, end: date) -> DemoSummary:
    return DemoSummary(0, start, end, 0.0, 0.0, {}, {}, start)


__all__ = ["DemoSummary", "Progress", "build_demo"]
