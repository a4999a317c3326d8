"""The CLI's output contract (docs/cli.md) on a real database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hotline.config import Settings


def _run(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "HOTLINE_DATABASE_URL": settings.resolved_database_url,
        "HOTLINE_VAR_DIR": str(settings.var_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "hotline", *args],
        env=env,
        text=True,
        capture_output=True,
        timeout=120,
        check=False,
    )


def test_upgrade_and_seed_are_idempotent_and_json_is_one_document(settings: Settings) -> None:
    for _ in range(2):
        assert _run(settings, "db", "upgrade").returncode == 0
        result = _run(settings, "seed", "--json")
        assert result.returncode == 0, result.stderr
        summary = json.loads(result.stdout)
        assert summary["city"] == "济南市" and summary["channels"] == 11
        assert "济南市" in result.stdout  # characters, not \\u escapes


def test_user_create_prints_the_token_alone_on_the_last_line(settings: Settings) -> None:
    result = _run(settings, "user", "create", "h9", "--role", "handler", "--unit", "LX-CGJ")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("hl_")
    assert "令牌" in result.stderr  # the explanation goes to stderr
    again = _run(settings, "user", "create", "h9", "--role", "handler", "--unit", "LX-CGJ")
    assert again.returncode != 0 and "已存在" in again.stderr and again.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("user", "create", "x", "--role", "king"), "未知角色"),
        (("user", "create", "x", "--role", "handler"), "--unit"),
        (("user", "create", "x", "--role", "handler", "--unit", "NOPE"), "NOPE"),
        (("case", "show", "not-a-number"), "格式不正确"),
    ],
)
def test_bad_input_gets_a_message_and_a_non_zero_exit(
    settings: Settings, args: tuple[str, ...], message: str
) -> None:
    result = _run(settings, *args)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_worker_once_and_history_verification(settings: Settings, tmp_path: Path) -> None:
    from hotline.bootstrap import build_hotline
    from hotline.domain.roles import Actor, Role
    from hotline.services.cases.intake import NewCase, create_case

    hotline = build_hotline(settings)
    number = create_case(
        hotline,
        NewCase(channel="12345", content="历下区路灯不亮"),
        Actor("op", Role.OPERATOR),
        hotline.now(),
    )
    hotline.db.dispose()
    worked = _run(settings, "worker", "--once", "--json")
    assert worked.returncode == 0, worked.stderr
    assert json.loads(worked.stdout)["done"] == 1
    checked = _run(settings, "case", "verify-history", "--json")
    assert json.loads(checked.stdout) == {"checked": 1, "broken": []}
    shown = json.loads(_run(settings, "case", "show", number).stdout)
    assert [e["action"] for e in shown["history"]] == ["receive", "enrich"]
