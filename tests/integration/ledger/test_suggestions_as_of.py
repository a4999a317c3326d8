"""The repeats step of enrichment reads the time it is given, not the context's clock: the
candidates for a draft are the earlier cases within the channel's window before ``now``."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hotline.domain.roles import Actor
from hotline.services.cases.enrichment import IntakeDraft
from hotline.services.cases.suggestions import suggest_for_draft
from hotline.services.context import Hotline
from tests.conftest import FakeClock
from tests.integration.ledger.test_problem_ledger import BBQ, BBQ_REWORDED, _take
from tests.integration.ledger_corpus import store_archive_model


@pytest.fixture(autouse=True)
def archive_model(hotline: Hotline) -> None:
    store_archive_model(hotline)


def _candidates(hotline: Hotline, operator: Actor, days_after: float) -> list[str]:
    draft = IntakeDraft(channel="12345", content=BBQ_REWORDED, caller_phone="13800000001")
    taken_at = hotline.now() - timedelta(days=200)
    found = suggest_for_draft(hotline, draft, operator, taken_at + timedelta(days=days_after))
    problem = [s for s in found if s.field == "problem"]
    return [c["case"] for c in problem[0].value["candidates"]] if problem else []


def test_the_window_ends_at_the_given_time(
    hotline: Hotline, actors: dict[str, Actor], clock: FakeClock
) -> None:
    first = _take(hotline, actors["operator"], BBQ, caller_phone="13800000001")
    clock.advance(days=200)  # the context's clock is far past the 90-day window of 12345
    assert _candidates(hotline, actors["operator"], days_after=1) == [first]
    assert _candidates(hotline, actors["operator"], days_after=91) == []
