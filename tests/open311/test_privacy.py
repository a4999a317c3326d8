"""Public responses carry no personal data, no confidential case, no unredacted number."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hotline.adapters.db.models import Case, Problem
from hotline.domain.lifecycle import Action
from hotline.domain.roles import Actor
from hotline.services.cases.intake import NewCase, create_case
from hotline.services.open311 import authenticate_partner
from tests.conftest import FakeClock
from tests.integration.helpers import act, to_accepted
from tests.open311.conftest import Open311Client, assert_errors, parse_json, web_case

Actors = dict[str, Actor]
CALLER_NAME, CALLER_PHONE, EMAIL = "张三丰", "13812345678", "zhang@example.com"
EVERY_READ = [
    ("requests.xml", {}),
    ("requests.json", {"extensions": "true"}),
    ("servicerequestupdates.xml", {}),
    ("servicerequestupdates.json", {}),
]


def _all_public_text(o311: Open311Client, number: str) -> str:
    reads = [
        *EVERY_READ,
        (f"requests/{number}.json", {"extensions": "true"}),
        (f"requests/{number}.xml", {"extensions": "true"}),
    ]
    texts = []
    for path, params in reads:
        response = o311.get(path, **params)
        assert response.status_code == 200, response.text
        texts.append(response.text)
    return "\n".join(texts)


def test_caller_data_never_appears(o311: Open311Client, partner_key: str, actors: Actors) -> None:
    number = o311.filed_number(
        partner_key,
        first_name="三丰",
        last_name="张",
        phone=CALLER_PHONE,
        email=EMAIL,
        device_id="device-77",
        account_id="acct-9",
    )
    to_accepted(o311.hotline, actors, number)
    text = _all_public_text(o311, number)
    for secret in (CALLER_NAME, CALLER_PHONE, EMAIL, "device-77", "138****5678"):
        assert secret not in text
    with o311.hotline.db.transaction() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
    assert case.caller_name == CALLER_NAME  # kept for the staff, only not published


def test_numbers_in_descriptions_and_notes_are_redacted(
    o311: Open311Client, actors: Actors
) -> None:
    hotline = o311.hotline
    number = web_case(
        hotline,
        actors["operator"],
        content="噪音扰民，请回电13912345678，身份证370102199001011234",
        address="泉城路 188 号，电话0531-88889999",
    )
    to_accepted(hotline, actors, number)
    act(
        hotline,
        number,
        Action.REPLY,
        actors["handler"],
        result_type="solved",
        reply_text="已联系来电人（13912345678）并整改",
    )
    text = _all_public_text(o311, number)
    for secret in ("13912345678", "370102199001011234", "88889999"):
        assert secret not in text
    (found,) = parse_json(o311.get(f"requests/{number}.json"))
    assert found["description"] == "噪音扰民，请回电【手机号已隐去】，身份证【身份证号已隐去】"
    assert (
        found["status_notes"]
        == "承办单位已办结答复（已解决）：已联系来电人（【手机号已隐去】）并整改"
    )


def test_reply_text_can_be_kept_private(make_client, actors: Actors) -> None:  # type: ignore[no-untyped-def]
    o311 = make_client(public_reply_text=False)
    number = web_case(o311.hotline, actors["operator"])
    to_accepted(o311.hotline, actors, number)
    act(
        o311.hotline,
        number,
        Action.REPLY,
        actors["handler"],
        result_type="solved",
        reply_text="内部答复内容",
    )
    assert "内部答复内容" not in _all_public_text(o311, number)


def test_a_confidential_case_never_appears(
    o311: Open311Client, partner_key: str, actors: Actors
) -> None:
    hotline = o311.hotline
    secret = web_case(hotline, actors["operator"], confidential=True, content="保密诉求内容")
    to_accepted(hotline, actors, secret)
    public = web_case(hotline, actors["operator"])
    for path, params in EVERY_READ:
        assert "保密诉求内容" not in o311.get(path, **params).text
        assert secret not in o311.get(path, **params).text
    assert public in o311.get("requests.json").text
    assert [
        r["service_request_id"]
        for r in parse_json(o311.get("requests.json", service_request_id=f"{secret},{public}"))
    ] == [public]
    for fmt in ("xml", "json"):
        assert_errors(o311.get(f"requests/{secret}.{fmt}"), 404, fmt)
        assert_errors(o311.get(f"tokens/{secret}.{fmt}"), 404, fmt)


def test_a_partner_cannot_update_a_confidential_case(
    o311: Open311Client, partner_key: str, clock: FakeClock
) -> None:
    partner = authenticate_partner(o311.hotline, o311.settings, partner_key, clock.current)
    assert partner is not None
    data = NewCase(channel="web", content="保密", address="x", confidential=True)
    number = create_case(o311.hotline, data, partner.actor, clock.current)
    response = o311.post(
        "servicerequestupdates.json",
        {
            "api_key": partner_key,
            "service_request_id": number,
            "update_id": "u1",
            "updated_datetime": "2026-11-24T10:00:00+08:00",
            "status": "open",
            "description": "x",
        },
    )
    assert_errors(response, 404, "json")


def _problem(o311: Open311Client, numbers: list[str], clock: FakeClock) -> None:
    with o311.hotline.db.transaction() as session:
        problem = Problem(
            status="open",
            title="泉城路施工噪音",
            case_count=len(numbers),
            first_case_at=clock.current,
            last_case_at=clock.current,
        )
        session.add(problem)
        session.flush()
        for case in session.scalars(select(Case).where(Case.number.in_(numbers))):
            case.problem_id = problem.id


@pytest.mark.parametrize("first_is_confidential", [False, True])
def test_duplicates_point_to_the_first_public_case_of_the_problem(
    o311: Open311Client, actors: Actors, clock: FakeClock, first_is_confidential: bool
) -> None:
    hotline = o311.hotline
    first = web_case(hotline, actors["operator"], confidential=first_is_confidential)
    clock.advance(minutes=1)
    second = web_case(hotline, actors["operator"])
    clock.advance(minutes=1)
    third = web_case(hotline, actors["operator"])
    _problem(o311, [first, second, third], clock)
    found = {
        r["service_request_id"]: r["extended_attributes"]
        for r in parse_json(o311.get("requests.json", extensions="true"))
    }
    parent = second if first_is_confidential else first
    assert found[parent]["duplicate"] is False
    assert found[parent]["parent_service_request_id"] is None
    assert found[third] == {**found[third], "duplicate": True, "parent_service_request_id": parent}
    assert first not in str(found) if first_is_confidential else True


def test_tokens_resolve_case_numbers(o311: Open311Client, actors: Actors) -> None:
    number = web_case(o311.hotline, actors["operator"])
    assert parse_json(o311.get(f"tokens/{number}.json")) == [
        {"service_request_id": number, "token": number}
    ]
    assert_errors(o311.get("tokens/abc.json"), 404, "json")


def test_old_confidential_changes_are_not_leaked_through_the_update_window(
    o311: Open311Client, actors: Actors, clock: FakeClock
) -> None:
    secret = web_case(o311.hotline, actors["operator"], confidential=True)
    clock.advance(days=1)
    start = (clock.current - timedelta(days=2)).isoformat()
    assert secret not in o311.get("servicerequestupdates.json", start_date=start).text
