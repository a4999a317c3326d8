"""``hotline worker``: runs the outbox's jobs after their transactions commit.

Several workers may run against PostgreSQL (rows are claimed with SKIP LOCKED); on SQLite run one.
Each job kind has one handler; a handler that raises is retried with backoff (see services.outbox).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import FrameType
from typing import Any

from hotline.adapters.notify.smtp import SmtpMailer
from hotline.services import outbox
from hotline.services.actions.sweeps import sweep_deadlines
from hotline.services.cases.enrichment import enrich_case
from hotline.services.cockpit.figures import refresh_figures
from hotline.services.context import Hotline
from hotline.services.evaluation.settlement import refresh_indicator_facts, settle_due_periods
from hotline.services.reporting.editions import JOB_KIND as DELIVER_REPORT
from hotline.services.reporting.editions import deliver, run_schedule
from hotline.services.reporting.notifications import send_notification
from hotline.services.reporting.production import produce_formats

log = logging.getLogger("hotline.entrypoints.worker")

JobHandler = Callable[[Hotline, dict[str, Any], datetime], object]
# The cockpit shows its figures at most 60 s old (else it counts them itself): refreshed twice
# as often, whatever the sweep interval.
FIGURES_SECONDS = 30.0


def _enrich(hotline: Hotline, payload: dict[str, Any], now: datetime) -> object:
    return enrich_case(hotline, int(payload["case_id"]), now)


def _notify(hotline: Hotline, payload: dict[str, Any], now: datetime) -> object:
    send_notification(hotline, payload, now)
    return None


def _deliver_report(hotline: Hotline, payload: dict[str, Any], now: datetime) -> object:
    mailer = SmtpMailer.from_settings(hotline.settings, f"{hotline.profile.name}城市管理热线")
    return deliver(hotline, int(payload["delivery_id"]), now, mailer)


HANDLERS: dict[str, JobHandler] = {
    "enrich": _enrich,
    "notify": _notify,
    DELIVER_REPORT: _deliver_report,
}


@dataclass
class WorkerStats:
    done: int = 0
    failed: int = 0
    swept: int = 0
    kinds: dict[str, int] = field(default_factory=dict)


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def run_due_jobs(hotline: Hotline, worker_id: str, stats: WorkerStats) -> int:
    """Claim and run one batch of due jobs; returns how many were claimed."""
    lease = timedelta(seconds=hotline.settings.worker_lease_seconds)
    jobs = outbox.claim(hotline.db, worker_id, hotline.now(), lease=lease)
    for job in jobs:
        handler = HANDLERS.get(job.kind)
        try:
            if handler is None:
                raise LookupError(f"no handler for job kind {job.kind!r}")
            handler(hotline, job.payload, hotline.now())
        except Exception as exc:  # a failing job must not stop the others; it is retried
            log.exception("job %s (%s) failed", job.id, job.kind)
            outbox.fail(hotline.db, job.id, worker_id, hotline.now(), repr(exc))
            stats.failed += 1
            continue
        outbox.complete(hotline.db, job.id, worker_id, hotline.now())
        stats.done += 1
        stats.kinds[job.kind] = stats.kinds.get(job.kind, 0) + 1
    return len(jobs)


def run_periodic(hotline: Hotline) -> int:
    """The worker's periodic duties: deadline sweeps, indicator facts, the cockpit's figures,
    due settlements, and the notices and reports due by the city's schedule."""
    now = hotline.now()
    raised = sweep_deadlines(hotline, now).total
    refresh_indicator_facts(hotline, now)
    refresh_figures(hotline, now)  # the cockpit's tiles (also every FIGURES_SECONDS, below)
    settle_due_periods(hotline, now)
    run_schedule(hotline, now, produce_formats)
    return raised


def run_worker(
    hotline: Hotline,
    *,
    once: bool = False,
    worker_id: str | None = None,
    stop: threading.Event | None = None,
) -> WorkerStats:
    """Sweep deadlines (every ``sweep_interval_seconds``) and process due jobs; with ``once``,
    sweep once and work until no job is due, then return."""
    worker_id = worker_id or default_worker_id()
    stop = stop or threading.Event()
    stats = WorkerStats()
    next_sweep = 0.0
    next_figures = FIGURES_SECONDS
    while not stop.is_set():
        if time.monotonic() >= next_sweep:
            stats.swept += run_periodic(hotline)
            next_sweep = time.monotonic() + hotline.settings.sweep_interval_seconds
            next_figures = time.monotonic() + FIGURES_SECONDS
        elif time.monotonic() >= next_figures:
            refresh_figures(hotline, hotline.now())
            next_figures = time.monotonic() + FIGURES_SECONDS
        claimed = run_due_jobs(hotline, worker_id, stats)
        if claimed == 0:
            if once:
                break
            stop.wait(hotline.settings.worker_poll_seconds)
        else:
            time.sleep(0)  # let other threads in between batches
    return stats


def stop_on_signals() -> threading.Event:
    """An event the first SIGINT or SIGTERM sets, so that the worker finishes the job or pass in
    hand and returns (its claims are completed, not left to expire); a second signal ends it at
    once (a pass can take a while: a month's report)."""
    stop = threading.Event()

    def _stop(signum: int, _frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        log.info("%s: finishing the work in hand, then stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    return stop
