"""``hotline evaluate`` and ``hotline editions``: one JSON document on stdout, refusals on
stderr with a non-zero exit; in-process on the test database and clock."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from hotline.domain.roles import Actor
from hotline.entrypoints.cli import editions as editions_cli
from hotline.entrypoints.cli import evaluate as evaluate_cli
from hotline.services.accounts.users import NewUser, create_user
from hotline.services.context import Hotline
from hotline.services.reporting import production
from tests.conftest import FakeClock
from tests.integration.evaluation.test_evaluation import LIXIA, SCHEME, SHIZHONG, October

root = typer.Typer()
root.add_typer(evaluate_cli.evaluate_app, name="evaluate")
root.add_typer(editions_cli.editions_app, name="editions")


@root.callback()
def _root() -> None:
    """Stands in for the ``hotline`` command."""


@pytest.fixture(autouse=True)
def _same_hotline(hotline: Hotline, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(evaluate_cli, "build_hotline", lambda: hotline)
    monkeypatch.setattr(editions_cli, "build_hotline", lambda: hotline)


def run(*args: str) -> Result:
    return CliRunner().invoke(root, list(args))


@pytest.fixture
def october(hotline: Hotline, actors: dict[str, Actor], clock: FakeClock) -> October:
    story = October(hotline, actors, clock)
    story.build()
    for name, role, district in (("lx-disp", "dispatcher", LIXIA), ("lead", "leader", None)):
        create_user(hotline, NewUser(name, role, None, district), clock())
    return story


def test_evaluate_with_a_scheme_and_a_comparison(october: October, tmp_path: Path) -> None:
    scheme = tmp_path / "test.yaml"
    scheme.write_text(SCHEME, encoding="utf-8")
    result = run("evaluate", "--month", "2026-10", "--scheme", str(scheme),
                 "--compare-scheme", "jinan-2026", "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    scores = {row["entity"]: row["score"] for row in document["results"]}
    assert (scores[SHIZHONG], scores[LIXIA]) == (109.0, 73.0)
    assert document["what_if"]["scheme"]["name"].startswith("济南市")
    assert "历下区" in result.stdout and "\\u" not in result.stdout
    table = run("evaluate", "--month", "2026-10", "--scheme", str(scheme), "--entity", "unit")
    assert table.exit_code == 0 and table.stdout.strip().splitlines()[-1] == "5"


def test_bad_input_is_refused_on_stderr(hotline: Hotline, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(SCHEME.replace("weight: 60", "weight: 61"), encoding="utf-8")
    refused = run("evaluate", "--month", "2026-10", "--scheme", str(bad), "--json")
    assert refused.exit_code == 2 and refused.stdout == ""
    assert "权重之和须为 100" in refused.stderr
    assert run("evaluate", "--json").exit_code == 2
    assert "YYYY-MM" in run("evaluate", "--month", "10", "--json").stderr


def test_request_approve_and_list_adjustments(october: October) -> None:
    requested = run("evaluate", "request", "--month", "2026-10", "--case",
                    october.numbers["B"], "--target", "result_satisfaction",
                    "--reason", "回访误评", "--by", "lx-disp", "--json")  # fmt: skip
    assert requested.exit_code == 0, requested.output
    adjustment = json.loads(requested.stdout)
    approved = run("evaluate", "approve", str(adjustment["id"]), "--note", "同意", "--by", "lead")
    assert approved.exit_code == 0 and approved.stdout.strip() == str(adjustment["id"])
    twice = run("evaluate", "reject", str(adjustment["id"]), "--note", "不", "--by", "lead")
    assert twice.exit_code == 2 and "不能再审批" in twice.stderr
    listed = json.loads(run("evaluate", "adjustments", "--by", "lead", "--json").stdout)
    assert [(r["status"], r["decided_by"]) for r in listed["items"]] == [("approved", "lead")]
    nobody = run("evaluate", "adjustments", "--by", "ghost")
    assert nobody.exit_code == 2 and "ghost" in nobody.stderr


def test_editions_list_and_save(hotline: Hotline, clock: FakeClock, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    def producer(
        _h: Hotline, kind: str, key: str, districts: Sequence[str], _now: datetime
    ) -> dict[str, dict[str, bytes]]:
        page = {fmt: f"{kind} {key} {fmt}".encode() for fmt in ("html", "xlsx")}
        return {scope: page for scope in ("", *districts)}

    monkeypatch.setattr(production, "produce_formats", producer)
    made = run("editions", "produce", "--kind", "weekly", "--key", "2026-W47", "--json")
    assert made.exit_code == 0, made.output
    again = run("editions", "produce", "--kind", "weekly", "--key", "2026-W47")
    assert again.exit_code == 1 and "已经生成过" in again.stderr
    listed = json.loads(run("editions", "list", "--json").stdout)["items"]
    assert {item["period_key"] for item in listed} == {"2026-W47"}
    # the profile's district recipients of the weekly summary each get their district's cut
    cuts = json.loads(run("editions", "list", "--district", "370102", "--json").stdout)["items"]
    assert {(item["district"], item["format"]) for item in cuts} == {
        ("370102", "html"), ("370102", "xlsx")
    }  # fmt: skip
    shown = run("editions", "list", "--kind", "weekly")
    assert "370102区县版" in shown.stderr and "全市版" in shown.stderr
    out = tmp_path / "weekly.html"
    html_id = next(item["id"] for item in listed if item["format"] == "html")
    assert run("editions", "save", str(html_id), "--out", str(out)).exit_code == 0
    assert out.read_bytes() == b"weekly 2026-W47 html"
    bad = run("editions", "produce", "--kind", "weekly", "--key", "2026-48")
    assert bad.exit_code == 2 and "YYYY-Www" in bad.stderr
