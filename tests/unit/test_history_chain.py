"""The hash chain verifies, and shows an edited, deleted or reordered event."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest

from hotline.domain.history import GENESIS, HistoryEvent, event_hash, seal, verify_chain


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


# Pinned digests: every stored chain was sealed with this hashing, so a change to the canonical
# form (key names, key order, time format, escaping, the link to the previous event) must fail
# here rather than break the verification of every stored chain after an upgrade.
_PINNED_EVENTS = (
    HistoryEvent(
        "20261124-000001",
        1,
        "register",
        "坐席01",
        datetime(2026, 11, 24, 10, 0, 0, 123456, tzinfo=timezone(timedelta(hours=8))),
        None,
        "registered",
        None,
        {"channel": "电话", "zeta": 1, "alpha": [1, "二"]},
    ),
    HistoryEvent(
        "20261124-000001",
        2,
        "dispatch",
        "派单员",
        datetime(2026, 11, 24, 2, 5, tzinfo=UTC),
        "registered",
        "dispatched",
        "转派",
        {"unit": "历下区"},
    ),
    HistoryEvent(
        "20261124-000001",
        3,
        "return",
        "历下区",
        datetime(2026, 11, 24, 3, 0, 0, 1, tzinfo=UTC),
        "dispatched",
        "returned",
        "非本单位职责",
        {},
    ),
)
_PINNED_HASHES = (
    "04cb3b9e99e9597e0c8a3f0f65109bc2ab920fad500ba30b6968cd5b81aa4186",
    "4e868c6d0b490ddbdd5ed035e8e4f6ad9fba20e0d3d9263a4d3126bdf6c60938",
    "44c6aff5b605240c00293cf4a5cb34e2aa327be58a0a8f18efe854a2503b5cb0",
)


def test_a_known_event_sequence_hashes_to_the_pinned_digests() -> None:
    prev, hashes = GENESIS, []
    for event in _PINNED_EVENTS:
        sealed = seal(event, prev)
        assert sealed.prev_hash == prev
        hashes.append(sealed.hash)
        prev = sealed.hash
    assert tuple(hashes) == _PINNED_HASHES


def test_the_canonical_form_of_the_first_pinned_event() -> None:
    # The exact bytes hashed: sorted keys, no spaces, UTF-8 unescaped, UTC with microseconds.
    canonical = (
        '{"action":"register","actor":"坐席01","at":"2026-11-24T02:00:00.123456Z",'
        '"case":"20261124-000001","details":{"alpha":[1,"二"],"channel":"电话","zeta":1},'
        f'"from":null,"prev":"{GENESIS}","reason":null,"seq":1,"to":"registered"}}'
    )
    assert hashlib.sha256(canonical.encode("utf-8")).hexdigest() == _PINNED_HASHES[0]
    assert event_hash(_PINNED_EVENTS[0], GENESIS) == _PINNED_HASHES[0]
