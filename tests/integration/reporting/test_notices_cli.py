"""``hotline report …`` and ``hotline hotspots``: files written, one JSON document with ``--json``,
bad keys refused on stderr with a non-zero exit. Runs in-process on the test database."""

from __future__ import annotations

import hashlib
import json
from io import BytesIO
from pathlib import Path

import pytest
import typer
from openpyxl import load_workbook
from typer.testing import CliRunner, Result

from hotline.domain.roles import Actor
from hotline.entrypoints.cli import hotspots as hotspots_cli
from hotline.entrypoints.cli import report as report_cli
from hotline.entrypoints.cli.main import main as real_main
from hotline.services.context import Hotline
from tests.conftest import FakeClock
from tests.integration.reporting.test_indicators import Story
from tests.integration.reporting.test_notices import DISTRICT_ROWS, november

root = typer.Typer()
root.add_typer(report_cli.report_app, name="report")
root.command("hotspots")(hotspots_cli.hotspots_command)


@pytest.fixture(autouse=True)
def _same_hotline(hotline: Hotline, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report_cli, "build_hotline", lambda: hotline)
    monkeypatch.setattr(hotspots_cli, "build_hotline", lambda: hotline)


@pytest.fixture
def story(hotline: Hotline, actors: dict[str, Actor], clock: FakeClock) -> Story:
    return Story(hotline, actors, clock)


def run(*args: str) -> Result:
    return CliRunner().invoke(root, list(args))


def test_daily_xlsx_with_a_json_summary(story: Story, tmp_path: Path) -> None:
    november(story)
    out = tmp_path / "notices" / "daily.xlsx"
    result = run("report", "daily", "--date", "2026-11-25", "--format", "xlsx", "--out", str(out),
                 "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)  # exactly one document
    content = out.read_bytes()
    assert summary["path"] == str(out) and summary["bytes"] == len(content)
    assert summary["sha256"] == hashlib.sha256(content).hexdigest()
    assert (summary["kind"], summary["format"]) == ("daily", "xlsx")
    assert summary["period"] == {"key": "2026-11-25", "from": "2026-11-25", "to": "2026-11-25"}
    assert summary["figures"]["受理"] == 4 and "\\u" not in result.stdout
    sheet = load_workbook(BytesIO(content))["各区县办理情况"]
    assert [c.value for c in sheet[5]][:6] == DISTRICT_ROWS[-1]


def test_weekly_html_to_the_standard_name(
    story: Story, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    november(story)
    monkeypatch.chdir(tmp_path)
    result = run("report", "weekly", "--week", "2026-W48")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[-1] == "weekly-2026-W48.html"
    assert "周汇报" in (tmp_path / "weekly-2026-W48.html").read_text(encoding="utf-8")


def test_monthly_json(story: Story, tmp_path: Path) -> None:
    november(story)
    out = tmp_path / "m.html"
    result = run("report", "monthly", "--month", "2026-11", "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["period"]["to"] == "2026-11-30"
    assert "考评排名" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("report", "monthly", "--month", "2026-13"), "2026-13"),
        (("report", "weekly", "--week", "2026-W60"), "2026-W60"),
        (("report", "daily", "--date", "2026-11-25", "--format", "pdf"), "格式"),
        (("report", "period", "--from", "2026-11-25", "--to", "2026-11-01"), "结束日期不能早于"),
    ],
)
def test_bad_input_exits_non_zero_with_a_message(
    args: tuple[str, ...], says: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """Through the real entry point, which turns a refusal into stderr and exit code 2."""
    workdir = tmp_path / "out"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    monkeypatch.setattr("sys.argv", ["hotline", *args])
    with pytest.raises(SystemExit) as exited:
        real_main()
    captured = capsys.readouterr()
    assert exited.value.code == 2 and says in captured.err and captured.out == ""
    assert list(workdir.iterdir()) == []  # nothing written


def test_hotspots_json(hotline: Hotline, actors: dict[str, Actor], clock: FakeClock) -> None:
    from tests.integration.reporting.test_hotspots import QCL, Builder, D

    b = Builder(hotline, actors["operator"], clock)
    for n in range(4):
        b.case(D, QCL, "E0401", hour=9 + n)
    result = run("hotspots", "--date", D.isoformat(), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["count"] == 1 and report["hotspots"][0]["observed"] == 4
    assert report["hotspots"][0]["label"] == "泉城路街道 · 占道经营"
    table = run("hotspots", "--date", D.isoformat(), "--window", "7")
    assert table.exit_code == 0 and "泉城路街道" in table.stdout
    bad = run("hotspots", "--date", "2026-02-30")
    assert bad.exit_code == 2


def test_a_notice_for_any_span_to_the_standard_name(
    story: Story, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    november(story)
    monkeypatch.chdir(tmp_path)
    result = run("report", "period", "--from", "2026-01-01", "--to", "2026-11-25", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["path"] == "period-2026-01-01--2026-11-25.html"
    assert summary["period"] == {"key": "2026-01-01--2026-11-25", "from": "2026-01-01",
                                 "to": "2026-11-25"}  # fmt: skip
