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
    month_period,
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


def _point(month: str, counts: Counter[str]) -> dict[str, Any]:
    values = {d.key: ratio(d, counts).percent for d in _definitions()}
    return {"month": month, "intake": counts.get(INTAKE, 0), **values}


def monthly_trend(
    hotline: Hotline, now: datetime, month: str, district: str | None = None
) -> dict[str, Any]:
    """Per month of the 13 ending with ``month``: intake and the trend indicators (percent), for
    the city and, when asked, one district. Each month is read by district with its past days
    summed in SQL (a few hundred rows), and the city is the sum of its districts (every fact
    lands in exactly one group)."""
    months = months_touching(_months_ending(month))
    moment = ReportMoment(hotline.settings.tz, now)
    city, own = [], []
    with hotline.db.transaction() as session:
        tail = load_tail(session, moment)
        for key in months:
            period = month_period(key)
            settled = settlements_for(session, period)
            counts = period_counts(session, period, "district", moment, tail, settled, False)
            groups = by_group(counts)
            total: Counter[str] = Counter()
            for group in groups.values():
                total.update(group)
            city.append(_point(key, total))
            own.append(_point(key, groups.get(district or "", Counter())))
    return {
        "months": months,
        "indicators": [
            {"key": d.key, "name": d.name, "formula": d.formula} for d in _definitions()
        ],
        "city": city,
        "district": district,
        "district_series": own if district else None,
    }
