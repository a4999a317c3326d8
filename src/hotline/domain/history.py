"""The case history: append-only events, hash-chained so that an edit or a deletion shows.

Each event's hash covers its own content and the previous event's hash; the first event of a case
chains from ``GENESIS``. The canonical form is JSON with sorted keys and times in UTC ISO 8601 at
microsecond precision, so both databases produce the same hash for the same event.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True)
class HistoryEvent:
    case_number: str
    seq: int
    action: str
    actor: str
    at: datetime
    from_status: str | None
    to_status: str | None
    reason: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    prev_hash: str = GENESIS
    hash: str = ""


def _canonical_time(at: datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("history times must be aware")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(event: HistoryEvent, prev_hash: str) -> str:
    """The sha256 of the event's canonical content chained to ``prev_hash``."""
    body = {
        "case": event.case_number,
        "seq": event.seq,
        "action": event.action,
        "actor": event.actor,
        "at": _canonical_time(event.at),
        "from": event.from_status,
        "to": event.to_status,
        "reason": event.reason,
        "details": event.details,
        "prev": prev_hash,
    }
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def seal(event: HistoryEvent, prev_hash: str) -> HistoryEvent:
    """Return ``event`` with its chain fields filled in."""
    unsealed = HistoryEvent(**{**event.__dict__, "prev_hash": prev_hash, "hash": ""})
    return HistoryEvent(**{**unsealed.__dict__, "hash": event_hash(unsealed, prev_hash)})


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    problem: str | None = None
    bad_seq: int | None = None


def verify_chain(events: Iterable[HistoryEvent]) -> ChainReport:
    """Check sequence continuity, links and hashes, oldest first; name the first break."""
    prev = GENESIS
    checked = 0
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            return ChainReport(
                False, checked, f"事件序号缺失：期望 {expected_seq}，实为 {event.seq}", event.seq
            )
        if event.prev_hash != prev:
            return ChainReport(False, checked, f"第 {event.seq} 条事件的前序哈希不符", event.seq)
        if event_hash(event, prev) != event.hash:
            return ChainReport(False, checked, f"第 {event.seq} 条事件内容被改动", event.seq)
        prev = event.hash
        checked += 1
    return ChainReport(True, checked)
