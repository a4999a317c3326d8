"""The renderers on a hand-built notice (no database): escaping, number formats, sheet names,
charts, section numbers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import BytesIO

from openpyxl import load_workbook

from hotline.reports.notices import Chart, Column, Figure, Notice, Table, render_html
from hotline.reports.notices.html import cn_number
from hotline.reports.notices.model import format_value
from hotline.reports.notices.svg import chart_svg
from hotline.reports.notices.xlsx import render_xlsx, sheet_name

EVIL = '<script>alert("x")</script>'
TABLE = Table(
    "rates",
    "各区县指标 [测试]/一",
    (Column("district", "区县"), Column("rate", "满意率", "percent"), Column("pp", "同比", "pp"),
     Column("n", "件数", "int")),
    ({"district": EVIL, "rate": 0.875, "pp": -1.25, "n": 8},
     {"district": "市中区", "rate": None, "pp": None, "n": 0},
     {"district": "合计", "rate": 0.7, "pp": 0.5, "n": 8}),
    note="测试说明",
    total_row=True,
)  # fmt: skip
NOTICE = Notice(
    "daily", "2026-11-25", "城市管理热线当日通报", date(2026, 11, 25), date(2026, 11, 25),
    datetime(2026, 11, 25, 10, 0, tzinfo=UTC), "热线指挥中心",
    (Figure("受理", 8), Figure("满意率", 0.875, "percent", "")),
    (TABLE,),
    (Chart("bar", "满意率", "bar", "rates", "district", ("rate", "n")),),
)  # fmt: skip


def test_html_escapes_everything_it_is_given() -> None:
    page = render_html(NOTICE).decode("utf-8")
    assert "<script" not in page
    assert "&lt;script&gt;" in page  # in the table and in the SVG label
    assert page.count("<svg") == 1 and "87.50%" in page and "-1.25" in page
    assert "一、各区县指标" in page and 'class="total"' in page


def test_svg_leaves_the_total_row_out_and_escapes() -> None:
    svg = chart_svg(NOTICE.charts[0], TABLE)
    assert svg.startswith("<svg") and "<script" not in svg
    assert "合计" not in svg  # the total is not a bar
    assert svg.count("<rect") == 2 * 2 + 2  # 2 body rows × 2 series, and 2 legend keys


def test_xlsx_numbers_formats_and_sheet_names() -> None:
    book = load_workbook(BytesIO(render_xlsx(NOTICE)))
    assert book.sheetnames == ["概况", "各区县指标 测试一"]
    sheet = book["各区县指标 测试一"]
    assert sheet["A3"].value == EVIL  # a spreadsheet cell holds text, not markup
    assert (sheet["B3"].value, sheet["B3"].number_format) == (0.875, "0.00%")
    assert (sheet["C3"].value, sheet["C3"].number_format) == (-1.25, "+0.00;-0.00;0.00")
    assert sheet["B4"].value is None  # no value: an empty cell, not a dash
    assert sheet["A7"].value == "说明：测试说明"
    assert len(sheet._charts) == 1
    summary = book["概况"]
    assert (summary["B6"].value, summary["B6"].number_format) == (0.875, "0.00%")


def test_small_helpers() -> None:
    assert [cn_number(n) for n in (1, 9, 10, 11, 20, 23)] == [
        "一",
        "九",
        "十",
        "十一",
        "二十",
        "二十三",
    ]
    assert sheet_name("a" * 40, set()) == "a" * 31
    taken = {"表"}
    assert sheet_name("表", taken) == "表-2"
    assert format_value(None, "int") == "—" and format_value(1234, "int") == "1,234"
    assert format_value(-5000.0, "money") == "-5,000" and format_value(0.0, "money") == "0"


def test_rates_are_drawn_against_100_percent() -> None:
    svg = chart_svg(Chart("r", "满意率", "bar", "rates", "district", ("rate",)), TABLE)
    span = 680 - 150 - 70
    assert f'width="{round(0.875 * span, 1)}"' in svg  # 87.5 % of the full length, not all of it
