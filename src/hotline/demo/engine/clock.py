"""A table-driven working clock, exact to the microsecond and checked against the real one.

:class:`hotline.domain.calendar.WorkingCalendar` walks day plans on every call (~12 µs for an
addition, ~27 µs for a warning line). The generator needs several million of them, so this clock
precomputes every working period of the generated range as UTC microseconds with the working time
before it, and answers with a bisection. It implements the same protocol
(:class:`hotline.services.context.DeadlineClock`), so the services' own deadline functions
(``stage_deadlines``, ``warning_line``, ``callback_due`` …) run on it unchanged; outside its range
it hands the question to the real calendar. :meth:`FastClock.check_against` compares both on
random instants and refuses to run if they ever disagree.
"""

from __future__ import annotations

import random
from bisect import bisect_left, bisect_right
from datetime import UTC, date, datetime, timedelta

from hotline.domain.calendar import WorkingCalendar

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_US = timedelta(microseconds=1)
US_PER_MINUTE = 60_000_000


def to_us(moment: datetime) -> int:
    return (moment - EPOCH) // ONE_US


def from_us(value: int) -> datetime:
    return EPOCH + timedelta(microseconds=value)


class FastClock:
    """Working-time arithmetic over ``first``..``last`` (local dates), identical to ``calendar``."""

    def __init__(self, calendar: WorkingCalendar, first: date, last: date) -> None:
        self.calendar = calendar
        self.standard_day_minutes = calendar.standard_day_minutes
        starts: list[int] = []
        ends: list[int] = []
        before: list[int] = []
        worked = 0
        for ordinal in range(first.toordinal(), last.toordinal() + 1):
            for start, end in calendar.working_periods(date.fromordinal(ordinal)):
                starts.append(to_us(start))
                ends.append(to_us(end))
                before.append(worked)
                worked += ends[-1] - starts[-1]
        if not starts:
            raise ValueError("no working time in the generated range")
        self._starts, self._ends, self._before = starts, ends, before
        self._after = [b + (e - s) for b, e, s in zip(before, ends, starts, strict=True)]
        self._low, self._high = starts[0], ends[-1]

    # --- the DeadlineClock protocol -----------------------------------------------------------

    def working_periods(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        return self.calendar.working_periods(day)

    def add_working_minutes(self, start: datetime, minutes: int) -> datetime:
        if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 0:
            return self.calendar.add_working_minutes(start, minutes)  # let it refuse
        at = to_us(start)
        if not self._low <= at < self._high:
            return self.calendar.add_working_minutes(start, minutes)
        if minutes == 0:
            index = bisect_right(self._starts, at) - 1
            if index >= 0 and at < self._ends[index]:
                result = at
            elif index + 1 < len(self._starts):
                result = self._starts[index + 1]
            else:
                return self.calendar.add_working_minutes(start, minutes)
        else:
            target = self._worked(at) + minutes * US_PER_MINUTE
            index = bisect_left(self._after, target)
            if index >= len(self._after):
                return self.calendar.add_working_minutes(start, minutes)
            result = self._starts[index] + (target - self._before[index])
        moment = from_us(result)
        return moment if start.tzinfo is UTC else moment.astimezone(start.tzinfo)

    def working_minutes_between(self, earlier: datetime, later: datetime) -> int:
        if later < earlier:
            return -self.working_minutes_between(later, earlier)
        a, b = to_us(earlier), to_us(later)
        if a < self._low or b >= self._high:
            return self.calendar.working_minutes_between(earlier, later)
        return (self._worked(b) - self._worked(a)) // US_PER_MINUTE

    # --- what the generator needs besides ---------------------------------------------------

    def subtract_working_minutes(self, end: datetime, minutes: int) -> datetime:
        """The latest working instant from which ``minutes`` working minutes reach ``end``'s
        working position (the inverse of :meth:`add_working_minutes` for working instants)."""
        target = self._worked(to_us(end)) - minutes * US_PER_MINUTE
        if target < 0:
            raise ValueError("before the generated range")
        index = bisect_right(self._before, target) - 1
        return from_us(self._starts[index] + (target - self._before[index]))

    def working_instants_between(self, low: datetime, high: datetime) -> int:
        """Working microseconds in ``(low, high]`` (0 when the window is all off-hours)."""
        return self._worked(to_us(high)) - self._worked(to_us(low))

    def at_working_offset(self, low: datetime, offset_us: int) -> datetime:
        """The instant ``offset_us`` working microseconds after ``low`` (0 < offset)."""
        target = self._worked(to_us(low)) + offset_us
        index = bisect_left(self._after, target)
        return from_us(self._starts[index] + (target - self._before[index]))

    def _worked(self, at: int) -> int:
        index = bisect_right(self._starts, at) - 1
        if index < 0:
            return 0
        return self._before[index] + min(at, self._ends[index]) - self._starts[index]

    def check_against(self, samples: int = 3000, seed: int = 7) -> None:
        """Refuse to run if this clock and the calendar ever disagree (on random instants)."""
        rng = random.Random(seed)
        span = self._high - self._low
        for _ in range(samples):
            start = from_us(self._low + rng.randrange(span))
            minutes = rng.choice((0, 1, 30, 90, 120, 315, 420, 2100, 6300, rng.randrange(9000)))
            later = from_us(to_us(start) + rng.randrange(30 * 86_400_000_000))
            if to_us(later) >= self._high:
                later = from_us(self._high - 1)
            mine = (
                self.add_working_minutes(start, minutes),
                self.working_minutes_between(start, later),
            )
            real = (
                self.calendar.add_working_minutes(start, minutes),
                self.calendar.working_minutes_between(start, later),
            )
            if mine != real:
                raise AssertionError(f"fast clock disagrees at {start} +{minutes}: {mine} ≠ {real}")
