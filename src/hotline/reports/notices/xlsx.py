"""The xlsx notice: a 概况 sheet, then one sheet per table (title in row 1, headers in row 2,
data from row 3), numbers as numbers with number formats (percentages as 0.00%), and native
openpyxl charts beside the table they draw. Every cell is written through
hotline.adapters.spreadsheet: text stays text (never a formula), whatever a user typed."""

from __future__ import annotations

import re

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from hotline.adapters.spreadsheet import put, workbook_bytes
from hotline.reports.notices.model import Chart, Notice, Table, Value

HEADER_ROW, FIRST_ROW = 2, 3
NUMBER_FORMATS: dict[str, str] = {
    "int": "#,##0",
    "percent": "0.00%",
    "pp": "+0.00;-0.00;0.00",
    "score": "0.00",
    "money": "#,##0;-#,##0;0",
}
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def sheet_name(title: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = BAD_SHEET_CHARS.sub("", title)[:31] or "表"
    name, n = base, 2
    while name in taken:
        name = f"{base[:28]}-{n}"
        n += 1
    taken.add(name)
    return name


def _cell_value(value: Value) -> Value:
    return None if value == "" else value  # an empty cell, not an empty string


def _width(values: list[str]) -> float:
    longest = max((sum(2 if ord(ch) > 0x2E80 else 1 for ch in v) for v in values), default=4)
    return min(max(longest + 2, 8), 60)


def write_table(sheet: Worksheet, table: Table) -> None:
    put(sheet, 1, 1, table.title).font = Font(bold=True, size=14)
    for col, column in enumerate(table.columns, start=1):
        cell = put(sheet, HEADER_ROW, col, column.label)
        cell.font, cell.fill, cell.border = Font(bold=True), HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for r, row in enumerate(table.rows, start=FIRST_ROW):
        bold = table.total_row and r == FIRST_ROW + len(table.rows) - 1
        for col, column in enumerate(table.columns, start=1):
            cell = put(sheet, r, col, _cell_value(row.get(column.key)))
            cell.border = BORDER
            if column.kind in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[column.kind]
            if bold:
                cell.font = Font(bold=True)
    for col, column in enumerate(table.columns, start=1):
        texts = [column.label] + [str(row.get(column.key) or "") for row in table.rows]
        sheet.column_dimensions[get_column_letter(col)].width = _width(texts)
    sheet.freeze_panes = sheet.cell(row=FIRST_ROW, column=1)
    if table.note:
        put(sheet, FIRST_ROW + len(table.rows) + 1, 1, f"说明：{table.note}")


def add_chart(sheet: Worksheet, chart: Chart, table: Table, place: int = 0) -> None:
    """A native chart over the table's body rows (the 合计 row left out)."""
    count = len(table.body)
    if count == 0:
        return
    keys = [c.key for c in table.columns]
    last = FIRST_ROW + count - 1
    native = LineChart() if chart.kind == "line" else BarChart()
    if isinstance(native, BarChart):
        native.type = "bar"  # horizontal: district names read on the left
    native.title, native.height, native.width = chart.title, max(7.5, 0.6 * count + 3), 18
    for key in chart.series:
        column = keys.index(key) + 1
        data = Reference(sheet, min_col=column, min_row=HEADER_ROW, max_row=last)
        native.add_data(data, titles_from_data=True)
    category = keys.index(chart.category) + 1
    native.set_categories(Reference(sheet, min_col=category, min_row=FIRST_ROW, max_row=last))
    anchor = f"{get_column_letter(len(keys) + 2)}{HEADER_ROW + 20 * place}"
    sheet.add_chart(native, anchor)


def _summary(sheet: Worksheet, notice: Notice) -> None:
    put(sheet, 1, 1, notice.title).font = Font(bold=True, size=16)
    put(sheet, 2, 1, f"{notice.period_label}　{notice.issuer}")
    for col, label in enumerate(("项目", "数值", "单位"), start=1):
        cell = put(sheet, 4, col, label)
        cell.font, cell.fill, cell.border = Font(bold=True), HEADER_FILL, BORDER
    for r, figure in enumerate(notice.figures, start=5):
        put(sheet, r, 1, figure.label).border = BORDER
        cell = put(sheet, r, 2, figure.value)
        cell.border = BORDER
        cell.number_format = NUMBER_FORMATS.get(figure.kind, "General")
        put(sheet, r, 3, figure.unit or None).border = BORDER
    for r, remark in enumerate(notice.remarks, start=6 + len(notice.figures)):
        put(sheet, r, 1, remark)
    sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width = 28, 14


def render_xlsx(notice: Notice) -> bytes:
    book = Workbook()
    summary = book.active
    assert summary is not None
    taken = {"概况"}
    summary.title = "概况"
    _summary(summary, notice)
    for table in notice.tables:
        sheet = book.create_sheet(sheet_name(table.title, taken))
        write_table(sheet, table)
        for place, chart in enumerate(notice.charts_of(table.key)):
            add_chart(sheet, chart, table, place)
    book.properties.title = f"{notice.title}（{notice.period_label}）"
    book.properties.creator = notice.issuer
    return workbook_bytes(book)
