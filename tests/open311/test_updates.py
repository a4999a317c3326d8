"""mySociety's servicerequestupdates: GET (what changed, in order) and POST (a partner's news)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from hotline.adapters.db.models import Case, CaseEvent
from hotline.domain.lifecycle import Action
from hotline.domain.roles import Actor
from tests.conftest import FakeClock
from tests.integration.helpers import act, to_accepted
from tests.open311.conftest import (
    UPDATE_FIELDS,
    Open311Client,
    assert_errors,
    child_tags,
    parse_json,
    parse_xml,
    text_of,
    web_case,
)

Actors = dict[str, Actor]


def _update(key: str, number: str, **fields: Any) -> dict[str, Any]:
    data = {
        "api_key": key,
        "service_request_id": number,
        "update_id": "fms-1001",
        "updated_datetime": "2026-11-24T11:00:00+08:00",
        "status": "OPEN",
        "description": "市民补充：施工仍在继续，可致电13700001111",
        **fields,
    }
    return {k: v for k, v in data.items() if v is not None}


def test_get_updates_xml_lists_public_steps_oldest_first(
    o311: Open311Client, actors: Actors, clock: FakeClock
) -> None:
    number = web_case(o311.hotline, actors["operator"])
    clock.advance(minutes=10)
    to_accepted(o311.hotline, actors, number)
    root = parse_xml(o311.get("servicerequestupdates.xml"), "service_request_updates")
    assert set(child_tags(root)) == {"request_update"}
    assert all(child_tags(update) == UPDATE_FIELDS for update in root)
    assert [text_of(u, "description") for u in root][0::3] == [
        "诉求已受理",
        "承办单位已签收，正在办理",
    ]
    assert [text_of(u, "update_id") for u in root] == [f"{number}-{seq}" for seq in (1, 2, 3, 4)]
    assert {text_of(u, "status") for u in root} == {"open"}
    assert text_of(root[0], "updated_datetime") == "2026-11-24T10:00:00+08:00"
    assert text_of(root[1], "updated_datetime") == "2026-11-24T10:10:00+08:00"


def test_get_updates_json_and_window(o311: Open311Client, actors: Actors, clock: FakeClock) -> None:
    number = web_case(o311.hotline, actors["operator"])
    at = clock.current
    clock.advance(hours=1)
    act(o311.hotline, number, Action.VOID, actors["operator"], reason="重复")
    body = parse_json(o311.get("servicerequestupdates.json"))
    assert [list(update) for update in body] == [UPDATE_FIELDS, UPDATE_FIELDS]
    assert [u["status"] for u in body] == ["open", "closed"]
    exactly = at.isoformat()
    only_first = o311.get("servicerequestupdates.json", start_date=exactly, end_date=exactly)
    assert [u["update_id"] for u in parse_json(only_first)] == [f"{number}-1"]
    later = (at + timedelta(seconds=1)).isoformat()
    after = parse_json(o311.get("servicerequestupdates.json", start_date=later))
    assert [u["update_id"] for u in after] == [f"{number}-2"]
    too_long = o311.get(
        "servicerequestupdates.json",
        start_date=exactly,
        end_date=(at + timedelta(days=91)).isoformat(),
    )
    assert_errors(too_long, 400, "json")


def test_get_updates_paging(o311: Open311Client, actors: Actors) -> None:
    number = web_case(o311.hotline, actors["operator"])
    to_accepted(o311.hotline, actors, number)
    ids = [u["update_id"] for u in parse_json(o311.get("servicerequestupdates.json"))]
    assert len(ids) == 4
    page2 = o311.get("servicerequestupdates.json", page=2, page_size=3)
    assert [u["update_id"] for u in parse_json(page2)] == ids[3:]
    assert_errors(o311.get("servicerequestupdates.json", page_size=1001), 400, "json")


def test_internal_steps_are_not_updates(o311: Open311Client, actors: Actors) -> None:
    number = web_case(o311.hotline, actors["operator"])
    to_accepted(o311.hotline, actors, number)
    act(
        o311.hotline,
        number,
        Action.REQUEST_EXTENSION,
        actors["handler"],
        reason="需协调",
        requested_due_at="2026-12-20T17:00:00+08:00",
    )
    descriptions = [u["description"] for u in parse_json(o311.get("servicerequestupdates.json"))]
    assert len(descriptions) == 4 and "需协调" not in str(descriptions)


def test_a_partner_posts_an_update_to_its_case(o311: Open311Client, partner_key: str) -> None:
    number = o311.filed_number(partner_key)
    response = o311.post("servicerequestupdates.xml", _update(partner_key, number))
    root = parse_xml(response, "service_request_updates")
    assert child_tags(root) == ["request_update"] and child_tags(root[0]) == ["update_id"]
    assert text_of(root[0], "update_id") == f"{number}-2"
    with o311.hotline.db.transaction() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        event = session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.seq == 2)
        ).one()
    assert case.status == "received"  # recorded, never applied to the case's own status
    assert event.action == "partner_update" and event.actor == "province"
    assert event.details["partner_status"] == "open"
    assert event.details["partner_update_id"] == "fms-1001"
    updates = parse_json(o311.get("servicerequestupdates.json"))
    assert updates[-1]["description"] == "市民补充：施工仍在继续，可致电【手机号已隐去】"
    (found,) = parse_json(o311.get(f"requests/{number}.json"))
    assert found["status_notes"] == updates[-1]["description"]


def test_a_repeated_update_is_recorded_once(o311: Open311Client, partner_key: str) -> None:
    number = o311.filed_number(partner_key)
    first = parse_json(o311.post("servicerequestupdates.json", _update(partner_key, number)))
    again = parse_json(o311.post("servicerequestupdates.json", _update(partner_key, number)))
    assert first == again == [{"update_id": f"{number}-2"}]
    other = parse_json(
        o311.post(
            "servicerequestupdates.json",
            _update(partner_key, number, update_id_ext="fms-1002", update_id=None, status="CLOSED"),
        )
    )
    assert other == [{"update_id": f"{number}-3"}]


def test_a_partner_may_only_update_its_own_cases(
    o311: Open311Client, partner_key: str, actors: Actors
) -> None:
    staff_case = web_case(o311.hotline, actors["operator"])
    theirs = o311.filed_number(o311.key("city-app"))
    for number in (staff_case, theirs):
        response = o311.post("servicerequestupdates.json", _update(partner_key, number))
        assert_errors(response, 403, "json")
    missing = o311.post("servicerequestupdates.json", _update(partner_key, "20261124-999999"))
    assert_errors(missing, 404, "json")


@pytest.mark.parametrize(
    "fields",
    [
        {"update_id": None},
        {"description": None},
        {"status": None},
        {"updated_datetime": None},
        {"service_request_id": None},
        {"status": "SOLVED_BY_MAGIC"},
        {"updated_datetime": "yesterday"},
        {"description": "长" * 4001},
        {"media_url": "ftp://x/y.jpg"},
    ],
)
def test_update_refusals(o311: Open311Client, partner_key: str, fields: dict[str, Any]) -> None:
    number = o311.filed_number(partner_key)
    response = o311.post("servicerequestupdates.json", _update(partner_key, number, **fields))
    assert_errors(response, 400, "json")


def test_updates_need_a_partner_key(o311: Open311Client, partner_key: str) -> None:
    number = o311.filed_number(partner_key)
    assert_errors(o311.post("servicerequestupdates.xml", _update("", number)), 403)
    assert_errors(o311.post("servicerequestupdates.xml", _update("hl_nope", number)), 403)
