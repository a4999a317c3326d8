"""Official Chinese working days from the ``chinesecalendar`` package (import name
``chinese_calendar``).

The package ships the State Council's holiday notices as two dictionaries, ``holidays`` (rest
days, weekends inside a holiday stretch included) and ``workdays`` (make-up workdays, 调休),
for a contiguous run of years (2004–2026 in version 1.11.0). Later years fall back to
Monday–Friday in the domain, with a warning, until overrides cover them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import chinese_calendar

from hotline.domain.calendar import DayKindSource, DayOverride


def official_years() -> range:
    """The years the installed package knows, first to last."""
    years = [day.year for day in _official_holidays()]
    return range(min(years), max(years) + 1)


def official_day_kinds(
    overrides: Iterable[DayOverride] = (), known_years: Iterable[int] = ()
) -> DayKindSource:
    """The package's calendar plus ``overrides`` (which win); ``known_years`` declares further
    years that the overrides cover in full, so they no longer warn."""
    source = DayKindSource(
        holidays=_official_holidays(),
        makeup_workdays=_official_makeup_workdays(),
        known_years=frozenset(official_years()),
    )
    return source.with_overrides(overrides, known_years)


def package_version() -> str:
    return str(chinese_calendar.__version__)


def _official_holidays() -> frozenset[date]:
    return frozenset(chinese_calendar.holidays)


def _official_makeup_workdays() -> frozenset[date]:
    return frozenset(chinese_calendar.workdays)
