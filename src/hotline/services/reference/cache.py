"""Reference data built once and reused across jobs and requests of one process.

Building the routing context reads every unit and category (about 0.13 s for Jinan's 1,500
units); done per enrichment job it capped the drain at about 5 jobs/s. An entry is rebuilt when
this process has written to a reference table since (adapters/db/reference_revision.py) or when
it is older than ``reference_cache_seconds``, so other processes' edits arrive within that time.

Values built from files rather than the database (the place locator: the packaged gazetteer and
the boundaries an administrator imported, 0.3–1.5 s to build) are ``lasting``: kept for the life
of the process and shared by every context in it, under a key that names everything they are
built from (file names, sizes and times), so that new files make a new key instead of needing
someone to clear the cache.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, ClassVar

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
    # Shared by every cache of the process: a lasting value depends on files, not on the
    # database a context points at. The oldest entries go first beyond LASTING_LIMIT.
    _lasting: ClassVar[dict[Hashable, Any]] = {}
    _lasting_lock: ClassVar[threading.Lock] = threading.Lock()
    LASTING_LIMIT: ClassVar[int] = 8

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

    def lasting(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """The value built from files that ``key`` names in full; built once per process (the
        server's threads wait for one build rather than each making its own)."""
        with self._lasting_lock:
            if key not in self._lasting:
                while len(self._lasting) >= self.LASTING_LIMIT:
                    del self._lasting[next(iter(self._lasting))]
                self._lasting[key] = build()
            return self._lasting[key]

    def clear(self) -> None:
        self._entries.clear()
