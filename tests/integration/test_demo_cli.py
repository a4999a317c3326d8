"""`hotline demo`: refused in production and on a real centre's database (or skipped there with
--skip-real, as `make run` does); a second run catches the demo up from its last day."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from hotline.adapters.db.models import Case, DemoRun
from hotline.config import Settings
from hotline.domain.roles import Actor, Role
from hotline.services.cases.intake import NewCase, create_case
from hotline.services.context import Hotline
from tests.conftest import FakeClock


def _run(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    """`hotline …` in a subprocess on the test's database (the engine needs a process whose main
    module is guarded, as the console script's is)."""
    env = {**os.environ, "HOTLINE_DATABASE_URL": settings.resolved_database_url,
           "HOTLINE_VAR_DIR": str(settings.var_dir)}  # fmt: skip
    return subprocess.run([sys.executable, "-m", "hotline", *args], env=env, text=True,
                          capture_output=True, timeout=900, check=False)  # fmt: skip


SMALL = ("--months", "1", "--per-day", "2", "--no-retrain", "--no-editions", "--json")


def _cases(hotline: Hotline) -> int:
    with hotline.db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(Case)) or 0)


def _a_real_case(hotline: Hotline) -> None:
    complaint = NewCase(channel="12345", content="泉城路上的井盖松动，过车时响声很大。",
                        address="历下区泉城路100号")  # fmt: skip
    create_case(hotline, complaint, Actor("op", Role.OPERATOR), hotline.now())


@pytest.mark.timeout(600)
def test_production_refuses_the_demo(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_ENV", "production")
    result = _run(settings, "demo", *SMALL)
    assert result.returncode == 2 and result.stdout == ""
    assert "HOTLINE_ENV=production" in result.stderr


@pytest.mark.timeout(600)
def test_a_real_centres_database_is_refused_or_skipped(
    settings: Settings, hotline: Hotline
) -> None:
    _a_real_case(hotline)
    refused = _run(settings, "demo", *SMALL)
    assert refused.returncode == 2, refused.stderr
    assert "不是演示数据库" in refused.stderr
    skipped = _run(settings, "demo", "--skip-real", *SMALL)
    assert skipped.returncode == 0, skipped.stderr
    assert json.loads(skipped.stdout)["skipped"] == "not_a_demo_database"
    assert _cases(hotline) == 1


@pytest.mark.timeout(1200)  # two small demos in subprocesses
def test_a_second_run_catches_the_demo_up(
    settings: Settings, hotline: Hotline, clock: FakeClock
) -> None:
    built = _run(settings, "demo", *SMALL, "--end", "2026-11-20")
    assert built.returncode == 0, built.stderr
    first = json.loads(built.stdout)["demo"]
    assert first["caught_up_from"] is None and first["last_day"] == "2026-11-20"
    assert first["cases"] == _cases(hotline) > 0
    clock.current = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # 17:00 on the demo's last day
    _a_real_case(hotline)  # someone used the demo since: it stays a demo

    again = _run(settings, "demo", *SMALL, "--end", "2026-11-23", "--skip-real")
    assert again.returncode == 0, again.stderr
    later = json.loads(again.stdout)["demo"]
    assert later["last_day"] == "2026-11-23" and later["cases"] > 0
    assert later["caught_up_from"] == later["first_day"] == "2026-11-21"
    with hotline.db.transaction() as session:
        runs = session.scalars(select(DemoRun).order_by(DemoRun.id)).all()
        assert [(r.first_day.isoformat(), r.last_day.isoformat()) for r in runs] == [
            (first["first_day"], "2026-11-20"),
            (later["first_day"], "2026-11-23"),
        ]
