"""``hotline calendar``: working days and deadlines on the command line.

A time given without an offset means local time in ``HOTLINE_TIMEZONE`` (default Asia/Shanghai);
results are printed with the local offset. Years the official calendar does not know fall back
to Monday–Friday, with a warning on stderr (and in ``warnings`` with ``--json``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, tzinfo
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from rich.markup import escape

from hotline.bootstrap import build_calendar as bootstrap_calendar
from hotline.bootstrap import build_hotline, configured_database
from hotline.entrypoints.cli.groups import command_group
from hotline.entrypoints.cli.output import JsonOpt, emit_json, emit_value, fail, log

if TYPE_CHECKING:
    from hotline.domain.calendar import WorkingCalendar

calendar_app = command_group()

DEFAULT_TIMEZONE = "Asia/Shanghai"
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

_UNIT_NAMES = {
    "working_days": "个工作日",
    "working_hours": "个工作小时",
    "natural_hours": "个自然小时",
}


def _timezone() -> ZoneInfo:
    name = os.environ.get("HOTLINE_TIMEZONE", DEFAULT_TIMEZONE)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        fail(f"未知时区 HOTLINE_TIMEZONE={escape(name)}")


def build_calendar() -> WorkingCalendar:
    """The calendar the commands use: official days plus the overrides of a configured, migrated
    database (none when no database is configured)."""
    from hotline.config import Settings

    _timezone()  # a clear message for an unknown zone before anything else
    settings = Settings()
    db = configured_database(settings)
    try:
        return bootstrap_calendar(settings, db)
    finally:
        if db is not None:
            db.dispose()


def _parse_start(text: str, tz: tzinfo) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        fail(f"--from 不是 ISO 8601 时间:{escape(text)}(例如 2025-09-30T16:00+08:00)")
    # no offset means local time in the configured zone (docs/calendar.md)
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment


def _parse_day(text: str) -> date:
    try:
        if _ISO_DAY.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    fail(f"日期应为 YYYY-MM-DD:{escape(text)}")


def _choose_amount(options: dict[str, int | None]) -> tuple[str, int]:
    given = [(unit, count) for unit, count in options.items() if count is not None]
    if len(given) != 1:
        fail("请给出且只给出一个时限:--working-days、--working-hours 或 --hours")
    unit, count = given[0]
    if count < 0:
        fail(f"时限不能为负数:{count}")
    return unit, count


def _fallback_warnings(calendar: WorkingCalendar, first: date, last: date) -> list[dict[str, Any]]:
    """Warn, on stderr and in the result, about every year guessed as Monday–Friday."""
    from hotline.adapters.cncalendar import official_years

    known = official_years()
    warnings = []
    for year in calendar.fallback_years(first, last):
        message = (
            f"{year} 年的节假日安排未知(官方日历只到 {known.start}–{known.stop - 1} 年),"
            f"按周一至周五计算工作日;请在日历覆盖表中录入当年的放假调休安排"
        )
        log(f"[yellow]警告:[/]{message}")
        warnings.append({"code": "calendar_year_unknown", "year": year, "message": message})
    return warnings


def _adder(calendar: WorkingCalendar, unit: str) -> Callable[[datetime, int], datetime]:
    return {
        "working_days": calendar.add_working_days,
        "working_hours": calendar.add_working_hours,
        "natural_hours": calendar.add_natural_hours,
    }[unit]


@calendar_app.command("deadline")
def deadline(
    from_: Annotated[
        str, typer.Option("--from", help="起算时间 ISO 8601;不带时区偏移即为本地时间")
    ],
    working_days: Annotated[int | None, typer.Option(help="工作日数")] = None,
    working_hours: Annotated[int | None, typer.Option(help="工作小时数")] = None,
    hours: Annotated[int | None, typer.Option(help="自然小时数")] = None,
    as_json: JsonOpt = False,
) -> None:
    """计算办理时限:从起算时间起加上若干工作日、工作小时或自然小时。"""
    unit, count = _choose_amount(
        {"working_days": working_days, "working_hours": working_hours, "natural_hours": hours}
    )
    calendar = build_calendar()
    start = _parse_start(from_, calendar.tz).astimezone(calendar.tz)
    due = _adder(calendar, unit)(start, count)
    warnings = (
        [] if unit == "natural_hours" else _fallback_warnings(calendar, start.date(), due.date())
    )
    if as_json:
        emit_json(_deadline_document(calendar, start, unit, count, due, warnings))
        return
    log(f"从 {start.isoformat()} 起 {count} {_UNIT_NAMES[unit]}:")
    emit_value(due.isoformat())


def _deadline_document(
    calendar: WorkingCalendar,
    start: datetime,
    unit: str,
    count: int,
    due: datetime,
    warnings: list[dict[str, Any]],
) -> dict[str, Any]:
    natural = unit == "natural_hours"
    return {
        "from": start.isoformat(),
        "unit": unit,
        "amount": count,
        "working_minutes": None if natural else calendar.working_minutes_between(start, due),
        "deadline": due.isoformat(),
        "deadline_utc": due.astimezone(UTC).isoformat(),
        "timezone": str(calendar.tz),
        "warnings": warnings,
    }


@calendar_app.command("is-workday")
def is_workday(
    day: Annotated[str, typer.Argument(help="日期 YYYY-MM-DD")],
    as_json: JsonOpt = False,
) -> None:
    """判断某日是否为工作日(法定节假日、调休上班日与覆盖表均已考虑),输出 true 或 false。"""
    parsed = _parse_day(day)
    calendar = build_calendar()
    verdict = calendar.days.verdict(parsed)
    warnings = _fallback_warnings(calendar, parsed, parsed)
    if as_json:
        emit_json(
            {
                "date": parsed.isoformat(),
                "workday": verdict.workday,
                "reason": verdict.reason.value,
                "note": verdict.note,
                "warnings": warnings,
            }
        )
        return
    emit_value("true" if verdict.workday else "false")


override_app = command_group()
calendar_app.add_typer(
    override_app, name="override", help="节假日调整（法定通知未收录的年份、本地调整）"
)


@override_app.command("add")
def override_add(
    day: Annotated[str, typer.Argument(help="日期 YYYY-MM-DD")],
    kind: Annotated[str, typer.Option(help="holiday（放假）或 workday（调休上班）")],
    note: Annotated[str | None, typer.Option(help="说明，如“2027年春节”")] = None,
) -> None:
    """Add or replace the override of one day."""
    from hotline.services.reference.calendar import set_override

    hotline = build_hotline()
    set_override(hotline, _parse_day(day), kind, note, "cli", hotline.now())
    log(f"已设置 {day} 为 {kind}")


@override_app.command("remove")
def override_remove(day: Annotated[str, typer.Argument(help="日期 YYYY-MM-DD")]) -> None:
    """Remove the override of one day."""
    from hotline.services.reference.calendar import remove_override

    remove_override(build_hotline(), _parse_day(day))
    log(f"已删除 {day} 的调整")


@override_app.command("complete-year")
def override_complete_year(
    year: int, note: Annotated[str | None, typer.Option(help="依据，如国务院办公厅通知文号")] = None
) -> None:
    """Mark a year's notice as entered in full, so it no longer falls back to Monday–Friday."""
    from hotline.services.reference.calendar import mark_year_complete

    hotline = build_hotline()
    mark_year_complete(hotline, year, note, "cli", hotline.now())
    log(f"{year} 年已标记为完整录入")


@override_app.command("list")
def override_list(
    year: Annotated[int | None, typer.Option(help="只列某一年")] = None,
    json_output: JsonOpt = False,
) -> None:
    """List overrides and the years entered in full."""
    from hotline.services.reference.calendar import list_overrides

    listing = list_overrides(build_hotline(), year)
    if json_output:
        emit_json(listing)
        return
    for row in listing["overrides"]:
        emit_value(f"{row['date']}\t{row['kind']}\t{row['note'] or ''}")
    log(f"完整录入的年份：{listing['complete_years'] or '无'}")
