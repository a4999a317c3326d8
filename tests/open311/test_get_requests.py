"""GET requests and GET requests/{id}: mapping, filters, windows and paging at their edges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from hotline.adapters.db.models import Case, Unit
from hotline.domain.lifecycle import Action
from hotline.domain.roles import Actor
from hotline.geo.crs import gcj02_to_wgs84
from hotline.services.open311 import Open311Settings
from tests.conftest import FakeClock
from tests.integration.helpers import act, to_accepted
from tests.open311.conftest import (
    EXTENDED_FIELDS,
    NOTE_FIELDS,
    REQUEST_FIELDS,
    ClientFactory,
    Open311Client,
    assert_errors,
    child_tags,
    parse_json,
    parse_xml,
    text_of,
    web_case,
)

Actors = dict[str, Actor]


def _numbers(o311: Open311Client, **params: object) -> list[str]:
    response = o311.get("requests.json", **params)
    assert response.status_code == 200, response.text
    return [request["service_request_id"] for request in parse_json(response)]


def _w3c(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def test_get_requests_xml_has_every_spec_field(o311: Open311Client, actors: Actors) -> None:
    number = web_case(o311.hotline, actors["operator"])
    root = parse_xml(o311.get("requests.xml"), "service_requests")
    (request,) = list(root)
    assert request.tag == "request" and child_tags(request) == REQUEST_FIELDS
    assert text_of(request, "service_request_id") == number
    assert text_of(request, "status") == "open"
    assert text_of(request, "requested_datetime") == "2026-11-24T10:00:00+08:00"
    assert text_of(request, "address_id") is None and text_of(request, "zipcode") is None


def test_single_request_xml_and_json(o311: Open311Client, actors: Actors) -> None:
    number = web_case(o311.hotline, actors["operator"])
    root = parse_xml(o311.get(f"requests/{number}.xml"), "service_requests")
    assert child_tags(root) == ["request"] and child_tags(root[0]) == REQUEST_FIELDS
    (found,) = parse_json(o311.get(f"requests/{number}.json"))
    assert list(found) == REQUEST_FIELDS and found["service_request_id"] == number


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_unknown_request_is_404(o311: Open311Client, fmt: str) -> None:
    assert_errors(o311.get(f"requests/20261124-999999.{fmt}"), 404, fmt)
    assert_errors(o311.get(f"requests/not-a-number.{fmt}"), 404, fmt)


def test_mapping_through_the_lifecycle(o311: Open311Client, actors: Actors) -> None:
    hotline = o311.hotline
    number = web_case(hotline, actors["operator"])
    to_accepted(hotline, actors, number)
    (found,) = parse_json(o311.get(f"requests/{number}.json"))
    with hotline.db.transaction() as session:
        unit = session.scalars(select(Unit).where(Unit.code == "LX-CGJ")).one()
        case = session.scalars(select(Case).where(Case.number == number)).one()
    assert found["agency_responsible"] == unit.name  # the lead unit
    assert case.reply_due_at is not None
    expected = case.reply_due_at.astimezone(hotline.settings.tz).isoformat()
    assert found["expected_datetime"] == expected  # the current deadline, local time
    assert found["service_notice"] == "1 个工作小时内签收，2 个工作日内答复"  # E0301's limit
    assert found["status_notes"] == "承办单位已签收，正在办理"
    assert found["status"] == "open"


def test_a_promise_is_the_notice_and_the_deadline(
    o311: Open311Client, actors: Actors, clock: FakeClock
) -> None:
    hotline = o311.hotline
    number = web_case(hotline, actors["operator"])
    to_accepted(hotline, actors, number)
    act(
        hotline,
        number,
        Action.REPLY,
        actors["handler"],
        result_type="promised",
        reply_text="承诺月底前整改",
        promised_on="2026-11-30",
    )
    (found,) = parse_json(o311.get(f"requests/{number}.json"))
    assert found["service_notice"] == "承办单位承诺于 2026-11-30 前解决"
    assert found["expected_datetime"] == "2026-11-30T23:59:59+08:00"
    assert found["status_notes"] == "承办单位已办结答复（承诺限时解决）：承诺月底前整改"


def test_closed_cases_say_closed_with_their_closing_time(
    o311: Open311Client, actors: Actors, clock: FakeClock
) -> None:
    hotline = o311.hotline
    number = web_case(hotline, actors["operator"])
    clock.advance(minutes=5)
    act(hotline, number, Action.ANSWER_DIRECTLY, actors["operator"], reply_text="已解释政策")
    (found,) = parse_json(o311.get(f"requests/{number}.json"))
    assert found["status"] == "closed"
    assert found["updated_datetime"] == "2026-11-24T10:05:00+08:00"
    assert found["status_notes"] == "已直接答复：已解释政策"


def test_status_is_strictly_open_or_closed(o311: Open311Client, actors: Actors) -> None:
    hotline = o311.hotline
    open_one = web_case(hotline, actors["operator"])
    voided = web_case(hotline, actors["operator"])
    act(hotline, voided, Action.VOID, actors["operator"], reason="重复来电")
    statuses = {r["service_request_id"]: r["status"] for r in parse_json(o311.get("requests.json"))}
    assert statuses == {open_one: "open", voided: "closed"}
    assert _numbers(o311, status="open") == [open_one]
    assert _numbers(o311, status="closed") == [voided]
    assert set(_numbers(o311, status="open,closed")) == {open_one, voided}
    assert_errors(o311.get("requests.xml", status="dispatched"), 400)


def test_service_code_filter_and_ids_override_everything(
    o311: Open311Client, actors: Actors
) -> None:
    hotline = o311.hotline
    noise = web_case(hotline, actors["operator"], category_code="E0301")
    rubbish = web_case(hotline, actors["operator"], category_code="E0101")
    assert _numbers(o311, service_code="E0301") == [noise]
    assert set(_numbers(o311, service_code="E0301,E0101")) == {noise, rubbish}
    assert _numbers(o311, service_code="X9") == []
    far_past = {"start_date": "2000-01-01T00:00:00Z", "end_date": "2000-01-02T00:00:00Z"}
    ids = f"{noise},{rubbish}"
    assert set(_numbers(o311, service_request_id=ids, status="closed", **far_past)) == {
        noise,
        rubbish,
    }


def test_newest_first_and_paging(
    make_client: ClientFactory, actors: Actors, clock: FakeClock
) -> None:
    o311 = make_client(max_requests=3)
    made = []
    for _ in range(5):
        made.append(web_case(o311.hotline, actors["operator"]))
        clock.advance(seconds=1)
    newest_first = made[::-1]
    assert _numbers(o311) == newest_first[:3]  # the default limit (here 3, normally 1000)
    assert _numbers(o311, page_size=2) == newest_first[:2]
    assert _numbers(o311, page=2, page_size=2) == newest_first[2:4]
    assert _numbers(o311, page=3, page_size=2) == newest_first[4:]
    assert _numbers(o311, page=4, page_size=2) == []
    assert _numbers(o311, page=2) == newest_first[3:]
    for bad in ({"page": 0}, {"page_size": 0}, {"page_size": 4}, {"page": "two"}):
        assert_errors(o311.get("requests.json", **bad), 400, "json")


def test_the_spec_defaults_are_90_days_and_1000_requests() -> None:
    settings = Open311Settings()
    assert (settings.window_days, settings.max_requests) == (90, 1000)


def test_default_window_is_the_last_90_days(
    o311: Open311Client, actors: Actors, clock: FakeClock
) -> None:
    old = web_case(o311.hotline, actors["operator"])
    clock.advance(days=90)
    assert _numbers(o311) == [old]  # exactly 90 days old: still inside
    clock.advance(seconds=1)
    assert _numbers(o311) == []


def test_date_window_edges_are_inclusive(
    o311: Open311Client, actors: Actors, clock: FakeClock
) -> None:
    at = clock.current
    number = web_case(o311.hotline, actors["operator"])
    second = timedelta(seconds=1)
    assert _numbers(o311, start_date=_w3c(at), end_date=_w3c(at)) == [number]
    assert _numbers(o311, start_date=_w3c(at + second)) == []
    assert _numbers(o311, end_date=_w3c(at - second)) == []
    # start alone: the window runs 90 days from it, its end included
    assert _numbers(o311, start_date=_w3c(at - timedelta(days=90))) == [number]
    assert _numbers(o311, start_date=_w3c(at - timedelta(days=90) - second)) == []
    assert _numbers(o311, end_date=_w3c(at + timedelta(days=90))) == [number]
    assert _numbers(o311, end_date=_w3c(at + timedelta(days=90) + second)) == []
    local = at.astimezone(o311.hotline.settings.tz).isoformat()  # 2026-11-24T10:00:00+08:00
    assert _numbers(o311, start_date=local, end_date=local) == [number]


def test_a_window_may_span_90_days_but_not_more(o311: Open311Client) -> None:
    start = datetime(2026, 8, 1, tzinfo=UTC)
    assert (
        o311.get(
            "requests.json", start_date=_w3c(start), end_date=_w3c(start + timedelta(days=90))
        ).status_code
        == 200
    )
    too_long = o311.get(
        "requests.json",
        start_date=_w3c(start),
        end_date=_w3c(start + timedelta(days=90, seconds=1)),
    )
    assert "90" in assert_errors(too_long, 400, "json")[0]
    backwards = o311.get(
        "requests.json", start_date=_w3c(start), end_date=_w3c(start - timedelta(seconds=1))
    )
    assert_errors(backwards, 400, "json")


@pytest.mark.parametrize(
    "value", ["2026-11-24T10:00:00", "24/11/2026", "2026-11-24T10:00:00+0800", "2026-02-30"]
)
def test_dates_need_a_w3c_form_with_time_zone(o311: Open311Client, value: str) -> None:
    assert_errors(o311.get("requests.xml", start_date=value), 400)


def test_a_plus_sign_lost_in_the_query_string_is_forgiven(
    o311: Open311Client, actors: Actors
) -> None:
    number = web_case(o311.hotline, actors["operator"])
    url = "/open311/v2/requests.json?start_date=2026-11-24T10:00:00+08:00"  # '+' → ' '
    assert [r["service_request_id"] for r in o311.http.get(url).json()] == [number]


def test_updated_window(o311: Open311Client, actors: Actors, clock: FakeClock) -> None:
    hotline = o311.hotline
    quiet = web_case(hotline, actors["operator"])
    busy = web_case(hotline, actors["operator"])
    clock.advance(hours=1)
    act(hotline, busy, Action.REGISTER, actors["operator"], category_code="E0301")
    changed_at = clock.current
    assert _numbers(o311, updated_after=_w3c(changed_at)) == [busy]
    assert _numbers(o311, updated_before=_w3c(changed_at - timedelta(seconds=1))) == [quiet]
    assert set(_numbers(o311, updated_before=_w3c(changed_at))) == {quiet, busy}
    assert _numbers(o311, updated_after=_w3c(changed_at + timedelta(seconds=1))) == []


def test_empty_parameters_change_nothing(o311: Open311Client, actors: Actors) -> None:
    web_case(o311.hotline, actors["operator"])
    plain = o311.get("requests.json").json()
    empties = {
        name: ""
        for name in (
            "status",
            "service_code",
            "start_date",
            "end_date",
            "service_request_id",
            "page",
            "page_size",
            "extensions",
            "updated_after",
            "jurisdiction_id",
        )
    }
    assert o311.get("requests.json", **empties).json() == plain


def test_extensions(o311: Open311Client, actors: Actors, clock: FakeClock) -> None:
    hotline = o311.hotline
    number = web_case(hotline, actors["operator"], district_code="370102")
    clock.advance(minutes=1)
    act(hotline, number, Action.REGISTER, actors["operator"], category_code="E0301")
    (plain,) = parse_json(o311.get(f"requests/{number}.json"))
    assert "extended_attributes" not in plain and "notes" not in plain
    (found,) = parse_json(o311.get(f"requests/{number}.json", extensions="true"))
    assert list(found) == [*REQUEST_FIELDS, "extended_attributes", "notes"]
    extended = found["extended_attributes"]
    assert list(extended) == EXTENDED_FIELDS
    assert extended["channel"] == "web" and extended["detailed_status"] == "registered"
    assert extended["detailed_status_name"] == "已立案"
    assert extended["district"] == "历下区" and extended["district_code"] == "370102"
    assert extended["duplicate"] is False and extended["parent_service_request_id"] is None
    assert [list(note) for note in found["notes"]] == [NOTE_FIELDS, NOTE_FIELDS]
    assert [(n["type"], n["description"]) for n in found["notes"]] == [
        ("receive", "诉求已受理"),
        ("register", "已立案"),
    ]
    assert found["notes"][1]["datetime"] == "2026-11-24T10:01:00+08:00"
    assert_errors(o311.get("requests.json", extensions="yes"), 400, "json")


def test_extensions_in_xml(o311: Open311Client, actors: Actors) -> None:
    number = web_case(o311.hotline, actors["operator"])
    root = parse_xml(o311.get(f"requests/{number}.xml", extensions="true"), "service_requests")
    request = root[0]
    assert child_tags(request) == [*REQUEST_FIELDS, "extended_attributes", "notes"]
    extended = request.find("extended_attributes")
    notes = request.find("notes")
    assert extended is not None and child_tags(extended) == EXTENDED_FIELDS
    assert notes is not None and child_tags(notes) == ["note"]
    assert child_tags(notes[0]) == NOTE_FIELDS
    assert text_of(extended, "duplicate") == "false"


def test_public_steps_are_configuration(make_client: ClientFactory, actors: Actors) -> None:
    default = make_client()
    number = web_case(default.hotline, actors["operator"])
    to_accepted(default.hotline, actors, number)
    notes = parse_json(default.get(f"requests/{number}.json", extensions="true"))[0]["notes"]
    assert [note["type"] for note in notes] == ["receive", "register", "dispatch", "accept"]
    assert notes[2]["description"].startswith("已派遣至") and notes[2]["description"].endswith(
        "办理"
    )
    terse = make_client(public_steps=("receive", "close"))
    (found,) = parse_json(terse.get(f"requests/{number}.json", extensions="true"))
    assert [note["type"] for note in found["notes"]] == ["receive"]
    assert found["status_notes"] == "诉求已受理"


def test_an_internal_step_that_closes_still_says_closed(
    make_client: ClientFactory, actors: Actors
) -> None:
    o311 = make_client(public_steps=("receive",))
    number = web_case(o311.hotline, actors["operator"])
    act(o311.hotline, number, Action.VOID, actors["operator"], reason="恶意来电")
    (found,) = parse_json(o311.get(f"requests/{number}.json"))
    assert found["status"] == "closed" and found["status_notes"] == "已办结，工单已结案"
    assert "恶意来电" not in o311.get(f"requests/{number}.json", extensions="true").text


def test_gcj02_coordinates_are_published_in_wgs84(o311: Open311Client, actors: Actors) -> None:
    number = web_case(
        o311.hotline, actors["operator"], lon=117.1261, lat=36.6570, coord_system="gcj02"
    )
    (found,) = parse_json(o311.get(f"requests/{number}.json"))
    lon, lat = gcj02_to_wgs84(117.1261, 36.6570)
    assert (found["long"], found["lat"]) == (round(lon, 6), round(lat, 6))
    assert abs(found["long"] - 117.1261) > 0.004  # the offset is hundreds of metres
