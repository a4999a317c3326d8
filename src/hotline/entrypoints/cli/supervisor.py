"""``hotline run``'s supervisor: the server and the worker as child processes, stopped together.

Two processes, not a worker thread in the server: a report the worker produces holds the CPU (and
the GIL) for seconds, which would stall every request; production runs them as two services anyway
(docs/decisions/0033). The children run in process groups of their own, so that a Ctrl-C at the
terminal reaches only the supervisor, which sends each child exactly one SIGTERM: the server
closes its connections, the worker finishes the job in hand (a second signal would cut both short).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from types import FrameType

POLL_SECONDS = 0.2


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        assert self.process is not None, "not started"
        return self.process.pid

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


def hotline_child(name: str, *args: str) -> Child:
    """A ``hotline`` command run by this interpreter (the same virtual environment)."""
    return Child(name, [sys.executable, "-m", "hotline", *args])


@dataclass(frozen=True)
class Outcome:
    failed: str | None  # the child that ended by itself, None when a signal stopped them
    returncode: int | None


class Supervisor:
    def __init__(self, children: list[Child], *, grace_seconds: float) -> None:
        self.children = children
        self.grace_seconds = grace_seconds
        self._signal: int | None = None

    def catch_signals(self) -> None:
        """SIGINT and SIGTERM end ``wait()``, which then stops the children."""
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)

    def start(self) -> None:
        for child in self.children:
            child.process = subprocess.Popen(child.argv, process_group=0)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self._signal = signum

    def wait(self) -> Outcome:
        """Until a signal arrives or a child ends; then stop the others and report which."""
        ended: Child | None = None
        while self._signal is None and ended is None:
            time.sleep(POLL_SECONDS)
            ended = next((child for child in self.children if not child.running()), None)
        self.stop()
        if self._signal is not None or ended is None:
            return Outcome(None, None)
        assert ended.process is not None
        return Outcome(ended.name, ended.process.returncode)

    def stop(self) -> None:
        """SIGTERM to every running child, then SIGKILL to any still running after the grace."""
        for child in self.children:
            if child.running():
                assert child.process is not None
                child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.grace_seconds
        for child in self.children:
            assert child.process is not None
            try:
                child.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()
