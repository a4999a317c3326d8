"""POST requests: filing through the normal intake pipeline, and every refusal."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from hotline.adapters.db.models import Case, CaseEvent, OutboxItem
from tests.open311.conftest import (
    POST_FIELDS,
    REQUEST_FIELDS,
    Open311Client,
    assert_errors,
    child_tags,
    parse_json,
    parse_xml,
    text_of,
)

FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def _case(o311: Open311Client, number: str) -> Case:
    with o311.hotline.db.transaction() as session:
        return session.scalars(select(Case).where(Case.number == number)).one()


def test_post_xml_answers_with_the_case_number(o311: Open311Client, partner_key: str) -> None:
    root = parse_xml(o311.file(partner_key, "xml", account_id="acc-7"), "service_requests")
    (request,) = list(root)
    assert request.tag == "request" and child_tags(request) == POST_FIELDS
    number = text_of(request, "service_request_id") or ""
    assert _case(o311, number).number == number  # service_request_id is the case number
    assert text_of(request, "service_notice") == "1 个工作小时内签收，2 个工作日内答复"
    assert text_of(request, "account_id") == "acc-7"
    assert request.find("token") is None  # realtime: an id, never a token


def test_post_json(o311: Open311Client, partner_key: str) -> None:
    response = o311.file(partner_key, "json")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    (created,) = parse_json(response)
    assert list(created) == POST_FIELDS and created["account_id"] is None


def test_a_filed_case_enters_the_intake_pipeline(o311: Open311Client, partner_key: str) -> None:
    number = o311.filed_number(partner_key, first_name="三", last_name="张", phone="13812345678")
    case = _case(o311, number)
    assert case.status == "received" and case.channel_code == "web"
    assert case.created_by == "province" and case.category_code == "E0301"
    assert (case.lat, case.lon, case.coord_system) == (36.6512, 117.1201, "wgs84")
    assert (case.caller_name, case.caller_phone) == ("张三", "13812345678")
    with o311.hotline.db.transaction() as session:
        jobs = session.scalars(select(OutboxItem).where(OutboxItem.kind == "enrich")).all()
        events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)).all()
    assert [job.payload["number"] for job in jobs] == [number]
    assert [event.action for event in events] == ["receive"]


def test_a_partner_may_be_configured_with_its_own_channel(o311: Open311Client) -> None:
    number = o311.filed_number(o311.key("wechat-platform", channel="wechat"))
    assert _case(o311, number).channel_code == "wechat"


def test_post_then_get_round_trip(o311: Open311Client, partner_key: str) -> None:
    description = "泉城路工地夜间施工噪音扰民，凌晨两点还在施工"
    number = o311.filed_number(
        partner_key,
        description=description,
        media_url="https://partner.example/photos/1.jpg",
        **{"attribute[Q1]": "某建筑公司", "attribute[Q2]": "22:00–02:00"},
    )
    (found,) = parse_json(o311.get(f"requests/{number}.json"))
    assert list(found) == REQUEST_FIELDS
    assert found["service_request_id"] == number and found["status"] == "open"
    assert found["service_code"] == "E0301" and found["service_name"] == "夜间施工噪音"
    assert found["description"] == f"{description}\n【施工单位】某建筑公司\n【发生时段】22:00–02:00"
    assert (found["lat"], found["long"]) == (36.6512, 117.1201)
    assert found["address"] == "历下区泉城路"  # coarsened: no house number is published
    assert found["media_url"] == "https://partner.example/photos/1.jpg"
    assert found["requested_datetime"] == "2026-11-24T10:00:00+08:00"  # the fake clock, local
    assert found["status_notes"] == "诉求已受理"


def test_without_description_the_service_name_is_the_content(
    o311: Open311Client, partner_key: str
) -> None:
    number = o311.filed_number(partner_key, description=None, service_code="E0101")
    assert _case(o311, number).content == "暴露垃圾"


def test_chinese_in_the_body_survives_utf8(o311: Open311Client, partner_key: str) -> None:
    body = urlencode(
        {
            "api_key": partner_key,
            "service_code": "E0101",
            "address_string": "历下区",
            "description": "垃圾堆放😀",
        }
    ).encode()
    response = o311.http.post("/open311/v2/requests.json", content=body, headers=FORM)
    number = parse_json(response)[0]["service_request_id"]
    assert _case(o311, number).content == "垃圾堆放😀"


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        ("description=垃圾".encode("gbk"), "application/x-www-form-urlencoded"),
        (b"description=%C0%AC", "application/x-www-form-urlencoded"),  # GBK, percent-encoded
        (b"description=x", "application/x-www-form-urlencoded; charset=gbk"),
        (b'{"description": "x"}', "application/json"),
    ],
)
def test_only_utf8_form_bodies_are_accepted(
    o311: Open311Client, partner_key: str, content: bytes, content_type: str
) -> None:
    response = o311.http.post(
        f"/open311/v2/requests.xml?api_key={partner_key}",
        content=content + b"&service_code=E0101&address_string=x",
        headers={"Content-Type": content_type},
    )
    assert_errors(response, 400)


def test_empty_parameters_are_treated_as_absent(o311: Open311Client, partner_key: str) -> None:
    number = o311.filed_number(
        partner_key, lat="", long="", email="", phone="", first_name="", device_id=""
    )
    case = _case(o311, number)
    assert case.lat is None and case.caller_phone is None and case.caller_name is None


def test_description_is_limited_to_4000_characters(o311: Open311Client, partner_key: str) -> None:
    assert o311.file(partner_key, description="噪" * 4000).status_code == 200
    (message,) = assert_errors(o311.file(partner_key, "json", description="噪" * 4001), 400, "json")
    assert "4000" in message


def test_attribute_answers_count_towards_the_content_limit(
    o311: Open311Client, partner_key: str
) -> None:
    # "\n【施工单位】某公司" adds 10 characters: 3990 + 10 is the limit, one more is over it
    answer = {"attribute[Q1]": "某公司"}
    assert o311.file(partner_key, description="噪" * 3990, **answer).status_code == 200
    response = o311.file(partner_key, "json", description="噪" * 3991, **answer)
    assert_errors(response, 400, "json")


@pytest.mark.parametrize(
    ("fields", "status", "fragment"),
    [
        ({"service_code": None}, 400, "service_code"),
        ({"service_code": "NOPE"}, 404, "NOPE"),
        ({"service_code": "E03"}, 404, "E03"),
        ({"lat": None, "long": None, "address_string": None}, 400, "location"),
        ({"long": None}, 400, "lat and long"),
        ({"lat": "north"}, 400, "lat"),
        ({"lat": "nan"}, 400, "lat"),
        ({"lat": "91"}, 400, ""),
        ({"phone": "call me"}, 400, ""),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
        ({"first_name": "名" * 51}, 400, "first_name"),
        ({"attribute[Q1][]": ["甲", "乙"]}, 400, "Q1"),
        ({"description": "路灯不亮\x00"}, 400, "NUL"),  # PostgreSQL cannot store one
        ({"first_name": "张\x00"}, 400, "NUL"),
    ],
)
def test_refusals(
    o311: Open311Client, partner_key: str, fields: dict[str, object], status: int, fragment: str
) -> None:
    (message,) = assert_errors(o311.file(partner_key, "json", **fields), status, "json")
    assert fragment in message


def test_an_address_id_alone_is_a_location(o311: Open311Client, partner_key: str) -> None:
    number = o311.filed_number(
        partner_key, lat=None, long=None, address_string=None, address_id="JN-0001"
    )
    assert _case(o311, number).address == "地址编号 JN-0001"


def test_unknown_attributes_are_ignored(o311: Open311Client, partner_key: str) -> None:
    number = o311.filed_number(partner_key, **{"attribute[fixmystreet_id]": "42"})
    assert "42" not in _case(o311, number).content


def test_nothing_is_created_on_refusal(o311: Open311Client, partner_key: str) -> None:
    o311.file(partner_key, service_code="NOPE")
    o311.file("hl_wrong", service_code="E0301")
    with o311.hotline.db.transaction() as session:
        assert session.scalars(select(Case)).all() == []
