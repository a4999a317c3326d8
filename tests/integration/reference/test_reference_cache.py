"""The per-process reference cache: reused while nothing changed, rebuilt when it did."""

from __future__ import annotations

from sqlalchemy import select

from hotline.adapters.db.models import Unit
from hotline.services.context import Hotline
from hotline.services.reference.cache import ReferenceCache
from hotline.services.reference.routing import cached_context


class Ticks:
    def __init__(self) -> None:
        self.value = 0.0

    def __call__(self) -> float:
        return self.value


def _context(hotline: Hotline) -> object:
    with hotline.db.transaction() as session:
        return cached_context(session, hotline)


def test_routing_context_is_built_once_while_nothing_changes(hotline: Hotline) -> None:
    assert _context(hotline) is _context(hotline)


def _set_head(hotline: Hotline, code: str, name: str | None) -> str | None:
    """Set the unit's head; returns the name it had."""
    with hotline.db.transaction() as session:
        unit = session.scalars(select(Unit).where(Unit.code == code)).one()
        previous, unit.head_name = unit.head_name, name
        return previous


def test_a_unit_edited_in_this_process_is_seen_at_once(hotline: Hotline) -> None:
    before = _context(hotline)
    # Reference tables outlive a test on PostgreSQL (tests/conftest.py): put the name back.
    original = _set_head(hotline, "LX-CGJ", "新任局长")
    try:
        after = _context(hotline)
        assert after is not before
        assert after.units["LX-CGJ"].head_name == "新任局长"  # type: ignore[attr-defined]
    finally:
        _set_head(hotline, "LX-CGJ", original)


def test_entries_expire_after_their_time_to_live() -> None:
    ticks = Ticks()
    cache = ReferenceCache(ttl_seconds=60, monotonic=ticks)
    builds: list[int] = []

    def build() -> int:
        builds.append(1)
        return len(builds)

    assert cache.get("k", build) == 1
    ticks.value = 59.9
    assert cache.get("k", build) == 1
    ticks.value = 60.0
    assert cache.get("k", build) == 2
