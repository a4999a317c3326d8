"""Bulk writes (COPY on PostgreSQL, executemany on SQLite) store what the ORM would store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from hotline.adapters.db.bulk import insert_rows, insert_rows_returning_ids
from hotline.adapters.db.models import OutboxItem, Supervision
from hotline.services.context import Hotline

BEIJING = timezone(timedelta(hours=8))


def _job(n: int, at: datetime) -> dict[str, object]:
    return {
        "kind": "notify",
        "payload": {"case": f"20261124-{n:06d}", "text": "签收超时\t\n\\", "n": n, "none": None},
        "status": "pending",
        "attempts": 0,
        "max_attempts": 5,
        "run_after_at": at,
        "created_at": at,
    }


def test_rows_come_back_as_written(hotline: Hotline) -> None:
    at = datetime(2026, 11, 24, 10, 30, 15, 123456, tzinfo=BEIJING)
    with hotline.db.transaction() as session:
        insert_rows(session, OutboxItem, [_job(n, at) for n in range(3)])
        insert_rows(session, OutboxItem, [])
    with hotline.db.transaction() as session:
        items = session.scalars(select(OutboxItem).order_by(OutboxItem.id)).all()
        assert [item.payload["n"] for item in items] == [0, 1, 2]
        assert items[0].payload == _job(0, at)["payload"]
        assert items[0].run_after_at == at.astimezone(UTC) and items[0].lease_until_at is None


def test_ids_come_back_in_the_order_of_the_rows(hotline: Hotline) -> None:
    at = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    rows = [
        {"level": "urge", "source": "manual", "reason": f"第{n}次", "status": "open"}
        | {"created_at": at, "created_by": "system"}
        for n in range(5)
    ]
    with hotline.db.transaction() as session:
        first = insert_rows_returning_ids(session, Supervision, rows[:2])
        second = insert_rows_returning_ids(session, Supervision, rows[2:])
    assert first + second == sorted(first + second)
    with hotline.db.transaction() as session:
        reasons = {s.id: s.reason for s in session.scalars(select(Supervision))}
    assert [reasons[i] for i in first + second] == [f"第{n}次" for n in range(5)]


def test_a_naive_time_is_refused_and_nothing_is_written(hotline: Hotline) -> None:
    good, naive = datetime(2026, 11, 24, 2, 0, tzinfo=UTC), datetime(2026, 11, 24, 2, 0)
    refused = pytest.raises(Exception, match="naive datetime refused")
    with refused, hotline.db.transaction() as session:
        insert_rows(session, OutboxItem, [_job(0, good), _job(1, naive)])
    with hotline.db.transaction() as session:
        assert session.scalars(select(OutboxItem)).all() == []
