"""``verify_histories``: the service the command line asks to check stored hash chains."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from hotline.domain.errors import NotFound
from hotline.domain.lifecycle import Action
from hotline.domain.roles import Actor
from hotline.services.cases.history_check import BrokenChain, verify_histories
from hotline.services.context import Hotline
from tests.integration.cases.test_history_store import _drop_guard, _restore_guard
from tests.integration.helpers import act, new_case


def test_every_case_is_checked_and_a_tampered_one_is_named(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    first = new_case(hotline, actors["operator"])
    second = new_case(hotline, actors["operator"])
    act(hotline, second, Action.REGISTER, actors["operator"])
    assert verify_histories(hotline).checked == 2
    assert verify_histories(hotline).broken == []
    _drop_guard(hotline)
    try:
        with hotline.db.engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE case_events SET actor = 'mallory' WHERE seq = 2 AND case_id = "
                    "(SELECT id FROM cases WHERE number = :number)"
                ),
                {"number": second},
            )
    finally:
        _restore_guard(hotline)
    check = verify_histories(hotline)
    assert check.checked == 2
    assert [item.number for item in check.broken] == [second]
    assert check.broken[0].seq == 2
    assert verify_histories(hotline, first).broken == []
    assert verify_histories(hotline, second).broken == [
        BrokenChain(second, check.broken[0].problem, 2)
    ]


def test_a_number_naming_no_case_is_refused(hotline: Hotline) -> None:
    with pytest.raises(NotFound, match="未找到工单 12345-NONE"):
        verify_histories(hotline, "12345-NONE")
