"""现场处置 over the API: a reply on a case the city marks on-site is refused until an "after"
photo with a position from this round is attached, with a Chinese message naming the field."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import FakeClock
from tests.jpeg import jpeg_with_exif
from tests.web.conftest import Api, assert_problem

PHOTO = jpeg_with_exif("2026:11:24 10:20:00", "+08:00") + bytes(range(256)) * 8
PLACE = {"longitude": "117.0211", "latitude": "36.6652", "accuracy": "9"}


def _street_stall(api: Api) -> str:
    """占道经营 (E0401): dispatched to 历下区城市管理局 and accepted."""
    number: str = api.create(content="泉城路早市流动摊贩占道经营", address="历下区泉城路 100 号")[
        "number"
    ]
    api.step(number, "op", "register", category_code="E0401")
    api.step(number, "disp", "dispatch", unit="LX-CGJ")
    api.step(number, "lx-h", "accept")
    return number


def _photo(api: Api, number: str, kind: str = "after", **place: str) -> httpx.Response:
    response = api.request(
        "POST",
        f"/api/v1/cases/{number}/attachments",
        "lx-h",
        data={"kind": kind, **place},
        files={"file": ("现场.jpg", PHOTO, "image/jpeg")},
    )
    assert response.status_code == 201, response.text
    return response


def _reply(api: Api, number: str, result_type: str = "solved") -> httpx.Response:
    fields: dict[str, Any] = {"result_type": result_type, "reply_text": "已劝离摊贩，恢复通行"}
    return api.act(number, "lx-h", "reply", **fields)


def test_a_street_stall_reply_waits_for_the_after_photo(api: Api, clock: FakeClock) -> None:
    number = _street_stall(api)
    clock.advance(minutes=40)
    body = assert_problem(_reply(api, number), 422, "onsite_evidence_missing")
    assert [p["name"] for p in body["invalid_params"]] == ["attachments"]
    assert "处置后" in body["detail"] and "经纬度" in body["detail"]
    _photo(api, number, "before", **PLACE)
    _photo(api, number, "after")  # from a desk: no position
    assert_problem(_reply(api, number), 422, "onsite_evidence_missing")
    assert api.case(number)["status"] == "accepted"  # nothing changed by the refusals
    _photo(api, number, "after", **PLACE)
    replied = _reply(api, number)
    assert replied.status_code == 200, replied.text


def test_an_explanation_needs_no_visit(api: Api) -> None:
    number = _street_stall(api)
    response = _reply(api, number, "explained")
    assert response.status_code == 200, response.text


def test_other_categories_reply_as_before(api: Api) -> None:
    number: str = api.create()["number"]
    api.to_accepted(number)  # 夜间施工噪音 (E0301): not marked on-site in Jinan
    assert _reply(api, number).status_code == 200
