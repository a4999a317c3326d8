"""The working-day clock (docs/calendar.md): which days are worked, when, and how deadlines fall.

Pure: standard library only, no clock reads, no I/O. Every datetime taken or returned is aware.

Counting rule: N working days = N × the working minutes of a standard day, counted forward from
the start through working minutes only; a start outside working hours counts from the next
working minute. Working periods are half-open ``[start, end)`` on the local wall clock, so
12:00 and 17:30 are outside working time, yet a count that uses up a period exactly ends at its
end (a one-day limit from 09:00 ends at 17:30 the same day, not 09:00 the next day).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum

_US_PER_MINUTE = 60_000_000
_US_PER_HOUR = 60 * _US_PER_MINUTE
_SATURDAY = 5


def _minute_of_day(moment: time) -> int:
    return moment.hour * 60 + moment.minute


@dataclass(frozen=True)
class WorkingHours:
    """One day's working periods as local ``(start, end)`` times, in order, not overlapping."""

    periods: tuple[tuple[time, time], ...] = (
        (time(9, 0), time(12, 0)),
        (time(13, 30), time(17, 30)),
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "periods", tuple(self.periods))  # a list would not hash
        if not self.periods:
            raise ValueError("working hours need at least one period")
        previous_end = time.min
        for start, end in self.periods:
            if any(t.tzinfo or t.second or t.microsecond for t in (start, end)):
                raise ValueError("working hours are naive local times on whole minutes")
            if not previous_end <= start < end:
                raise ValueError(f"working periods must be ordered and disjoint: {start}–{end}")
            previous_end = end

    @classmethod
    def parse(cls, text: str) -> WorkingHours:
        """Read ``"09:00-12:00,13:30-17:30"`` (the form used in configuration)."""
        periods = []
        for chunk in text.split(","):
            start, _, end = chunk.strip().partition("-")
            periods.append((time.fromisoformat(start.strip()), time.fromisoformat(end.strip())))
        return cls(tuple(periods))

    @property
    def minutes(self) -> int:
        return sum(_minute_of_day(end) - _minute_of_day(start) for start, end in self.periods)

    def offsets_us(self) -> tuple[tuple[int, int], ...]:
        """The periods as microseconds since local midnight (the calendar's inner unit)."""
        return tuple(
            (_minute_of_day(start) * _US_PER_MINUTE, _minute_of_day(end) * _US_PER_MINUTE)
            for start, end in self.periods
        )


DEFAULT_HOURS = WorkingHours()


@dataclass(frozen=True)
class Season:
    """Working hours in force from ``month``-``day`` each year until the next season starts."""

    month: int
    day: int
    hours: WorkingHours

    def __post_init__(self) -> None:
        date(2000, self.month, self.day)  # a leap year, so 02-29 is a valid start; raises if bad


@dataclass(frozen=True)
class SeasonalSchedule:
    """Seasons (e.g. 夏令/冬令作息) repeating every year; before the year's first season starts,
    the last season of the previous year is still in force.

    ``standard_day_minutes`` is the length of the "standard day" in N working days; left out, it
    is the seasons' common day length (seasons of unequal length must state it).
    """

    seasons: tuple[Season, ...] = (Season(1, 1, DEFAULT_HOURS),)
    standard_day_minutes: int | None = None
    day_minutes: int = field(init=False, compare=False)  # the standard day actually used
    _starts: tuple[tuple[int, int], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "seasons", tuple(self.seasons))  # a list would not hash
        if not self.seasons:
            raise ValueError("a schedule needs at least one season")
        starts = tuple((s.month, s.day) for s in self.seasons)
        if list(starts) != sorted(set(starts)):
            raise ValueError("seasons must be in calendar order with distinct start days")
        object.__setattr__(self, "_starts", starts)
        object.__setattr__(self, "day_minutes", self._standard_day())

    @classmethod
    def uniform(
        cls, hours: WorkingHours, standard_day_minutes: int | None = None
    ) -> SeasonalSchedule:
        return cls((Season(1, 1, hours),), standard_day_minutes)

    def _standard_day(self) -> int:
        if self.standard_day_minutes is not None:
            if self.standard_day_minutes <= 0:
                raise ValueError("the standard day must have a positive number of minutes")
            return self.standard_day_minutes
        lengths = {season.hours.minutes for season in self.seasons}
        if len(lengths) != 1:
            raise ValueError("seasons differ in length: give standard_day_minutes explicitly")
        return lengths.pop()

    def hours_on(self, day: date) -> WorkingHours:
        index = bisect.bisect_right(self._starts, (day.month, day.day)) - 1
        return self.seasons[index].hours  # index -1: last year's final season is still in force


class DayKind(StrEnum):
    WORKDAY = "workday"
    HOLIDAY = "holiday"


class DayReason(StrEnum):
    """Why a day is, or is not, worked."""

    OVERRIDE = "override"  # an administrator's entry: beats everything else
    OFFICIAL_HOLIDAY = "official_holiday"
    MAKEUP_WORKDAY = "makeup_workday"  # 调休: a weekend day worked in exchange for a holiday
    WEEKDAY = "weekday"
    WEEKEND = "weekend"
    FALLBACK = "fallback"  # a year no source knows: Monday–Friday, and callers must warn


@dataclass(frozen=True)
class DayOverride:
    """An administrator's decision for one day, e.g. next year's holidays before the package
    knows them, or a local closure."""

    on: date
    kind: DayKind
    note: str = ""


@dataclass(frozen=True)
class DayVerdict:
    on: date
    workday: bool
    reason: DayReason
    note: str = ""


@dataclass(frozen=True)
class DayKindSource:
    """Official holidays and make-up workdays for ``known_years``, plus overrides that win.

    Days of other years fall back to Monday–Friday with ``DayReason.FALLBACK``, never silently.
    """

    holidays: frozenset[date] = frozenset()
    makeup_workdays: frozenset[date] = frozenset()
    known_years: frozenset[int] = frozenset()
    overrides: tuple[DayOverride, ...] = ()
    _by_day: dict[date, DayOverride] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if clash := self.holidays & self.makeup_workdays:
            raise ValueError(f"days both holiday and make-up workday: {sorted(clash)}")
        by_day: dict[date, DayOverride] = {}
        for override in self.overrides:
            if override.on in by_day:
                raise ValueError(f"more than one override for {override.on}")
            by_day[override.on] = override
        object.__setattr__(self, "_by_day", by_day)

    def with_overrides(
        self, overrides: Iterable[DayOverride], known_years: Iterable[int] = ()
    ) -> DayKindSource:
        """Add overrides; ``known_years`` declares years the overrides now cover completely
        (the State Council notice has been entered), which silences their fallback warning."""
        return DayKindSource(
            self.holidays,
            self.makeup_workdays,
            self.known_years | frozenset(known_years),
            self.overrides + tuple(overrides),
        )

    def verdict(self, day: date) -> DayVerdict:
        override = self._by_day.get(day)
        if override is not None:
            return DayVerdict(
                day, override.kind is DayKind.WORKDAY, DayReason.OVERRIDE, override.note
            )
        if day in self.makeup_workdays:
            return DayVerdict(day, True, DayReason.MAKEUP_WORKDAY)
        if day in self.holidays:
            return DayVerdict(day, False, DayReason.OFFICIAL_HOLIDAY)
        weekday = day.weekday() < _SATURDAY
        if day.year not in self.known_years:
            return DayVerdict(day, weekday, DayReason.FALLBACK)
        return DayVerdict(day, weekday, DayReason.WEEKDAY if weekday else DayReason.WEEKEND)

    def is_workday(self, day: date) -> bool:
        return self.verdict(day).workday


@dataclass(frozen=True)
class _DayPlan:
    periods: tuple[tuple[int, int], ...]  # microseconds since local midnight; empty on days off
    total: int
    fallback: bool


def as_local(moment: datetime, tz: tzinfo) -> datetime:
    """A time sent without an offset is local time in ``tz`` (the API's rule); others as sent."""
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got naive {moment.isoformat()}")


def _require_count(value: int, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")


class WorkingCalendar:
    """Deadlines on the working-day clock of one time zone.

    Results come back in the time zone of the datetime given (so UTC in, UTC out). Per-day plans
    are memoised, so a calendar is cheap to reuse and should be built once per process.
    Working periods are counted on the local wall clock; in a zone with daylight saving time a
    period that contains the shift would be off by it (working hours never do in practice, and
    Asia/Shanghai has had no DST since 1991).
    """

    def __init__(
        self,
        tz: tzinfo,
        days: DayKindSource,
        schedule: SeasonalSchedule | WorkingHours = DEFAULT_HOURS,
    ) -> None:
        if isinstance(schedule, WorkingHours):
            schedule = SeasonalSchedule.uniform(schedule)
        self.tz = tz
        self.days = days
        self.schedule = schedule
        self.standard_day_minutes = schedule.day_minutes
        self._plans: dict[int, _DayPlan] = {}
        self._fallback_years_used: set[int] = set()

    # --- days -------------------------------------------------------------------------------

    def is_workday(self, day: date) -> bool:
        return self.days.is_workday(day)

    def working_periods(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The day's working periods as aware datetimes in the calendar's zone (empty if off)."""
        ordinal = day.toordinal()
        return tuple(
            (self._from_local(ordinal, start, self.tz), self._from_local(ordinal, end, self.tz))
            for start, end in self._plan(ordinal).periods
        )

    def fallback_years(self, first: date, last: date) -> tuple[int, ...]:
        """Years in which some day of ``first..last`` was guessed as Monday–Friday."""
        ordinals = range(first.toordinal(), last.toordinal() + 1)
        return tuple(sorted({date.fromordinal(o).year for o in ordinals if self._plan(o).fallback}))

    def unknown_years_used(self) -> tuple[int, ...]:
        """Every year this calendar has had to guess (Monday–Friday) so far."""
        return tuple(sorted(self._fallback_years_used))

    # --- instants ---------------------------------------------------------------------------

    def is_working_time(self, moment: datetime) -> bool:
        _require_aware(moment, "moment")
        ordinal, position = self._to_local(moment)
        return any(start <= position < end for start, end in self._plan(ordinal).periods)

    def add_working_minutes(self, start: datetime, minutes: int) -> datetime:
        """The earliest instant by which ``minutes`` working minutes have passed since ``start``.

        Adding 0 gives the next working instant: ``start`` itself inside working hours, else the
        start of the next working period.
        """
        _require_aware(start, "start")
        _require_count(minutes, "minutes")
        ordinal, position = self._advance(*self._to_local(start), minutes * _US_PER_MINUTE)
        return self._from_local(ordinal, position, start.tzinfo)

    def next_working_instant(self, moment: datetime) -> datetime:
        return self.add_working_minutes(moment, 0)

    def add_working_hours(self, start: datetime, hours: int) -> datetime:
        _require_count(hours, "hours")
        return self.add_working_minutes(start, hours * 60)

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """N working days = N × the working minutes of a standard day (docs/time-limits.md)."""
        _require_count(days, "days")
        return self.add_working_minutes(start, days * self.standard_day_minutes)

    def add_natural_hours(self, start: datetime, hours: int) -> datetime:
        """Elapsed real time, holidays and nights included (a 23-hour DST day stays 23 hours)."""
        _require_aware(start, "start")
        _require_count(hours, "hours")
        return (start.astimezone(UTC) + timedelta(hours=hours)).astimezone(start.tzinfo)

    def working_minutes_between(self, earlier: datetime, later: datetime) -> int:
        """Whole working minutes from ``earlier`` to ``later``; negative (by the same count) when
        ``later`` comes first, so "time left" turns negative once a deadline has passed."""
        _require_aware(earlier, "earlier")
        _require_aware(later, "later")
        if later < earlier:
            return -self.working_minutes_between(later, earlier)
        worked = self._worked_us(*self._to_local(earlier), *self._to_local(later))
        return worked // _US_PER_MINUTE

    # --- inner clock: (proleptic ordinal of the local date, microseconds since local midnight) --

    def _plan(self, ordinal: int) -> _DayPlan:
        plan = self._plans.get(ordinal)
        if plan is None:
            plan = self._plans[ordinal] = self._make_plan(date.fromordinal(ordinal))
        return plan

    def _make_plan(self, day: date) -> _DayPlan:
        verdict = self.days.verdict(day)
        fallback = verdict.reason is DayReason.FALLBACK
        if fallback:
            self._fallback_years_used.add(day.year)
        if not verdict.workday:
            return _DayPlan((), 0, fallback)
        periods = self.schedule.hours_on(day).offsets_us()
        return _DayPlan(periods, sum(end - start for start, end in periods), fallback)

    def _advance(self, ordinal: int, position: int, remaining: int) -> tuple[int, int]:
        while True:
            plan = self._plan(ordinal)
            if position == 0 and remaining > plan.total:
                remaining -= plan.total  # the whole day is used up: skip it in one step
            else:
                for start, end in plan.periods:
                    if position >= end:
                        continue
                    position = max(position, start)
                    if remaining <= end - position:
                        return ordinal, position + remaining
                    remaining -= end - position
            ordinal, position = ordinal + 1, 0

    def _worked_us(self, a_ordinal: int, a_position: int, b_ordinal: int, b_position: int) -> int:
        if a_ordinal == b_ordinal:
            return self._worked_within(a_ordinal, a_position, b_position)
        total = self._worked_within(a_ordinal, a_position, 24 * _US_PER_HOUR)
        total += sum(self._plan(o).total for o in range(a_ordinal + 1, b_ordinal))
        return total + self._worked_within(b_ordinal, 0, b_position)

    def _worked_within(self, ordinal: int, low: int, high: int) -> int:
        periods = self._plan(ordinal).periods
        return sum(max(0, min(end, high) - max(start, low)) for start, end in periods)

    def _to_local(self, moment: datetime) -> tuple[int, int]:
        local = moment.astimezone(self.tz)
        seconds = (local.hour * 60 + local.minute) * 60 + local.second
        return local.toordinal(), seconds * 1_000_000 + local.microsecond

    def _from_local(self, ordinal: int, position: int, target: tzinfo | None) -> datetime:
        day = date.fromordinal(ordinal)
        seconds, microsecond = divmod(position, 1_000_000)
        minutes, second = divmod(seconds, 60)
        hour, minute = divmod(minutes, 60)
        local = datetime(day.year, day.month, day.day, hour, minute, second, microsecond, self.tz)
        return local if target is self.tz else local.astimezone(target)
