"""The working-day clock (docs/calendar.md). Expected values are worked out by hand in the comments.

Default hours: 09:00–12:00 (180 min) and 13:30–17:30 (240 min), a 420-minute day.
2025 official calendar (State Council notice): holidays 01-01, 01-28..02-04, 04-04..06,
05-01..05, 05-31..06-02, 10-01..10-08; make-up workdays 01-26 (Sun), 02-08 (Sat), 04-27 (Sun),
09-28 (Sun), 10-11 (Sat).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.adapters.cncalendar import official_day_kinds, official_years
from hotline.domain.calendar import (
    DayKind,
    DayKindSource,
    DayOverride,
    DayReason,
    Season,
    SeasonalSchedule,
    WorkingCalendar,
    WorkingHours,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _days(first: date, last: date) -> frozenset[date]:
    return frozenset(first + timedelta(n) for n in range((last - first).days + 1))


HOLIDAYS_2025 = (
    _days(date(2025, 1, 1), date(2025, 1, 1))
    | _days(date(2025, 1, 28), date(2025, 2, 4))
    | _days(date(2025, 4, 4), date(2025, 4, 6))
    | _days(date(2025, 5, 1), date(2025, 5, 5))
    | _days(date(2025, 5, 31), date(2025, 6, 2))
    | _days(date(2025, 10, 1), date(2025, 10, 8))
)
MAKEUP_2025 = frozenset(
    {date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27), date(2025, 9, 28), date(2025, 10, 11)}
)
SOURCE_2025 = DayKindSource(HOLIDAYS_2025, MAKEUP_2025, frozenset({2025}))

SUMMER = WorkingHours.parse("08:30-12:00,14:00-18:00")  # 210 + 240 = 450 minutes
SEASONAL = SeasonalSchedule(
    (Season(5, 1, SUMMER), Season(10, 1, WorkingHours())), standard_day_minutes=420
)


def at(text: str) -> datetime:
    """A Shanghai local time, e.g. ``at("2025-09-30 16:00")``."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def cal() -> WorkingCalendar:
    return WorkingCalendar(SHANGHAI, SOURCE_2025)


# --- the eve of National Day 2025 ------------------------------------------------------------


def test_three_working_days_from_national_day_eve(cal: WorkingCalendar) -> None:
    # 1260 min: 09-30 16:00–17:30 = 90; 10-01..08 off; 10-09 420 (→510); 10-10 420 (→930);
    # 10-11 (Saturday, make-up) morning 180 (→1110), then 150 from 13:30 = 16:00.
    assert cal.add_working_days(at("2025-09-30 16:00"), 3) == at("2025-10-11 16:00")


def test_one_working_day_from_national_day_eve(cal: WorkingCalendar) -> None:
    # 420 = 90 on 09-30 + 180 on the 10-09 morning + 150 from 13:30.
    assert cal.add_working_days(at("2025-09-30 16:00"), 1) == at("2025-10-09 16:00")


def test_minutes_between_counts_only_working_time_over_the_holiday(cal: WorkingCalendar) -> None:
    assert cal.working_minutes_between(at("2025-09-30 16:00"), at("2025-10-11 16:00")) == 1260
    assert cal.working_minutes_between(at("2025-10-01 00:00"), at("2025-10-09 00:00")) == 0


def test_sunday_make_up_workday_counts(cal: WorkingCalendar) -> None:
    # 09-26 (Fri) 17:00–17:30 = 30; 09-27 Saturday off; 09-28 Sunday worked: 180 + 210 → 17:00.
    assert cal.add_working_days(at("2025-09-26 17:00"), 1) == at("2025-09-28 17:00")


def test_extension_spanning_the_holiday(cal: WorkingCalendar) -> None:
    # Due 09-30 17:30, extended by 2 working days: counting resumes 10-09 09:00, 840 minutes
    # are the whole of 10-09 and 10-10, so the new deadline is 10-10 at the close of work.
    assert cal.add_working_days(at("2025-09-30 17:30"), 2) == at("2025-10-10 17:30")


# --- lunch break, end of day, weekends, outside hours ----------------------------------------


@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        ("2025-09-29 11:30", 60, "2025-09-29 14:00"),  # 30 before lunch, 30 after 13:30
        ("2025-09-29 11:00", 60, "2025-09-29 12:00"),  # uses up the morning: ends at 12:00
        ("2025-09-29 11:00", 61, "2025-09-29 13:31"),
        ("2025-09-29 12:15", 30, "2025-09-29 14:00"),  # a start in lunch counts from 13:30
        ("2025-09-29 12:00", 0, "2025-09-29 13:30"),  # 12:00 itself is outside working time
        ("2025-09-29 12:15", 0, "2025-09-29 13:30"),
        ("2025-09-29 10:20", 0, "2025-09-29 10:20"),  # inside: adding 0 changes nothing
    ],
)
def test_lunch_break(cal: WorkingCalendar, start: str, minutes: int, expected: str) -> None:
    assert cal.add_working_minutes(at(start), minutes) == at(expected)


@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        ("2025-09-29 17:00", 30, "2025-09-29 17:30"),  # ends at the close, not next morning
        ("2025-09-29 17:00", 31, "2025-09-30 09:01"),
        ("2025-09-29 09:00", 420, "2025-09-29 17:30"),  # one day from the opening: same day
        ("2025-09-29 17:30", 0, "2025-09-30 09:00"),
        ("2025-09-29 07:00", 60, "2025-09-29 10:00"),  # before opening: counts from 09:00
        ("2025-09-29 23:59", 1, "2025-09-30 09:01"),
    ],
)
def test_end_of_day_and_early_start(
    cal: WorkingCalendar, start: str, minutes: int, expected: str
) -> None:
    assert cal.add_working_minutes(at(start), minutes) == at(expected)


def test_weekend_start_counts_from_monday(cal: WorkingCalendar) -> None:
    # 2025-09-20/21 is an ordinary weekend (the make-up Sunday is 09-28).
    assert cal.add_working_minutes(at("2025-09-20 10:00"), 0) == at("2025-09-22 09:00")
    assert cal.add_working_minutes(at("2025-09-19 18:00"), 60) == at("2025-09-22 10:00")
    assert cal.add_working_hours(at("2025-09-19 17:00"), 2) == at("2025-09-22 10:30")


def test_seconds_are_kept_exactly(cal: WorkingCalendar) -> None:
    start = at("2025-09-29 11:59:42.5")
    assert cal.add_working_minutes(start, 1) == at("2025-09-29 13:30:42.5")
    assert cal.working_minutes_between(start, at("2025-09-29 13:30:42.4")) == 0


def test_minutes_between_is_negative_when_reversed(cal: WorkingCalendar) -> None:
    assert cal.working_minutes_between(at("2025-09-29 11:00"), at("2025-09-29 14:00")) == 90
    assert cal.working_minutes_between(at("2025-09-29 14:00"), at("2025-09-29 11:00")) == -90


def test_is_working_time_and_periods(cal: WorkingCalendar) -> None:
    assert cal.is_working_time(at("2025-09-29 09:00"))
    assert not cal.is_working_time(at("2025-09-29 12:00"))
    assert not cal.is_working_time(at("2025-10-08 10:00"))
    assert cal.working_periods(date(2025, 10, 1)) == ()
    assert cal.working_periods(date(2025, 10, 11)) == (
        (at("2025-10-11 09:00"), at("2025-10-11 12:00")),
        (at("2025-10-11 13:30"), at("2025-10-11 17:30")),
    )


# --- time zones, natural hours, refused input -------------------------------------------------


def test_result_comes_back_in_the_zone_given(cal: WorkingCalendar) -> None:
    start = datetime(2025, 9, 30, 8, 0, tzinfo=UTC)  # 16:00 in Shanghai
    due = cal.add_working_days(start, 1)
    assert due == datetime(2025, 10, 9, 8, 0, tzinfo=UTC)
    assert due.tzinfo is UTC
    fixed = timezone(timedelta(hours=8))
    assert cal.add_working_days(start.astimezone(fixed), 1).utcoffset() == timedelta(hours=8)


def test_natural_hours_ignore_holidays_and_count_elapsed_time(cal: WorkingCalendar) -> None:
    assert cal.add_natural_hours(at("2025-10-01 23:00"), 2) == at("2025-10-02 01:00")
    berlin = ZoneInfo("Europe/Berlin")  # 2025-03-30 02:00 CET jumps to 03:00 CEST
    start = datetime(2025, 3, 30, 1, 30, tzinfo=berlin)
    assert cal.add_natural_hours(start, 2) == datetime(2025, 3, 30, 4, 30, tzinfo=berlin)


def test_naive_datetimes_are_refused(cal: WorkingCalendar) -> None:
    naive = datetime(2025, 9, 30, 16, 0)
    with pytest.raises(ValueError, match="aware"):
        cal.add_working_minutes(naive, 10)
    with pytest.raises(ValueError, match="aware"):
        cal.add_working_days(naive, 1)
    with pytest.raises(ValueError, match="aware"):
        cal.add_natural_hours(naive, 1)
    with pytest.raises(ValueError, match="aware"):
        cal.working_minutes_between(at("2025-09-30 16:00"), naive)
    with pytest.raises(ValueError, match="aware"):
        cal.is_working_time(naive)


def test_negative_amounts_are_refused(cal: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="negative"):
        cal.add_working_minutes(at("2025-09-30 16:00"), -1)
    with pytest.raises(ValueError, match="negative"):
        cal.add_working_days(at("2025-09-30 16:00"), -1)


# --- unknown years, overrides ---------------------------------------------------------------


def test_unknown_year_falls_back_to_monday_to_friday_and_says_so(cal: WorkingCalendar) -> None:
    assert cal.unknown_years_used() == ()
    verdict = SOURCE_2025.verdict(date(2026, 1, 1))  # a Thursday; really a holiday
    assert (verdict.workday, verdict.reason) == (True, DayReason.FALLBACK)
    assert not cal.is_workday(date(2026, 1, 3))  # Saturday
    # 2025-12-31 (Wed) 16:00 + 1 day: 90 + 2026-01-01 (guessed workday) 180 + 150 → 16:00.
    assert cal.add_working_days(at("2025-12-31 16:00"), 1) == at("2026-01-01 16:00")
    assert cal.unknown_years_used() == (2026,)
    assert cal.fallback_years(date(2025, 12, 31), date(2026, 1, 1)) == (2026,)
    assert cal.fallback_years(date(2025, 1, 1), date(2025, 12, 31)) == ()


def test_overrides_beat_the_official_calendar() -> None:
    source = SOURCE_2025.with_overrides(
        [
            DayOverride(date(2025, 10, 8), DayKind.WORKDAY, "本市国庆最后一天照常办公"),
            DayOverride(date(2025, 10, 11), DayKind.HOLIDAY, "暴雨停工"),
        ]
    )
    cal = WorkingCalendar(SHANGHAI, source)
    assert source.verdict(date(2025, 10, 8)).note == "本市国庆最后一天照常办公"
    # 90 on 09-30, then 10-08 (now worked): 180 + 150 → 16:00.
    assert cal.add_working_days(at("2025-09-30 16:00"), 1) == at("2025-10-08 16:00")
    assert not cal.is_workday(date(2025, 10, 11))


def test_overrides_fill_an_unknown_year() -> None:
    new_year = DayOverride(date(2026, 1, 1), DayKind.HOLIDAY, "元旦")
    partial = SOURCE_2025.with_overrides([new_year])
    assert partial.verdict(date(2026, 1, 1)).reason is DayReason.OVERRIDE
    assert not partial.is_workday(date(2026, 1, 1))
    assert partial.verdict(date(2026, 1, 2)).reason is DayReason.FALLBACK
    declared = SOURCE_2025.with_overrides([new_year], known_years=[2026])
    assert declared.verdict(date(2026, 1, 2)).reason is DayReason.WEEKDAY
    cal = WorkingCalendar(SHANGHAI, declared)
    assert cal.fallback_years(date(2026, 1, 1), date(2026, 12, 31)) == ()


def test_inconsistent_day_sources_are_refused() -> None:
    twice = [DayOverride(date(2026, 1, 1), DayKind.HOLIDAY)] * 2
    with pytest.raises(ValueError, match="more than one override"):
        SOURCE_2025.with_overrides(twice)
    with pytest.raises(ValueError, match="both holiday"):
        DayKindSource(frozenset({date(2025, 1, 1)}), frozenset({date(2025, 1, 1)}))


# --- working hours and seasonal schedules ----------------------------------------------------


def test_working_hours_parse_and_validate() -> None:
    assert WorkingHours.parse("09:00-12:00, 13:30-17:30") == WorkingHours()
    assert WorkingHours().minutes == 420
    for bad in ("13:30-17:30,09:00-12:00", "09:00-12:00,11:00-14:00", "12:00-09:00"):
        with pytest.raises(ValueError):
            WorkingHours.parse(bad)
    with pytest.raises(ValueError, match="whole minutes"):
        WorkingHours(((time(9, 0, 30), time(12, 0)),))


def test_seasonal_schedule_picks_the_season_in_force() -> None:
    assert SEASONAL.hours_on(date(2025, 7, 1)) == SUMMER
    assert SEASONAL.hours_on(date(2025, 4, 30)) == WorkingHours()  # last October's season
    assert SEASONAL.hours_on(date(2025, 1, 2)) == WorkingHours()
    assert SEASONAL.day_minutes == 420


def test_seasonal_lunch_breaks_differ() -> None:
    cal = WorkingCalendar(SHANGHAI, SOURCE_2025, SEASONAL)
    # Summer: 11:00–12:00 = 60, then 60 from 14:00 → 15:00. Winter: 60 from 13:30 → 14:30.
    assert cal.add_working_hours(at("2025-07-01 11:00"), 2) == at("2025-07-01 15:00")
    assert cal.add_working_hours(at("2025-01-02 11:00"), 2) == at("2025-01-02 14:30")
    # The standard day stays 420 minutes in summer: 08:30 + 210 → 12:00, 210 from 14:00.
    assert cal.add_working_days(at("2025-07-01 08:30"), 1) == at("2025-07-01 17:30")


def test_season_changes_across_the_national_day_holiday() -> None:
    cal = WorkingCalendar(SHANGHAI, SOURCE_2025, SEASONAL)
    # 09-30 still summer: 16:00–18:00 = 120; 10-09 winter: 180 morning, 120 from 13:30.
    assert cal.add_working_days(at("2025-09-30 16:00"), 1) == at("2025-10-09 15:30")


def test_unequal_seasons_need_an_explicit_standard_day() -> None:
    with pytest.raises(ValueError, match="standard_day_minutes"):
        SeasonalSchedule((Season(5, 1, SUMMER), Season(10, 1, WorkingHours())))
    with pytest.raises(ValueError):
        SeasonalSchedule((Season(10, 1, SUMMER), Season(5, 1, WorkingHours())), 420)


# --- the official calendar adapter ------------------------------------------------------------


def test_package_knows_2025_national_day() -> None:
    source = official_day_kinds()
    assert 2004 in official_years() and 2025 in official_years()
    for day in _days(date(2025, 10, 1), date(2025, 10, 8)):
        assert source.verdict(day).reason is DayReason.OFFICIAL_HOLIDAY
    assert source.verdict(date(2025, 9, 28)).reason is DayReason.MAKEUP_WORKDAY
    assert source.verdict(date(2025, 10, 11)).reason is DayReason.MAKEUP_WORKDAY
    assert source.holidays >= HOLIDAYS_2025 and source.makeup_workdays >= MAKEUP_2025


def test_package_years_beyond_fall_back() -> None:
    beyond = official_years().stop
    source = official_day_kinds([DayOverride(date(beyond, 1, 1), DayKind.HOLIDAY, "元旦")])
    assert source.verdict(date(beyond, 1, 1)).reason is DayReason.OVERRIDE
    assert source.verdict(date(beyond, 3, 1)).reason is DayReason.FALLBACK


# --- properties -----------------------------------------------------------------------------

CALENDARS = {
    "default": WorkingCalendar(SHANGHAI, SOURCE_2025),
    "seasonal": WorkingCalendar(SHANGHAI, SOURCE_2025, SEASONAL),
}
calendars = st.sampled_from(sorted(CALENDARS)).map(CALENDARS.__getitem__)
starts = st.datetimes(
    min_value=datetime(2024, 12, 20), max_value=datetime(2026, 1, 10), timezones=st.just(SHANGHAI)
)
minute_starts = starts.map(lambda moment: moment.replace(second=0, microsecond=0))
amounts = st.integers(min_value=0, max_value=3000)


def _stepping_add(cal: WorkingCalendar, start: datetime, minutes: int) -> datetime:
    """The obvious oracle: walk the wall clock minute by minute (fine for Shanghai: no DST)."""

    def working(moment: datetime) -> bool:
        hours = cal.schedule.hours_on(moment.date())
        clock = moment.time()
        in_period = any(begin <= clock < end for begin, end in hours.periods)
        return in_period and cal.days.is_workday(moment.date())

    moment, counted = start, 0
    while counted < minutes or (minutes == 0 and not working(moment)):
        counted += working(moment)
        moment += timedelta(minutes=1)
    return moment


@settings(max_examples=150, deadline=None)
@given(calendars, minute_starts, st.integers(min_value=0, max_value=1500))
def test_adding_agrees_with_minute_stepping(cal: WorkingCalendar, start: datetime, n: int) -> None:
    assert cal.add_working_minutes(start, n) == _stepping_add(cal, start, n)


@given(calendars, starts, amounts, amounts)
def test_adding_is_monotonic_in_minutes(
    cal: WorkingCalendar, start: datetime, a: int, b: int
) -> None:
    low, high = sorted((a, b))
    assert cal.add_working_minutes(start, low) <= cal.add_working_minutes(start, high)


@given(calendars, starts, starts, amounts)
def test_adding_is_monotonic_in_start(
    cal: WorkingCalendar, one: datetime, other: datetime, n: int
) -> None:
    early, late = sorted((one, other))
    assert cal.add_working_minutes(early, n) <= cal.add_working_minutes(late, n)


@given(calendars, starts, amounts)
def test_minutes_between_inverts_adding(cal: WorkingCalendar, start: datetime, n: int) -> None:
    assert cal.working_minutes_between(start, cal.add_working_minutes(start, n)) == n


@given(calendars, starts, amounts, st.integers(min_value=1, max_value=3000))
def test_adding_composes(cal: WorkingCalendar, start: datetime, a: int, b: int) -> None:
    middle = cal.add_working_minutes(start, a)
    assert cal.add_working_minutes(middle, b) == cal.add_working_minutes(start, a + b)


@given(calendars, starts, starts, starts)
def test_minutes_between_is_monotonic_in_the_end(
    cal: WorkingCalendar, start: datetime, one: datetime, other: datetime
) -> None:
    early, late = sorted((one, other))
    assert cal.working_minutes_between(start, early) <= cal.working_minutes_between(start, late)
