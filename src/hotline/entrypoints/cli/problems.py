"""``hotline problems list``: the problem ledger (问题台账) on the terminal, as JSON or as xlsx.

The xlsx is for the office: a header row in bold on a fill, frozen, filtered, columns sized,
counts and ages as numbers, times as Excel dates in local time.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from hotline.bootstrap import build_hotline
from hotline.domain.ledger import SORTS
from hotline.domain.roles import SYSTEM
from hotline.entrypoints.cli.groups import command_group
from hotline.entrypoints.cli.output import JsonOpt, emit_json, emit_value, fail, log

if TYPE_CHECKING:
    from hotline.services.context import Hotline
    from hotline.services.ledger.views import ProblemFilter

problems_app = command_group()

PAGE = 500
# (heading, view key, width, kind): kind "int" and "date" are written as numbers and dates.
COLUMNS: tuple[tuple[str, str, int, str], ...] = (
    ("问题编号", "id", 10, "int"),
    ("状态", "status_label", 8, "text"),
    ("问题", "title", 40, "text"),
    ("类别", "category_code", 10, "text"),
    ("区县", "district_code", 10, "text"),
    ("街道", "street_code", 12, "text"),
    ("主办单位", "lead_unit_name", 24, "text"),
    ("负责人", "head_name", 10, "text"),
    ("投诉次数", "case_count", 10, "int"),
    ("复发次数", "recurrence_count", 10, "int"),
    ("挂账天数", "age_days", 10, "int"),
    ("首次投诉", "first_case_at", 18, "date"),
    ("最近投诉", "last_case_at", 18, "date"),
    ("销账时间", "written_off_at", 18, "date"),
    ("督办级别", "supervision_level", 10, "text"),
)
HEADER_FILL = "DDEBF7"


def all_problems(hotline: Hotline, query: ProblemFilter) -> dict[str, Any]:
    """Every page of the list (the export is the whole ledger, not one screen)."""
    from hotline.services.ledger.views import list_problems

    now = hotline.now()  # one moment for every page of the export
    first = list_problems(hotline, SYSTEM, query, now)
    items = list(first["items"])
    page = 1
    while len(items) < first["total"]:
        page += 1
        more = list_problems(hotline, SYSTEM, _page(query, page), now)["items"]
        if not more:
            break
        items += more
    return {"total": first["total"], "items": items}


def _page(query: ProblemFilter, page: int) -> ProblemFilter:
    return replace(query, page=page)


def _cell(value: Any, kind: str) -> Any:
    if value is not None and kind == "date":  # Excel has no time zones: local wall-clock time
        return datetime.fromisoformat(value)
    return value


def write_xlsx(path: Path, items: list[dict[str, Any]], hotline: Hotline) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from hotline.adapters.spreadsheet import put

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "问题台账"
    tz = hotline.settings.tz
    for column, (heading, *_) in enumerate(COLUMNS, start=1):
        put(sheet, 1, column, heading)
    for row, item in enumerate(items, start=2):
        for column, (_, key, _, kind) in enumerate(COLUMNS, start=1):
            put(sheet, row, column, _cell(item.get(key), kind), tz)
    for position, (_, _, width, kind) in enumerate(COLUMNS, start=1):
        letter = get_column_letter(position)
        sheet.column_dimensions[letter].width = width
        header = sheet.cell(row=1, column=position)
        header.font, header.fill = Font(bold=True), PatternFill("solid", fgColor=HEADER_FILL)
        header.alignment = Alignment(horizontal="center")
        for row in range(2, len(items) + 2):
            cell = sheet.cell(row=row, column=position)
            if kind == "date":
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif kind == "int":
                cell.number_format = "0"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(items) + 1}"
    try:
        workbook.save(path)
    except OSError as exc:
        fail(f"无法写入 {escape(str(path))}：{escape(exc.strerror or str(exc))}")


def _print_table(items: list[dict[str, Any]], total: int) -> None:
    table = Table(title=f"问题台账（共 {total} 个）")
    shown = ("id", "status_label", "title", "district_code", "lead_unit", "case_count",
             "recurrence_count", "age_days")  # fmt: skip
    for heading in ("编号", "状态", "问题", "区县", "主办单位", "投诉", "复发", "挂账天数"):
        table.add_column(heading)
    for item in items:
        table.add_row(*(escape(str(item.get(key) if item.get(key) is not None else "—"))
                        for key in shown))  # fmt: skip
    Console(width=max(Console().width, 140)).print(table)


@problems_app.command("list")
def list_command(
    status: Annotated[str, typer.Option(help="open 在账 | written_off 已销账 | all")] = "open",
    district: Annotated[str | None, typer.Option(help="区县代码")] = None,
    unit: Annotated[str | None, typer.Option(help="主办单位代码")] = None,
    category: Annotated[str | None, typer.Option(help="类别代码")] = None,
    min_complaints: Annotated[int | None, typer.Option(help="投诉次数至少")] = None,
    min_age_days: Annotated[int | None, typer.Option(help="挂账天数至少")] = None,
    sort: Annotated[str, typer.Option(help=" | ".join(SORTS))] = "age",
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="导出为 xlsx 文件")] = None,
    json_output: JsonOpt = False,
) -> None:
    """The ledger: open problems by district, unit, age, complaint count and recurrences."""
    from hotline.services.ledger.views import ProblemFilter

    query = ProblemFilter(status=status, district=district, unit=unit, category=category,
                          min_complaints=min_complaints, min_age_days=min_age_days, sort=sort,
                          page_size=PAGE)  # fmt: skip
    hotline = build_hotline()
    found = all_problems(hotline, query)
    if xlsx is not None:
        write_xlsx(xlsx, found["items"], hotline)
        log(f"已导出 {found['total']} 个问题到 {xlsx}")
    if json_output:
        emit_json(found)
    elif xlsx is not None:
        emit_value(xlsx)
    else:
        _print_table(found["items"], found["total"])
