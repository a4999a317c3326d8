"""The outbox worker: jobs run after commit, exactly once, even with two workers."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hotline.adapters.db.models import Case, CaseEvent, OutboxItem
from hotline.domain.roles import Actor
from hotline.entrypoints.worker import HANDLERS, WorkerStats, run_due_jobs, run_worker
from hotline.services import outbox
from hotline.services.context import Hotline
from tests.conftest import FakeClock
from tests.integration.helpers import new_case


def test_enrichment_runs_once_and_fills_empty_fields(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    number = new_case(hotline, actors["operator"], address="历下区泉城路 188 号")
    stats = run_worker(hotline, once=True, worker_id="w1")
    assert stats.done == 1 and stats.failed == 0
    with hotline.db.transaction() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        assert case.district_code == "370102"
        assert case.category_code == "E0301"  # 施工 + 噪音 + 夜间 + 扰民
        enrich_events = session.scalar(
            select(func.count()).select_from(CaseEvent).where(CaseEvent.action == "enrich")
        )
    assert enrich_events == 1
    assert run_worker(hotline, once=True, worker_id="w1").done == 0  # nothing left to do


def test_a_failing_job_is_retried_with_backoff_then_given_up(
    hotline: Hotline, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []

    def explode(_h: Hotline, payload: dict[str, object], _now: object) -> None:
        calls.append(1)
        raise RuntimeError("SMTP down")

    monkeypatch.setitem(HANDLERS, "explode", explode)
    with hotline.db.transaction() as session:
        outbox.enqueue(session, "explode", {}, clock(), max_attempts=2)
    assert run_worker(hotline, once=True).failed == 1
    assert run_worker(hotline, once=True).failed == 0  # not due yet: backoff
    clock.advance(minutes=5)
    assert run_worker(hotline, once=True).failed == 1
    with hotline.db.transaction() as session:
        item = session.scalars(select(OutboxItem)).one()
        assert (item.status, item.attempts, item.last_error) == (
            "failed",
            2,
            "RuntimeError('SMTP down')",
        )
    assert len(calls) == 2


def test_a_dead_workers_lease_expires_and_the_job_is_taken_again(
    hotline: Hotline, clock: FakeClock
) -> None:
    with hotline.db.transaction() as session:
        outbox.enqueue(session, "noop", {}, clock())
    taken = outbox.claim(hotline.db, "dead", clock(), lease=timedelta(minutes=5))
    assert len(taken) == 1
    assert outbox.claim(hotline.db, "alive", clock(), lease=timedelta(minutes=5)) == []
    clock.advance(minutes=6)
    assert [
        job.id for job in outbox.claim(hotline.db, "alive", clock(), lease=timedelta(minutes=5))
    ] == [taken[0].id]


def test_two_workers_never_run_one_job_twice(
    hotline: Hotline, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[int] = []
    lock = threading.Lock()

    def record(_h: Hotline, payload: dict[str, object], _now: object) -> None:
        with lock:
            ran.append(int(str(payload["n"])))

    monkeypatch.setitem(HANDLERS, "record", record)
    with hotline.db.transaction() as session:
        for n in range(60):
            outbox.enqueue(session, "record", {"n": n}, clock())
    barrier = threading.Barrier(2)
    stats = [WorkerStats(), WorkerStats()]

    def work(index: int) -> None:
        barrier.wait()
        while run_due_jobs(hotline, f"worker-{index}", stats[index]):
            pass

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(ran) == list(range(60))
    assert stats[0].done + stats[1].done == 60
