"""The city's rhythm: how many cases a day brings, at what hours, and which kinds by season.

Working days, weekends, official holidays and 调休 make-up days come from the project's working
calendar; the Spring Festival week (除夕 to 初六) is quieter still; barbecue, fumes, rain and
snow follow the months; heating complaints exist only in the heating season (15 Nov–15 Mar).
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from datetime import date, timedelta
from itertools import accumulate

from hotline.demo.content.data import CategoryText, settings
from hotline.demo.content.draws import DayShape
from hotline.domain.calendar import DayKindSource, DayReason

# Relative calls per local hour: a 24-hour line, busiest mid-morning and mid-afternoon.
HOURLY = (0.4, 0.25, 0.15, 0.12, 0.12, 0.2, 0.5, 1.2, 2.6, 3.6, 3.8, 3.3,
          2.2, 2.4, 3.2, 3.4, 3.2, 2.6, 1.9, 1.8, 1.9, 1.6, 1.1, 0.7)  # fmt: skip
EVENING_HOURS = (19, 20, 21, 22, 23, 0)
_CUMULATIVE = list(accumulate(HOURLY))
# Workdays (调休 included) carry more calls than weekends; the mean over a week is about 1.
WORKDAY, WEEKEND, HOLIDAY, SPRING_FESTIVAL = 1.1, 0.78, 0.6, 0.3
MONTH = (0.95, 0.85, 0.95, 1.0, 1.05, 1.1, 1.15, 1.12, 1.0, 0.95, 0.98, 1.0)


def spring_festival_week(year: int) -> tuple[date, date] | None:
    """(除夕, 初六) of ``year``'s Spring Festival, when the data file knows the year."""
    new_year = settings().spring_festival.get(year)
    return (new_year - timedelta(days=1), new_year + timedelta(days=5)) if new_year else None


def in_spring_festival(day: date) -> bool:
    week = spring_festival_week(day.year)
    return week is not None and week[0] <= day <= week[1]


def in_heating_season(day: date) -> bool:
    """Jinan heats from 15 November to 15 March."""
    return (day.month, day.day) >= (11, 15) or (day.month, day.day) <= (3, 15)


def day_shape(day: date, days: DayKindSource, per_day: float) -> DayShape:
    verdict = days.verdict(day)
    if in_spring_festival(day):
        factor, reason = SPRING_FESTIVAL, "spring_festival"
    elif verdict.reason is DayReason.OFFICIAL_HOLIDAY:
        factor, reason = HOLIDAY, verdict.reason.value
    else:
        factor, reason = (WORKDAY if verdict.workday else WEEKEND), verdict.reason.value
    if day.weekday() == 0 and verdict.workday:
        factor *= 1.08  # Monday brings the weekend's backlog
    expected = per_day * factor * MONTH[day.month - 1]
    return DayShape(day, expected, verdict.workday, reason)


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson count (normal approximation above 30, exact below)."""
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def season_weight(text: CategoryText, day: date) -> float:
    if text.heating and not in_heating_season(day):
        return 0.0
    weight = text.weight * text.season.get(day.month, 1.0)
    if text.heating and (day.month, day.day) >= (11, 15):
        weight *= 1.6  # the first weeks of heating bring the most complaints
    return weight


def seconds_of_day(rng: random.Random, evening: float) -> int:
    """A local time of day (seconds): the intake profile, or the evening for night-time kinds."""
    if rng.random() < evening:
        hour = rng.choice(EVENING_HOURS)
    else:
        hour = bisect_right(_CUMULATIVE, rng.random() * _CUMULATIVE[-1])
    return min(hour, 23) * 3600 + rng.randrange(3600)
