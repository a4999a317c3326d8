"""``hotline calendar`` through Typer's CliRunner: the output contract of docs/cli.md."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner, Result

from hotline.entrypoints.cli.calendar import calendar_app

runner = CliRunner()


def invoke(*args: str, timezone: str = "Asia/Shanghai") -> Result:
    return runner.invoke(calendar_app, list(args), env={"HOTLINE_TIMEZONE": timezone})


def last_line(result: Result) -> str:
    assert result.exit_code == 0, result.stderr
    return result.stdout.splitlines()[-1]


def flat(text: str) -> str:
    """stderr as one line: rich wraps long messages at the console width."""
    return "".join(text.split())


# --- deadline -------------------------------------------------------------------------------


def test_deadline_from_national_day_eve() -> None:
    # Worked out in test_calendar.py: 90 + 420 + 420 + 180 + 150 minutes.
    result = invoke("deadline", "--from", "2025-09-30T16:00", "--working-days", "3")
    assert last_line(result) == "2025-10-11T16:00:00+08:00"
    assert result.stderr.strip()  # a human-readable description, on stderr only


def test_deadline_with_an_offset_prints_local_time() -> None:
    result = invoke("deadline", "--from", "2025-09-30T08:00:00Z", "--working-days", "1")
    assert last_line(result) == "2025-10-09T16:00:00+08:00"


def test_deadline_in_working_hours_skips_the_holiday() -> None:
    # 90 minutes on 09-30, the other 30 from 10-09 09:00.
    result = invoke("deadline", "--from", "2025-09-30T16:00+08:00", "--working-hours", "2")
    assert last_line(result) == "2025-10-09T09:30:00+08:00"


def test_deadline_in_natural_hours_ignores_the_holiday() -> None:
    result = invoke("deadline", "--from", "2025-10-01T23:00", "--hours", "2")
    assert last_line(result) == "2025-10-02T01:00:00+08:00"


def test_no_offset_means_the_configured_zone() -> None:
    result = invoke(
        "deadline", "--from", "2025-09-30T16:00", "--working-days", "1", timezone="Asia/Tokyo"
    )
    assert last_line(result) == "2025-10-09T16:00:00+09:00"


def test_deadline_json_is_one_document() -> None:
    result = invoke("deadline", "--from", "2025-09-30T16:00", "--working-days", "3", "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["deadline"] == "2025-10-11T16:00:00+08:00"
    assert document["deadline_utc"] == "2025-10-11T08:00:00+00:00"
    assert document["from"] == "2025-09-30T16:00:00+08:00"
    assert (document["unit"], document["amount"], document["working_minutes"]) == (
        "working_days",
        3,
        1260,
    )
    assert document["warnings"] == []


def test_deadline_into_an_unknown_year_warns_on_stderr() -> None:
    # 2026-12-30 (Wed) 16:00: 90 + 12-31 420 + 2027-01-01 (guessed workday) 420 + 01-04 330.
    result = invoke("deadline", "--from", "2026-12-30T16:00", "--working-days", "3")
    assert last_line(result) == "2027-01-04T16:00:00+08:00"
    assert result.stdout.strip() == "2027-01-04T16:00:00+08:00"
    assert "2027" in result.stderr and "周一至周五" in flat(result.stderr)


def test_deadline_json_carries_the_warning_in_chinese_characters() -> None:
    result = invoke("deadline", "--from", "2026-12-30T16:00", "--working-days", "3", "--json")
    assert result.exit_code == 0
    assert "周一至周五" in result.stdout  # written as characters, not \\u escapes
    (warning,) = json.loads(result.stdout)["warnings"]
    assert (warning["code"], warning["year"]) == ("calendar_year_unknown", 2027)


# --- is-workday -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2025-09-28", "true"),  # Sunday, make-up workday
        ("2025-10-06", "false"),  # Monday inside the National Day holiday
        ("2025-10-11", "true"),  # Saturday, make-up workday
        ("2025-10-12", "false"),  # an ordinary Sunday
        ("2025-10-13", "true"),
    ],
)
def test_is_workday(day: str, expected: str) -> None:
    result = invoke("is-workday", day)
    assert last_line(result) == expected
    assert result.stderr == ""


def test_is_workday_in_an_unknown_year_falls_back_with_a_warning() -> None:
    result = invoke("is-workday", "2027-01-01")  # a Friday; its real status is not yet known
    assert last_line(result) == "true"
    assert "2027" in result.stderr


def test_is_workday_json() -> None:
    result = invoke("is-workday", "2025-10-11", "--json")
    assert json.loads(result.stdout) == {
        "date": "2025-10-11",
        "workday": True,
        "reason": "makeup_workday",
        "note": "",
        "warnings": [],
    }


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("deadline", "--from", "2025-13-01T10:00", "--working-days", "1"),
        ("deadline", "--from", "yesterday", "--working-days", "1"),
        ("deadline", "--from", "2025-09-30T16:00"),
        ("deadline", "--from", "2025-09-30T16:00", "--working-days", "1", "--hours", "2"),
        ("deadline", "--from", "2025-09-30T16:00", "--working-days", "-1"),
        ("deadline", "--from", "2025-09-30T16:00", "--working-hours", "1.5"),
        ("deadline", "--working-days", "1"),
        ("is-workday", "2025-02-30"),
        ("is-workday", "20251001"),
    ],
)
def test_bad_input_is_refused_on_stderr(args: tuple[str, ...]) -> None:
    result = invoke(*args)
    assert result.exit_code != 0
    assert result.stdout == ""
    assert result.stderr.strip()


def test_unknown_timezone_is_refused() -> None:
    result = invoke("is-workday", "2025-10-11", timezone="Mars/Olympus")
    assert result.exit_code != 0
    assert "Mars/Olympus" in result.stderr
