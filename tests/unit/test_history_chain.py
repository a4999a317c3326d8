"""The hash chain verifies, and shows an edited, deleted or reordered event."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from hotline.domain.history import GENESIS, HistoryEvent, seal, verify_chain


def _chain(n: int = 4) -> list[HistoryEvent]:
    events, prev = [], GENESIS
    start = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    for seq in range(1, n + 1):
        event = seal(
            HistoryEvent(
                "20261124-000001",
                seq,
                f"a{seq}",
                "op",
                start + timedelta(minutes=seq),
                "x",
                "y",
                None,
                {"k": seq},
            ),
            prev,
        )
        events.append(event)
        prev = event.hash
    return events


def test_a_sealed_chain_verifies() -> None:
    report = verify_chain(_chain())
    assert report.ok and report.checked == 4


def test_an_edited_event_is_detected() -> None:
    events = _chain()
    events[1] = dataclasses.replace(events[1], actor="someone-else")
    report = verify_chain(events)
    assert not report.ok and report.bad_seq == 2


def test_a_deleted_event_is_detected() -> None:
    events = _chain()
    del events[2]
    report = verify_chain(events)
    assert not report.ok and report.bad_seq == 4


def test_a_deleted_last_event_is_not_hidden_by_resealing_the_middle() -> None:
    events = _chain()
    forged = seal(dataclasses.replace(events[1], details={"k": 99}), events[0].hash)
    events[1] = forged
    assert verify_chain(events).bad_seq == 3  # the next link no longer matches


def test_the_same_instant_in_any_zone_hashes_alike() -> None:
    from zoneinfo import ZoneInfo

    event = _chain(1)[0]
    local = dataclasses.replace(event, at=event.at.astimezone(ZoneInfo("Asia/Shanghai")))
    assert verify_chain([local]).ok


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError):
        seal(HistoryEvent("n", 1, "a", "op", datetime(2026, 1, 1), None, "x"), GENESIS)
