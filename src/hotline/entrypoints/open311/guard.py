"""What stands in front of the POST endpoints: body size, api_key check, rate limits.

Rate limits are token buckets in this process's memory, one per api_key and one per client
address. That is deliberate: a limit exists to protect this server, is checked on every POST
(a database round trip there would cost as much as the work it protects) and needs no schema
change. With N server processes a client gets at most N times the configured rate; set the
limits per process accordingly (docs/open311.md). Checked api_keys are cached the same way for
``auth_cache_seconds``, so a revoked key stops working within that time.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request

from hotline.entrypoints.open311.errors import Open311Error
from hotline.services.open311 import Partner

MAX_ENTRIES = 10_000  # buckets or cached keys kept; the least recently used go first


class TokenBuckets:
    """``per_minute`` requests a minute per name, with bursts up to the same number."""

    def __init__(self, per_minute: int, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        # elapsed seconds, not a moment: refills are measured on it, nothing is dated by it
        self.monotonic = monotonic
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, name: str) -> float:
        """0 when a request may pass (one token is used), else the seconds until it could."""
        if self.capacity <= 0:
            return 0.0
        tick = self.monotonic()
        with self._lock:
            tokens, last = self._buckets.pop(name, (self.capacity, tick))
            tokens = min(self.capacity, tokens + (tick - last) * self.rate)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
            self._buckets[name] = (tokens - 1 if wait == 0 else tokens, tick)
            while len(self._buckets) > MAX_ENTRIES:
                self._buckets.popitem(last=False)
        return wait


@dataclass(frozen=True)
class _Cached:
    until: float
    partner: Partner | None


class KeyCache:
    """api_key (by its hash) → partner or None, trusted for ``seconds``."""

    def __init__(self, seconds: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.seconds, self.monotonic = seconds, monotonic
        self._entries: OrderedDict[str, _Cached] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key_hash: str) -> _Cached | None:
        with self._lock:
            entry = self._entries.get(key_hash)
            if entry is None or entry.until < self.monotonic():
                return None
            self._entries.move_to_end(key_hash)
            return entry

    def put(self, key_hash: str, partner: Partner | None) -> None:
        if self.seconds <= 0:
            return
        with self._lock:
            self._entries[key_hash] = _Cached(self.monotonic() + self.seconds, partner)
            self._entries.move_to_end(key_hash)
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)


def key_hash(api_key: str) -> str:
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


def enforce(buckets: TokenBuckets, name: str, what: str) -> None:
    wait = buckets.take(name)
    if wait > 0:
        retry = str(max(1, math.ceil(wait)))
        raise Open311Error(
            429, f"rate limit per {what} exceeded; retry after {retry} s", {"Retry-After": retry}
        )


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it is known to exceed ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise Open311Error(413, f"the body may not exceed {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Open311Error(413, f"the body may not exceed {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def client_address(request: Request) -> str:
    """The peer address (behind a proxy, run uvicorn with --proxy-headers and its
    --forwarded-allow-ips so that this is the client's, not the proxy's)."""
    return request.client.host if request.client else "unknown"
