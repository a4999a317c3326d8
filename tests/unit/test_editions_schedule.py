"""When editions are due: the latest period of each kind whose production time has passed."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from hotline.domain.errors import InvalidInput
from hotline.profile import ReportScheduleSpec
from hotline.services.reporting.editions import check_period, due_periods

TZ = ZoneInfo("Asia/Shanghai")


def due(moment: str, **schedule: object) -> list[tuple[str, str]]:
    spec = ReportScheduleSpec.model_validate(schedule)
    return due_periods(spec, datetime.fromisoformat(moment).replace(tzinfo=TZ))


def test_the_default_rhythm() -> None:
    assert due("2026-11-25T17:59") == [
        ("daily", "2026-11-24"), ("weekly", "2026-W47"), ("monthly", "2026-10")
    ]  # fmt: skip
    assert due("2026-11-25T18:00")[0] == ("daily", "2026-11-25")
    assert due("2026-11-30T07:59")[1] == ("weekly", "2026-W47")  # Monday, before 08:00
    assert due("2026-11-30T08:00")[1] == ("weekly", "2026-W48")
    assert due("2027-01-01T07:00")[2] == ("monthly", "2026-11")
    assert due("2027-01-01T08:00")[2] == ("monthly", "2026-12")


def test_year_ends_and_iso_weeks() -> None:
    # 2026 has an ISO week 53 (28 December – 3 January); reported on Monday 4 January 2027
    assert due("2027-01-04T09:00")[1] == ("weekly", "2026-W53")


def test_a_configured_schedule() -> None:
    moment = "2026-11-26T09:00"  # Thursday
    assert due(moment, enabled=["weekly"], weekly_weekday=4, weekly_at="08:30") == [
        ("weekly", "2026-W47")
    ]
    assert due(moment, enabled=["monthly"], monthly_day=26, monthly_at="10:00") == [
        ("monthly", "2026-09")
    ]
    assert due(moment, enabled=["daily"], daily_at="08:00") == [("daily", "2026-11-26")]


@pytest.mark.parametrize(
    ("kind", "key", "message"),
    [
        ("hourly", "2026-11-25", "报表类型"),
        ("daily", "2026-11-31", "不存在的日期"),
        ("daily", "20261125", "YYYY-MM-DD"),
        ("weekly", "2026-W1", "YYYY-Www"),
        ("weekly", "2026-48", "YYYY-Www"),
        ("monthly", "2026-13", "YYYY-MM"),
    ],
)
def test_bad_periods_are_refused(kind: str, key: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        check_period(kind, key)


def test_a_bad_schedule_time_is_refused() -> None:
    with pytest.raises(ValueError, match="daily_at"):
        ReportScheduleSpec.model_validate({"daily_at": "25:00"})
