"""Reference data built once and reused across jobs and requests of one process.

Building the routing context reads every unit and category (about 0.13 s for Jinan's 1,500
units); done per enrichment job it capped the drain at about 5 jobs/s. An entry is rebuilt when
this process has written to a reference table since (adapters/db/reference_revision.py) or when
it is older than ``reference_cache_seconds``, so other processes' edits arrive within that time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hotline.adapters.db.reference_revision import generation


@dataclass
class _Entry:
    generation: int
    built_at: float
    value: Any


@dataclass
class ReferenceCache:
    ttl_seconds: float
    monotonic: Callable[[], float] = time.monotonic
    _entries: dict[str, _Entry] = field(default_factory=dict)

    def get(self, key: str, build: Callable[[], Any]) -> Any:
        entry = self._entries.get(key)
        current = generation()
        fresh = (
            entry is not None
            and entry.generation == current
            and self.monotonic() - entry.built_at < self.ttl_seconds
        )
        if entry is None or not fresh:
            entry = _Entry(current, self.monotonic(), build())
            self._entries[key] = entry
        return entry.value

    def clear(self) -> None:
        self._entries.clear()
