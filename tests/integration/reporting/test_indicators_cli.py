"""``hotline indicators``: one JSON document on stdout, Chinese as characters, refusals on stderr.

The command runs in-process on the test database and clock (``build_hotline`` replaced), mounted
as the main CLI mounts it: ``hotline indicators …``.
"""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner, Result

from hotline.domain.roles import Actor
from hotline.entrypoints.cli import indicators as cli
from hotline.services.context import Hotline
from tests.conftest import FakeClock
from tests.integration.reporting.test_indicator_rules import resorted_case, settle_as_version_1
from tests.integration.reporting.test_indicators import EXPECTED, Story, october, totals
from tests.integration.reporting.test_indicators import OCTOBER as OCTOBER_PERIOD

root = typer.Typer()
root.add_typer(cli.indicators_app, name="indicators")


@root.callback()
def _root() -> None:
    """Stands in for the ``hotline`` command."""


@pytest.fixture
def story(hotline: Hotline, actors: dict[str, Actor], clock: FakeClock) -> Story:
    return Story(hotline, actors, clock)


@pytest.fixture(autouse=True)
def _same_hotline(hotline: Hotline, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "build_hotline", lambda: hotline)


def run(*args: str) -> Result:
    return CliRunner().invoke(root, ["indicators", *args])


OCTOBER = ("--from", "2026-10-01", "--to", "2026-10-31")


def test_the_report_as_written_in_the_issue(story: Story) -> None:
    october(story)
    result = run(*OCTOBER, "--group-by", "district", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)  # exactly one document
    assert totals(report) == EXPECTED
    assert "历下区" in result.stdout and "\\u" not in result.stdout
    for group_by in ("unit", "category", "channel", "day"):
        again = run("show", *OCTOBER, "--group-by", group_by, "--json")
        assert again.exit_code == 0 and json.loads(again.stdout)["group_by"] == group_by


def test_settle_drill_down_verify_and_refresh(story: Story) -> None:
    october(story)
    story.at("2026-11-03", "10:00")
    settled = run("settle", "--month", "2026-10", "--json")
    assert settled.exit_code == 0, settled.output
    assert json.loads(settled.stdout)["totals"]["reply_rate"]["numerator"] == 3
    again = run("settle", "--month", "2026-10")
    assert again.exit_code == 2 and "已经结算" in again.stderr and again.stdout == ""
    verified = run("verify", "--month", "2026-10", "--json")
    assert verified.exit_code == 0 and json.loads(verified.stdout)["matches"] is True
    cases = run("cases", "--indicator", "overdue_rate", *OCTOBER)
    assert cases.exit_code == 0 and cases.stdout.strip().splitlines()[-1] == "3"
    refreshed = run("refresh", "--json")
    assert refreshed.exit_code == 0 and "cases" in json.loads(refreshed.stdout)


def test_the_human_table_and_bad_input(story: Story) -> None:
    october(story)
    table = run(*OCTOBER)
    assert table.exit_code == 0 and "回复率" in table.stdout and "75.00%" in table.stdout
    for args, message in [
        (("--from", "2026-10-01"), "--to"),
        (("--from", "2026-10-1x", "--to", "2026-10-31"), "YYYY-MM-DD"),
        ((*OCTOBER, "--group-by", "planet"), "group_by"),
        (("--from", "2026-10-31", "--to", "2026-10-01"), "结束日期"),
        (("settle", "--month", "2026-13"), "YYYY-MM"),
    ]:
        result = run(*args)
        assert result.exit_code != 0 and message in result.stderr, (args, result.output)
        assert result.stdout == ""


def test_a_comparison_across_a_change_of_rules_is_labelled_under_the_table(story: Story) -> None:
    resorted_case(story)
    story.at("2026-11-03", "10:00")
    settle_as_version_1(story, "2026-10", OCTOBER_PERIOD)
    result = run("show", "--from", "2026-11-01", "--to", "2026-11-30")
    assert result.exit_code == 0, result.output
    [note] = [line for line in result.stdout.splitlines() if line.startswith("注：")]
    assert "2026-10（第 1 版）" in note and "比较仅供参考" in note
    plain = run("show", *OCTOBER)  # October itself compares with an unsettled September
    assert "注：" not in plain.stdout
