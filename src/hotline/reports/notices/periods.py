"""The period keys of the notices: ``2026-11-25``, ISO week ``2026-W48``, month ``2026-10``, and
any span of days ``2026-01-01--2026-12-07`` (今年以来梳理通报: from a date to a date).

Strict formats, so ``2026-13`` or ``2026-W60`` are refused with a message naming the key instead of
silently meaning something else. Periods are local dates, both ends inclusive.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from hotline.domain.errors import InvalidInput
from hotline.domain.indicators import Period, asked_month, supported_day

KINDS = ("daily", "weekly", "monthly", "period")
SPAN_SEPARATOR = "--"
MAX_SPAN_DAYS = 3 * 366  # as the indicator report: a longer span is a mistake more often
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def day_period(key: str) -> Period:
    if not _DAY.match(key):
        raise InvalidInput(f"日期须为 YYYY-MM-DD：{key}", fields=("date",))
    try:
        day = date.fromisoformat(key)
    except ValueError as exc:
        raise InvalidInput(f"不存在的日期：{key}", fields=("date",)) from exc
    return Period(supported_day(day, "date"), day)


def week_period(key: str) -> Period:
    """ISO week: Monday to Sunday; week 53 only in years that have one."""
    match = _WEEK.match(key)
    if not match:
        raise InvalidInput(f"周须为 ISO 周 YYYY-Www（如 2026-W48）：{key}", fields=("week",))
    year, week = int(match[1]), int(match[2])
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError as exc:
        raise InvalidInput(f"{year} 年没有第 {week} 周：{key}", fields=("week",)) from exc
    return Period(supported_day(monday, "week"), supported_day(monday + timedelta(days=6), "week"))


def month_of(key: str) -> Period:
    match = _MONTH.match(key)
    if not match or not 1 <= int(match[2]) <= 12:
        raise InvalidInput(f"月份须为 YYYY-MM（01–12）：{key}", fields=("month",))
    return asked_month(key)


def span_key(start: str, end: str) -> str:
    """The key of the notice from ``start`` to ``end`` (both YYYY-MM-DD, inclusive)."""
    return f"{start}{SPAN_SEPARATOR}{end}"


def span_period(key: str) -> Period:
    """``2026-01-01--2026-12-07``: any span of local days, both ends inclusive."""
    start, separator, end = key.partition(SPAN_SEPARATOR)
    if not separator:
        raise InvalidInput(
            f"统计期须为 YYYY-MM-DD{SPAN_SEPARATOR}YYYY-MM-DD：{key}", fields=("from", "to")
        )
    first, last = _day(start, "from", "开始日期"), _day(end, "to", "结束日期")
    if last < first:
        raise InvalidInput("结束日期不能早于开始日期", fields=("from", "to"))
    period = Period(first, last)
    if period.days > MAX_SPAN_DAYS:
        raise InvalidInput(f"统计期不能超过 {MAX_SPAN_DAYS} 天", fields=("from", "to"))
    return period


def _day(text: str, field: str, label: str) -> date:
    """One end of a span, refused under its own name (from / to)."""
    try:
        return day_period(text).start
    except InvalidInput as exc:
        raise InvalidInput(f"{label}{exc.detail}", fields=(field,)) from exc


def period_of(kind: str, key: str) -> Period:
    if kind == "daily":
        return day_period(key)
    if kind == "weekly":
        return week_period(key)
    if kind == "monthly":
        return month_of(key)
    if kind == "period":
        return span_period(key)
    raise InvalidInput(f"通报类型须为 {'/'.join(KINDS)} 之一：{kind}", fields=("kind",))
