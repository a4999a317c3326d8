"""Intake's numbering and storage (docs/decisions/0011): the number is taken apart from the
create on PostgreSQL, so concurrent creates do not queue on the counter and a failed create
leaves a gap; on SQLite it is taken inside the create, without gaps. Either way a create is all
or nothing, and the rows it writes are the ones the ORM would have written."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import IntegrityError

from hotline.adapters.db.models import Case, CaseEvent, CaseNumberCounter, Category, OutboxItem
from hotline.domain.errors import InvalidInput
from hotline.domain.roles import Actor
from hotline.services.cases import intake
from hotline.services.cases.history import verify_case_history
from hotline.services.cases.intake import NewCase, create_case
from hotline.services.context import Hotline
from tests.conftest import PG_URL
from tests.integration.helpers import new_case

TODAY = date(2026, 11, 24)  # the fake clock's local day


def _counter(hotline: Hotline) -> int:
    with hotline.db.transaction() as session:
        row = session.get(CaseNumberCounter, TODAY)
        return 0 if row is None else row.last_seq


def _counts(hotline: Hotline) -> tuple[int, int, int]:
    with hotline.db.transaction() as session:
        return tuple(  # type: ignore[return-value]
            len(session.scalars(select(model.id)).all()) for model in (Case, CaseEvent, OutboxItem)
        )


def test_a_new_case_is_stored_as_the_orm_would_store_it(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    number = new_case(hotline, actors["operator"], category_code="E0301", lon=117.0, lat=36.6)
    with hotline.db.transaction() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        (job,) = session.scalars(select(OutboxItem)).all()
        report = verify_case_history(session, case)
        assert (case.version, case.status, case.coord_system) == (1, "received", "wgs84")
        assert (case.supervised, case.callback_attempts, case.reopen_count) == (False, 0, 0)
        assert (case.extension_count, case.anonymous, case.confidential) == (0, False, False)
        assert [(e.seq, e.action, e.to_status) for e in case.events] == [(1, "receive", "received")]
        assert case.events[0].details == {"channel": "12345", "has_contact": True}
    assert report.ok and report.checked == 1
    assert (job.kind, job.status, job.attempts, job.max_attempts) == ("enrich", "pending", 0, 5)
    assert job.payload == {"case_id": case.id, "number": number}


def _failing_after_numbering(monkeypatch: pytest.MonkeyPatch) -> None:
    """The next create's case row names a channel that does not exist: the database refuses it
    after the number is taken (validation has passed by then)."""
    original = intake._case_values

    def broken(*args: Any) -> dict[str, Any]:
        return {**original(*args), "channel_code": "no-such-channel"}

    monkeypatch.setattr(intake, "_case_values", broken)


def test_a_failed_create_leaves_no_rows(
    hotline: Hotline, actors: dict[str, Actor], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = new_case(hotline, actors["operator"])
    with monkeypatch.context() as patch:
        _failing_after_numbering(patch)
        with pytest.raises(IntegrityError):
            new_case(hotline, actors["operator"])
    assert _counts(hotline) == (1, 1, 1)  # case, event and job are written together or not at all
    after = new_case(hotline, actors["operator"])
    assert first == "20261124-000001"
    if PG_URL:  # the number was taken apart from the failed create: a gap (decision 0011)
        assert after == "20261124-000003"
    else:  # SQLite takes it inside the create, which rolled back: no gap
        assert after == "20261124-000002"


def test_refused_input_takes_no_number(hotline: Hotline, actors: dict[str, Actor]) -> None:
    for bad in (
        NewCase(channel="12345", content=" "),
        NewCase(channel="no-such-channel", content="内容"),
        NewCase(channel="12345", content="内容", category_code="NOPE"),
    ):
        with pytest.raises(InvalidInput):
            create_case(hotline, bad, actors["operator"], hotline.now())
    assert _counter(hotline) == 0
    assert new_case(hotline, actors["operator"]) == "20261124-000001"


def _set_active(hotline: Hotline, code: str, active: bool) -> None:
    """As another process would: plain SQL, no ORM event, so this process's cache is not told."""
    with hotline.db.transaction() as session:
        session.execute(
            text("UPDATE categories SET active = :active WHERE code = :code"),
            {"active": active, "code": code},
        )


def test_reference_codes_come_from_the_cache_but_misses_ask_the_database(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    operator = actors["operator"]
    try:
        _set_active(hotline, "E0302", False)
        new_case(hotline, operator, category_code="E0301")  # fills this process's cache
        with pytest.raises(InvalidInput, match="E0302"):
            new_case(hotline, operator, category_code="E0302")
        _set_active(hotline, "E0302", True)  # not in the cache as active: the database says yes
        assert new_case(hotline, operator, category_code="E0302").endswith("-000002")
        with hotline.db.transaction() as session:  # an edit in this process shows at once
            category = session.get(Category, "E0301")
            assert category is not None
            category.active = False
        with pytest.raises(InvalidInput, match="E0301"):
            new_case(hotline, operator, category_code="E0301")
    finally:  # reference tables outlive a test on PostgreSQL
        _set_active(hotline, "E0301", True)
        _set_active(hotline, "E0302", True)


needs_postgres = pytest.mark.skipif(not PG_URL, reason="PostgreSQL only (numbering apart)")


@needs_postgres
def test_concurrent_creates_do_not_wait_for_each_other_on_the_counter(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    """While the case rows cannot be written (the outbox is locked by another session), two
    creates each still take their number: neither holds the counter until it commits."""
    locker = create_engine(hotline.db.url)
    done: list[str] = []
    try:
        with locker.connect() as conn:
            conn.execute(text("LOCK TABLE outbox IN EXCLUSIVE MODE"))
            with ThreadPoolExecutor(2) as pool:
                futures = [pool.submit(new_case, hotline, actors["operator"]) for _ in range(2)]
                deadline = time.monotonic() + 10
                while _counter(hotline) < 2 and time.monotonic() < deadline:
                    time.sleep(0.05)
                seen, blocked = _counter(hotline), not any(f.done() for f in futures)
                conn.rollback()  # releases the lock; both creates finish
                done = sorted(f.result(timeout=30) for f in futures)
    finally:
        locker.dispose()
    assert blocked, "the creates should have waited for the outbox lock"
    assert seen == 2, "both creates should have taken a number while the other was not done"
    assert done == ["20261124-000001", "20261124-000002"]


@needs_postgres
def test_numbers_stay_unique_and_dense_under_concurrent_creates(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    barrier = threading.Barrier(16)

    def create() -> list[str]:
        barrier.wait()
        return [new_case(hotline, actors["operator"]) for _ in range(10)]

    with ThreadPoolExecutor(16) as pool:
        numbers = [n for batch in pool.map(lambda _: create(), range(16)) for n in batch]
    assert sorted(numbers) == [f"20261124-{seq:06d}" for seq in range(1, 161)]
    with hotline.db.transaction() as session:
        stored = session.execute(select(Case.id, Case.number).order_by(Case.id)).all()
    assert sorted(number for _, number in stored) == sorted(numbers)
    assert _counter(hotline) == 160
