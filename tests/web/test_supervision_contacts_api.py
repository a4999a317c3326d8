"""Opening a supervision through the API names whom it reaches, and a 一把手督办 of a unit
without a named head is answered with a warning (issue 18 item 7)."""

from __future__ import annotations

from hotline.services.context import Hotline
from hotline.services.ledger.supervision import NO_HEAD_WARNING
from tests.integration.reference.test_unit_contacts import without_head
from tests.web.conftest import Api


def _dispatched(api: Api, unit: str) -> str:
    number = str(api.create()["number"])
    assert api.act(number, "op", "register", category_code="E0301").status_code == 200
    assert api.act(number, "disp", "dispatch", unit=unit).status_code == 200
    return number


def _supervise(api: Api, number: str, level: str) -> dict[str, object]:
    opened = api.request(
        "POST", "/api/v1/supervisions", "sup",
        json={"case": number, "level": level, "reason": "群众反映强烈"},
    )  # fmt: skip
    assert opened.status_code == 201, opened.text
    answer: dict[str, object] = opened.json()
    return answer


def test_the_answer_names_the_head_and_warns_when_there_is_none(api: Api, hotline: Hotline) -> None:
    named = _supervise(api, _dispatched(api, "LX-CGJ"), "head")
    assert named["warning"] is None
    assert str(named["contact"]).startswith("历下区城市管理局局长李建华，分管领导高翔")
    number = _dispatched(api, "LX-JFL")
    with without_head(hotline, "LX-JFL"):
        unnamed = _supervise(api, number, "head")
        # a lighter level reaches the unit's duty phone all the same: no warning
        lighter = _supervise(api, _dispatched(api, "LX-JFL"), "supervise")
    assert unnamed["warning"] == NO_HEAD_WARNING
    assert str(unnamed["contact"]).startswith("历下区解放路街道办事处主任，")
    assert lighter["warning"] is None
