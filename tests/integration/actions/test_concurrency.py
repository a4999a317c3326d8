"""Races on a real database: one winner per case, distinct case numbers under load."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from hotline.domain.commands import Register, Void
from hotline.domain.errors import DomainError
from hotline.domain.lifecycle import Action
from hotline.domain.roles import Actor
from hotline.services.actions.perform import perform_action
from hotline.services.cases.intake import NewCase, create_case
from hotline.services.cases.views import get_case
from hotline.services.context import Hotline
from tests.conftest import FakeClock
from tests.integration.helpers import act, new_case


def _race(calls: list[Callable[[], object]]) -> list[object]:
    """Start every call at the same moment; collect results or the errors they raised."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], object]) -> object:
        barrier.wait()
        try:
            return call()
        except DomainError as exc:
            return exc

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_two_people_accepting_at_once_one_wins(hotline: Hotline, actors: dict[str, Actor]) -> None:
    number = new_case(hotline, actors["operator"])
    act(hotline, number, Action.REGISTER, actors["operator"])
    act(hotline, number, Action.DISPATCH, actors["dispatcher"], unit="LX-CGJ")
    handler = actors["handler"]
    results = _race([lambda: act(hotline, number, Action.ACCEPT, handler)] * 2)
    wins = [r for r in results if isinstance(r, int)]
    refusals = [r for r in results if isinstance(r, DomainError)]
    assert len(wins) == 1 and len(refusals) == 1
    assert refusals[0].code in ("illegal_transition", "concurrent_change")
    history = get_case(hotline, number, actors["operator"], hotline.now())["history"]
    assert [e["action"] for e in history].count("accept") == 1


def test_two_actions_on_the_same_seen_version_one_wins(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    number = new_case(hotline, actors["operator"])
    version = get_case(hotline, number, actors["operator"], hotline.now())["version"]
    now = hotline.now()

    def register() -> object:
        return perform_action(
            hotline, number, Register(), actors["operator"], now, expected_version=version
        )

    def void() -> object:
        return perform_action(
            hotline,
            number,
            Void(reason="重复"),
            actors["operator"],
            now,
            expected_version=version,
        )

    results = _race([register, void])
    assert sum(isinstance(r, int) for r in results) == 1
    assert [r.code for r in results if isinstance(r, DomainError)] == ["concurrent_change"]


def test_fifty_concurrent_creates_get_fifty_distinct_numbers(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    data = NewCase(channel="12345", content="并发登记测试")
    results = _race([lambda: create_case(hotline, data, actors["operator"], hotline.now())] * 50)
    assert all(isinstance(r, str) for r in results)
    assert len(set(results)) == 50
    assert sorted(results) == [f"20261124-{seq:06d}" for seq in range(1, 51)]


def test_numbers_restart_each_local_day(
    hotline: Hotline, actors: dict[str, Actor], clock: FakeClock
) -> None:
    clock.current = datetime(2026, 11, 24, 15, 59, tzinfo=UTC)  # 23:59 Beijing
    first = new_case(hotline, actors["operator"])
    second = new_case(hotline, actors["operator"])
    clock.current = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)  # 00:00 Beijing, the 25th
    third = new_case(hotline, actors["operator"])
    assert (first, second, third) == ("20261124-000001", "20261124-000002", "20261125-000001")
