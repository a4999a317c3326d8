"""The outbox: side effects queued in the changing transaction, run by the worker after commit.

Claiming is safe with several workers: PostgreSQL uses ``FOR UPDATE SKIP LOCKED``; SQLite
serialises writers with ``BEGIN IMMEDIATE``. A claimed row carries a lease; a worker that dies
leaves it to be claimed again once the lease runs out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hotline.adapters.db.bulk import insert_rows
from hotline.adapters.db.database import Database
from hotline.adapters.db.models import OutboxItem
from hotline.domain.vocabulary import OutboxStatus

RETRY_BASE = timedelta(seconds=30)


def _pending(
    kind: str,
    payload: dict[str, Any],
    now: datetime,
    run_after_at: datetime | None,
    max_attempts: int,
) -> dict[str, Any]:
    """The columns of a new job: pending, due at ``run_after_at`` (default: now)."""
    return {
        "kind": kind,
        "payload": payload,
        "status": OutboxStatus.PENDING.value,
        "attempts": 0,
        "max_attempts": max_attempts,
        "run_after_at": run_after_at or now,
        "created_at": now,
    }


def job_values(kind: str, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The columns of a new job due now, for a writer that inserts the row itself (intake)."""
    return _pending(kind, payload, now, None, 5)


def enqueue(
    session: Session,
    kind: str,
    payload: dict[str, Any],
    now: datetime,
    *,
    run_after_at: datetime | None = None,
    max_attempts: int = 5,
) -> OutboxItem:
    item = OutboxItem(**_pending(kind, payload, now, run_after_at, max_attempts))
    session.add(item)
    return item


def enqueue_many(
    session: Session,
    kind: str,
    payloads: list[dict[str, Any]],
    now: datetime,
    *,
    max_attempts: int = 5,
) -> int:
    """Queue one job per payload in one go (set-based callers such as the sweep)."""
    if payloads:
        rows = [_pending(kind, payload, now, None, max_attempts) for payload in payloads]
        insert_rows(session, OutboxItem, rows)
    return len(payloads)


@dataclass(frozen=True)
class ClaimedJob:
    id: int
    kind: str
    payload: dict[str, Any]
    attempt: int


def claim(
    db: Database, worker_id: str, now: datetime, *, lease: timedelta, limit: int = 10
) -> list[ClaimedJob]:
    """Take up to ``limit`` due jobs for ``worker_id``; committed before any job runs."""
    with db.transaction() as session:
        due = or_(
            (OutboxItem.status == OutboxStatus.PENDING.value) & (OutboxItem.run_after_at <= now),
            (OutboxItem.status == OutboxStatus.RUNNING.value) & (OutboxItem.lease_until_at < now),
        )
        stmt = (
            select(OutboxItem)
            .where(due)
            .order_by(OutboxItem.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        jobs = []
        for item in session.scalars(stmt):
            item.status = OutboxStatus.RUNNING.value
            item.claimed_by = worker_id
            item.lease_until_at = now + lease
            item.attempts += 1
            jobs.append(ClaimedJob(item.id, item.kind, dict(item.payload), item.attempts))
        return jobs


def complete(db: Database, job_id: int, worker_id: str, now: datetime) -> None:
    with db.transaction() as session:
        item = session.get(OutboxItem, job_id)
        if item is not None and item.claimed_by == worker_id:
            item.status = OutboxStatus.DONE.value
            item.done_at = now
            item.lease_until_at = None


def fail(db: Database, job_id: int, worker_id: str, now: datetime, error: str) -> None:
    """Record the error; retry with exponential backoff until ``max_attempts``, then give up."""
    with db.transaction() as session:
        item = session.get(OutboxItem, job_id)
        if item is None or item.claimed_by != worker_id:
            return
        item.last_error = error[:4000]
        item.lease_until_at = None
        if item.attempts >= item.max_attempts:
            item.status = OutboxStatus.FAILED.value
        else:
            item.status = OutboxStatus.PENDING.value
            item.run_after_at = now + RETRY_BASE * (2 ** (item.attempts - 1))
