"""``hotline apikey``: the key alone on the last stdout line; list and revoke."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from hotline.config import Settings
from hotline.entrypoints.cli.main import app

# Through ``hotline apikey`` once the command group is wired into the CLI, directly before.
WIRED = any(group.name == "apikey" for group in app.registered_groups)
COMMAND = (
    ["-m", "hotline", "apikey"]
    if WIRED
    else [
        "-c",
        "import sys; from hotline.entrypoints.cli.apikey import apikey_app; sys.exit(apikey_app())",
    ]
)


def _apikey(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "HOTLINE_DATABASE_URL": settings.resolved_database_url,
        "HOTLINE_VAR_DIR": str(settings.var_dir),
    }
    return subprocess.run(
        [sys.executable, *COMMAND, *args],
        env=env,
        text=True,
        capture_output=True,
        timeout=120,
        check=False,
    )


def test_create_list_revoke(settings: Settings) -> None:
    created = _apikey(
        settings, "create", "province", "--exempt-from-rate-limit", "--channel", "wechat"
    )
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip().splitlines()[-1]
    assert key.startswith("hl_") and created.stdout.count("\n") == 1
    assert "api_key" in created.stderr
    second = _apikey(settings, "create", "province")
    assert second.returncode == 0 and second.stdout.strip() != key
    listed = _apikey(settings, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    (row,) = json.loads(listed.stdout)
    assert row["partner"] == "province" and row["keys_active"] == 2
    assert row["channel"] == "web" and row["exempt_from_rate_limit"] is False  # the last create
    assert key not in listed.stdout
    revoked = _apikey(settings, "revoke", "province")
    assert revoked.returncode == 0 and revoked.stdout.strip().splitlines()[-1] == "2"
    assert json.loads(_apikey(settings, "list", "--json").stdout)[0]["keys_active"] == 0


def test_bad_input_fails_with_a_message(settings: Settings) -> None:
    unknown_channel = _apikey(settings, "create", "province", "--channel", "fax")
    assert unknown_channel.returncode != 0 and unknown_channel.stdout == ""
    missing = _apikey(settings, "revoke", "nobody")
    assert missing.returncode != 0 and missing.stdout == ""
    if WIRED:  # the CLI's entry point turns the refusal into one line on stderr
        assert "未找到合作平台" in missing.stderr and "fax" in unknown_channel.stderr
