"""`hotline run --live`: complaints arrive through the real intake service while serving."""

from __future__ import annotations

import threading
import time

from sqlalchemy import func, select

from hotline.adapters.db.models import Case, CaseEvent, OutboxItem
from hotline.entrypoints.cli.live import feed
from hotline.services.context import Hotline


def _count(hotline: Hotline, model: type) -> int:
    with hotline.db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_the_live_feed_takes_complaints_through_intake_until_stopped(hotline: Hotline) -> None:
    stop = threading.Event()
    thread = threading.Thread(target=feed, args=(hotline, stop, 0.05), daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while _count(hotline, Case) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    stop.set()
    thread.join(timeout=30)
    assert not thread.is_alive()
    cases = _count(hotline, Case)
    assert cases >= 3
    # as an operator's call: a receive event and an enrich job for the worker per case
    with hotline.db.transaction() as session:
        received = session.scalar(
            select(func.count()).select_from(CaseEvent).where(CaseEvent.action == "receive")
        )
        enrich = session.scalar(
            select(func.count()).select_from(OutboxItem).where(OutboxItem.kind == "enrich")
        )
        taken = list(session.scalars(select(Case)))
    assert received == cases and enrich == cases
    today = hotline.now().astimezone(hotline.settings.tz).date()
    assert {(case.received_on, case.created_by) for case in taken} == {(today, "op")}
