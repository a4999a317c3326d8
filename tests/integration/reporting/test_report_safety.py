"""Reports never die on one odd stored row, and no xlsx the project writes turns a user's text
into a live formula (issue 18, item 12).

The odd rows are put in the database directly, as if stored before any bound existed: a media
publish time of 9999-12-31T23:59:59Z (eight hours past the last local date in Asia/Shanghai), and
text fields starting with ``=``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import pytest
import typer
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import update
from typer.testing import CliRunner

from hotline.adapters.db.models import Case
from hotline.domain.roles import Actor
from hotline.entrypoints.cli import problems as problems_cli
from hotline.entrypoints.cli import report as report_cli
from hotline.services.context import Hotline
from hotline.services.reference.tabular import write_tables
from hotline.services.reporting.production import build_notice, produce
from tests.conftest import FakeClock
from tests.integration.helpers import new_case

FORMULA = '=HYPERLINK("http://evil.example/","点击查看")'
LAST_MOMENT = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)


@pytest.fixture
def odd_media_case(hotline: Hotline, actors: dict[str, Actor], clock: FakeClock) -> str:
    clock.current = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 10:00 local
    number = new_case(hotline, actors["operator"], channel="media", district_code="370102",
                      media_outlet="济南日报", media_link="http://news.example/1")  # fmt: skip
    with hotline.db.transaction() as session:
        session.execute(
            update(Case)
            .where(Case.number == number)
            .values(media_published_at=LAST_MOMENT, media_outlet=FORMULA, media_link="=1+1")
        )
    clock.current = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # 18:00 local
    return number


def _cells(sheet: Worksheet) -> list[tuple[object, str]]:
    return [(c.value, c.data_type) for row in sheet.iter_rows() for c in row if c.value]


def test_the_daily_notice_shows_a_moment_past_the_last_local_date(
    hotline: Hotline, odd_media_case: str
) -> None:
    notice = build_notice(hotline, "daily", "2026-11-25", hotline.now())
    [row] = notice.table("media").rows
    assert row["published"] == "9999-12-31 23:59 UTC"
    html = produce(hotline, "daily", "2026-11-25", "html", hotline.now()).decode("utf-8")
    assert "9999-12-31 23:59 UTC" in html and "<script" not in html


def test_text_starting_with_equals_stays_text_in_the_notice_xlsx(
    hotline: Hotline, odd_media_case: str
) -> None:
    book = load_workbook(BytesIO(produce(hotline, "daily", "2026-11-25", "xlsx", hotline.now())))
    cells = [cell for sheet in book.worksheets for cell in _cells(sheet)]
    assert (FORMULA, "s") in cells and ("=1+1", "s") in cells
    assert not [value for value, kind in cells if kind == "f"]  # no formula anywhere


def test_report_daily_on_the_command_line_exits_0(
    hotline: Hotline, odd_media_case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_cli, "build_hotline", lambda: hotline)
    root = typer.Typer()
    root.add_typer(report_cli.report_app, name="report")
    for fmt in ("html", "xlsx"):
        out = tmp_path / f"daily.{fmt}"
        result = CliRunner().invoke(root, ["report", "daily", "--date", "2026-11-25",
                                           "--format", fmt, "--out", str(out)])  # fmt: skip
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0


def test_the_problem_ledger_export_writes_text_as_text(hotline: Hotline, tmp_path: Path) -> None:
    out = tmp_path / "problems.xlsx"
    item = {"id": 7, "title": "=1+2", "head_name": "@SUM(A1)", "case_count": 3,
            "first_case_at": LAST_MOMENT.isoformat()}  # fmt: skip
    problems_cli.write_xlsx(out, [item], hotline)
    sheet = load_workbook(out)["问题台账"]
    values = {c.column_letter: (c.value, c.data_type) for c in sheet[2] if c.value is not None}
    assert values["A"] == (7, "n") and values["C"] == ("=1+2", "s")
    assert ("9999-12-31T23:59:59+00:00", "s") in values.values()  # past a local date: text


def test_taxonomy_and_organisation_exports_write_text_as_text(tmp_path: Path) -> None:
    out = tmp_path / "org.xlsx"
    rows = [{"code": "X1", "name": "=cmd|' /C calc'!A0", "note": "a\x0bb"}]
    write_tables(out, {"units": rows}, {"units": "单位"}, {"units": ("code", "name", "note")})
    sheet = load_workbook(out)["单位"]
    assert [(c.value, c.data_type) for c in sheet[2]] == [
        ("X1", "s"), ("=cmd|' /C calc'!A0", "s"), ("ab", "s")
    ]  # fmt: skip


def test_a_missing_value_is_an_empty_cell_never_a_dash_written_as_text(
    hotline: Hotline, odd_media_case: str
) -> None:
    """The media case was never registered: no category. The xlsx leaves the cell empty (as
    docs/reports.md says); the HTML shows 「—」."""
    book = load_workbook(BytesIO(produce(hotline, "daily", "2026-11-25", "xlsx", hotline.now())))
    assert not [v for sheet in book.worksheets for v, _kind in _cells(sheet) if v == "—"]
    [row] = build_notice(hotline, "daily", "2026-11-25", hotline.now()).table("media").rows
    assert row["category"] is None
    html = produce(hotline, "daily", "2026-11-25", "html", hotline.now()).decode("utf-8")
    assert "<td>—</td>" in html or ">—<" in html
