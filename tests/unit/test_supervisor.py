"""`hotline run`'s supervisor: a child that ends stops the others; stop() ends every child, by
SIGTERM within the grace and by SIGKILL after it. Ctrl-C itself: tests/integration/test_make_run.py.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from hotline.entrypoints.cli.supervisor import Child, Supervisor

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]
# ignores SIGTERM, as a child stuck in a long job would not answer it in time
STUBBORN = (
    "import pathlib, signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN);"
    " pathlib.Path(sys.argv[1]).touch(); time.sleep(60)"
)


def test_a_child_that_ends_stops_the_other_and_is_named() -> None:
    quitter = Child("worker", [sys.executable, "-c", "raise SystemExit(3)"])
    sleeper = Child("server", SLEEPER)
    supervisor = Supervisor([sleeper, quitter], grace_seconds=10)
    supervisor.start()
    outcome = supervisor.wait()
    assert (outcome.failed, outcome.returncode) == ("worker", 3)
    assert not sleeper.running() and sleeper.process is not None
    assert sleeper.process.returncode == -15  # SIGTERM


def test_stop_kills_a_child_that_ignores_sigterm_after_the_grace(tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    stubborn = Child("worker", [sys.executable, "-c", STUBBORN, str(ready)])
    supervisor = Supervisor([stubborn], grace_seconds=0.5)
    supervisor.start()
    deadline = time.monotonic() + 60
    while not ready.exists() and time.monotonic() < deadline:  # its handler is installed
        time.sleep(0.1)
    started = time.monotonic()
    supervisor.stop()
    assert not stubborn.running() and stubborn.process is not None
    assert stubborn.process.returncode == -9  # SIGKILL
    assert time.monotonic() - started < 10
