"""The period keys of the three notices: ``2026-11-25``, ISO week ``2026-W48``, month ``2026-10``.

Strict formats, so ``2026-13`` or ``2026-W60`` are refused with a message naming the key instead of
silently meaning something else. Periods are local dates, both ends inclusive.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from hotline.domain.errors import InvalidInput
from hotline.domain.indicators import Period, asked_month, supported_day

KINDS = ("daily", "weekly", "monthly")
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


def period_of(kind: str, key: str) -> Period:
    if kind == "daily":
        return day_period(key)
    if kind == "weekly":
        return week_period(key)
    if kind == "monthly":
        return month_of(key)
    raise InvalidInput(f"通报类型须为 {'/'.join(KINDS)} 之一：{kind}", fields=("kind",))
