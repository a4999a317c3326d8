"""The cockpit's 13-month trend: intake and the key indicators per month, city and a district.

Read from the indicator rollup (settled months from their frozen counts) the way the indicator
report reads it — one read of 13 months by day, folded into months here — so the trend costs the
same few hundred rollup rows at 10,000,000 cases as at 1,000. Thirteen months put this month
beside the same month a year earlier.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any

from hotline.domain.indicators import (
    DEFAULT_DEFINITIONS,
    IndicatorDef,
    Period,
    asked_month,
    months_touching,
    ratio,
)
from hotline.reports.indicator_counts import (
    ReportMoment,
    by_group,
    load_tail,
    period_counts,
    settlements_for,
)
from hotline.services.context import Hotline

MONTHS = 13
TREND_INDICATORS = ("reply_rate", "on_time_rate", "overdue_rate", "result_satisfaction")
INTAKE = "intake"


def _months_ending(month: str) -> Period:
    last = asked_month(month)
    index = last.start.year * 12 + last.start.month - 1 - (MONTHS - 1)
    return Period(date(index // 12, index % 12 + 1, 1), last.end)


def _definitions() -> list[IndicatorDef]:
    return [d for d in DEFAULT_DEFINITIONS if d.key in TREND_INDICATORS]


def _series(days: dict[str, Counter[str]], months: list[str]) -> list[dict[str, Any]]:
    per_month: dict[str, Counter[str]] = {month: Counter() for month in months}
    for day, counts in days.items():
        per_month[day[:7]].update(counts)
    series = []
    for month in months:
        counts = per_month[month]
        values = {d.key: ratio(d, counts).percent for d in _definitions()}
        series.append({"month": month, "intake": counts.get(INTAKE, 0), **values})
    return series


def monthly_trend(
    hotline: Hotline, now: datetime, month: str, district: str | None = None
) -> dict[str, Any]:
    """Per month of the 13 ending with ``month``: intake and the trend indicators (percent), for
    the city and, when asked, one district."""
    period = _months_ending(month)
    months = months_touching(period)
    moment = ReportMoment(hotline.settings.tz, now)
    with hotline.db.transaction() as session:
        tail = load_tail(session, moment)
        settled = settlements_for(session, period)
        city = by_group(period_counts(session, period, "total", moment, tail, settled), True)
        own: dict[str, Counter[str]] = {}
        if district:
            counts = period_counts(session, period, "district", moment, tail, settled)
            own = by_group(Counter({k: n for k, n in counts.items() if k[2] == district}), True)
    return {
        "months": months,
        "indicators": [
            {"key": d.key, "name": d.name, "formula": d.formula} for d in _definitions()
        ],
        "city": _series(city, months),
        "district": district,
        "district_series": _series(own, months) if district else None,
    }
