"""Idempotency that survives a crash, tried with a real kill.

The real app runs under uvicorn in a child process (tests/web/crash_server.py) on the test's
database. Its create stops right after the case's transaction commits; the test then kills the
process with SIGKILL — the server died between storing the case and answering. The client's
retry with the same key must get that case back, and there must be exactly one case per key.
(With the key stored apart from the case, the retry was refused as "in flight" for 5 minutes
and then created a second case.)
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from hotline.adapters.db.models import Case
from hotline.config import Settings
from hotline.services.context import Hotline
from tests.web.conftest import DEFAULT_CASE, Api

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 90  # the child imports the whole app; a busy machine takes a while


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until(ready: object, what: str, child: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if callable(ready) and ready():
            return
        if child.poll() is not None:
            raise AssertionError(f"the server exited ({child.returncode}) before {what}")
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def _server(settings: Settings, marker: Path) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    port = _free_port()
    args = [settings.resolved_database_url, str(settings.var_dir), str(port), str(marker)]
    child = subprocess.Popen([sys.executable, "-m", "tests.web.crash_server", *args], cwd=REPO)
    try:
        _wait_until(lambda: _answers(port), "the server answered", child)
        yield port, child
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=30)


def _post(port: int, token: str, key: str) -> None:
    """The first request: it never gets an answer (the server dies under it)."""
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
    with suppress(httpx.HTTPError):
        httpx.post(f"http://127.0.0.1:{port}/api/v1/cases", json=DEFAULT_CASE, headers=headers)


def _create_and_die(settings: Settings, token: str, key: str, marker: Path) -> str:
    """POST a case with ``key``; kill the server once the case is committed; its number."""
    with _server(settings, marker) as (port, child):
        request = threading.Thread(target=_post, args=(port, token, key), daemon=True)
        request.start()
        _wait_until(marker.exists, "the create committed", child)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        request.join(timeout=30)
    assert child.returncode == -signal.SIGKILL
    return marker.read_text(encoding="utf-8")


def _cases(hotline: Hotline) -> int:
    with hotline.db.transaction() as session:
        return session.scalar(select(func.count(Case.id))) or 0


def _crash_trials(api: Api, hotline: Hotline, settings: Settings, trials: int) -> None:
    token = api.token("op")
    for trial in range(trials):
        key = f"crash-{trial}"
        marker = settings.var_dir / f"{key}.number"
        number = _create_and_die(settings, token, key, marker)
        retry = api.post_case("op", DEFAULT_CASE, **{"Idempotency-Key": key})
        assert retry.status_code == 201, retry.text
        assert retry.headers["idempotent-replayed"] == "true"
        assert retry.json()["number"] == number
        assert _cases(hotline) == trial + 1  # one case per key: the retry made none


def test_a_retry_after_a_crash_between_commit_and_answer_gets_that_case(
    api: Api, hotline: Hotline, settings: Settings
) -> None:
    _crash_trials(api, hotline, settings, trials=2)


@pytest.mark.slow
def test_many_crashes_never_make_a_second_case(
    api: Api, hotline: Hotline, settings: Settings
) -> None:
    _crash_trials(api, hotline, settings, trials=20)
