"""Calendar overrides from the database reach the deadline CLI; no database is needed for it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from hotline.config import Settings


def _run(env_extra: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-m", "hotline", "calendar", *args],
        env=env,
        text=True,
        capture_output=True,
        timeout=120,
        check=False,
    )


def test_overrides_change_deadlines_and_silence_the_fallback(settings: Settings) -> None:
    env = {"HOTLINE_DATABASE_URL": settings.resolved_database_url}
    start = ("deadline", "--from", "2027-02-05T16:00:00+08:00", "--working-days", "1", "--json")
    before = _run(env, *start)
    assert before.returncode == 0, before.stderr
    assert json.loads(before.stdout)["deadline"] == "2027-02-08T16:00:00+08:00"
    assert "2027" in before.stderr  # the Monday–Friday fallback is announced
    for day in ("2027-02-08", "2027-02-09"):
        added = _run(env, "override", "add", day, "--kind", "holiday", "--note", "春节")
        assert added.returncode == 0, added.stderr
    assert _run(env, "override", "complete-year", "2027").returncode == 0
    after = _run(env, *start)
    assert json.loads(after.stdout)["deadline"] == "2027-02-10T16:00:00+08:00"
    assert "2027" not in after.stderr
    listing = json.loads(_run(env, "override", "list", "--json").stdout)
    assert [row["date"] for row in listing["overrides"]] == ["2027-02-08", "2027-02-09"]
    assert listing["complete_years"] == [2027]
    assert _run(env, "override", "remove", "2027-02-09").returncode == 0
    assert _run(env, "override", "remove", "2027-02-09").returncode != 0


def test_bad_kind_is_refused(settings: Settings) -> None:
    env = {"HOTLINE_DATABASE_URL": settings.resolved_database_url}
    result = _run(env, "override", "add", "2027-01-01", "--kind", "party")
    assert result.returncode != 0 and "workday" in result.stderr


def test_the_deadline_cli_creates_no_database(tmp_path: Path) -> None:
    result = _run({"HOTLINE_VAR_DIR": str(tmp_path)}, "is-workday", "2025-10-11")
    assert result.returncode == 0 and result.stdout.strip().splitlines()[-1] == "true"
    assert list(tmp_path.iterdir()) == []
