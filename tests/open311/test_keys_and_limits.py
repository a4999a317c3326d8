"""api_keys (403), rate limits per key and per address (429), request size limits (413)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from hotline.entrypoints.open311.guard import KeyCache, TokenBuckets
from hotline.services.accounts.users import NewUser, create_user
from hotline.services.open311 import list_partners, revoke_keys
from tests.open311.conftest import ClientFactory, Open311Client, assert_errors


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_missing_or_wrong_key_is_403(o311: Open311Client, fmt: str) -> None:
    (missing,) = assert_errors(o311.file(None, fmt), 403, fmt)  # type: ignore[arg-type]
    assert "api_key was not provided" in missing
    (wrong,) = assert_errors(o311.file("hl_not-a-key", fmt), 403, fmt)
    assert "Invalid api_key" in wrong
    assert_errors(o311.file("", fmt), 403, fmt)  # empty: as if absent


def test_a_staff_token_is_no_partner_key(o311: Open311Client) -> None:
    staff = create_user(o311.hotline, NewUser("op9", "operator"), o311.hotline.now())
    assert_errors(o311.file(staff), 403, "json")


def test_the_key_may_come_in_the_query_string(o311: Open311Client, partner_key: str) -> None:
    response = o311.http.post(
        f"/open311/v2/requests.json?api_key={partner_key}",
        data={"service_code": "E0101", "address_string": "历下区"},
    )
    assert response.status_code == 200, response.text


def test_a_revoked_key_stops_working(o311: Open311Client, partner_key: str) -> None:
    assert o311.file(partner_key).status_code == 200
    assert revoke_keys(o311.hotline, "province") == 1
    assert_errors(o311.file(partner_key), 403, "json")
    assert list_partners(o311.hotline, o311.settings, o311.hotline.now())[0]["keys_active"] == 0


def test_rate_limit_per_key(make_client: ClientFactory) -> None:
    o311 = make_client(rate_per_key_per_minute=2)
    limited, other = o311.key("a"), o311.key("b")
    assert [o311.file(limited).status_code for _ in range(2)] == [200, 200]
    refused = o311.file(limited, "json")
    assert_errors(refused, 429, "json")
    assert int(refused.headers["retry-after"]) >= 1
    assert o311.file(other).status_code == 200  # another key has its own bucket


def test_rate_limit_per_address_counts_bad_keys_too(make_client: ClientFactory) -> None:
    o311 = make_client(rate_per_address_per_minute=3)
    good = o311.key()
    assert o311.file(good).status_code == 200
    assert_errors(o311.file("hl_guess-1"), 403, "json")
    assert_errors(o311.file("hl_guess-2"), 403, "json")
    assert_errors(o311.file("hl_guess-3"), 429, "json")
    assert_errors(o311.file(good), 429, "json")


def test_an_exempt_key_is_not_limited(make_client: ClientFactory) -> None:
    o311 = make_client(rate_per_key_per_minute=1, rate_per_address_per_minute=1)
    exempt = o311.key("bench", exempt_from_rate_limit=True)
    assert {o311.file(exempt).status_code for _ in range(5)} == {200}
    partner = list_partners(o311.hotline, o311.settings, o311.hotline.now())[0]
    assert partner["exempt_from_rate_limit"] is True and partner["keys_active"] == 1


def test_limits_apply_to_posted_updates(make_client: ClientFactory) -> None:
    o311 = make_client(rate_per_key_per_minute=1)
    key = o311.key()
    number = o311.filed_number(key)
    response = o311.post(
        "servicerequestupdates.json",
        {
            "api_key": key,
            "service_request_id": number,
            "update_id": "1",
            "status": "open",
            "updated_datetime": "2026-11-24T10:00:00Z",
            "description": "x",
        },
    )
    assert_errors(response, 429, "json")


def test_gets_are_not_rate_limited(make_client: ClientFactory) -> None:
    o311 = make_client(rate_per_address_per_minute=1)
    assert {o311.get("services.json").status_code for _ in range(3)} == {200}


def test_body_size_limit(make_client: ClientFactory) -> None:
    o311 = make_client(max_body_bytes=2048)
    key = o311.key()
    assert_errors(o311.file(key, "json", description="噪" * 600), 413, "json")  # ~5.4 kB encoded
    assert o311.file(key, description="噪" * 100).status_code == 200


def test_a_body_without_content_length_is_measured_while_read(make_client: ClientFactory) -> None:
    o311 = make_client(max_body_bytes=1024)
    key = o311.key()

    def chunks():  # type: ignore[no-untyped-def]
        yield f"api_key={key}&service_code=E0101&address_string=x&description=".encode()
        for _ in range(40):
            yield b"a" * 64

    response = o311.http.post(
        "/open311/v2/requests.xml",
        content=chunks(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert_errors(response, 413)


def test_too_many_fields(make_client: ClientFactory) -> None:
    o311 = make_client(max_fields=20)
    fields = {f"attribute[x{i}]": "1" for i in range(30)}
    assert_errors(o311.file(o311.key(), "xml", **fields), 400)
    assert_errors(o311.get("requests.xml", **fields), 400)


def test_token_buckets_refill_at_the_configured_rate() -> None:
    now = [0.0]
    buckets = TokenBuckets(per_minute=60, monotonic=lambda: now[0])
    assert all(buckets.take("k") == 0 for _ in range(60))  # a full minute's burst
    assert buckets.take("k") == pytest.approx(1.0)
    now[0] += 1.0
    assert buckets.take("k") == 0 and buckets.take("k") > 0
    assert buckets.take("other") == 0
    assert TokenBuckets(per_minute=0).take("k") == 0  # 0 switches the limit off


def test_key_cache_expires() -> None:
    now = [0.0]
    cache = KeyCache(seconds=10, monotonic=lambda: now[0])
    cache.put("h", None)
    assert cache.get("h") is not None
    now[0] = 10.5
    assert cache.get("h") is None
    KeyCache(seconds=0).put("h", None)  # 0: nothing is cached


def test_method_not_allowed_keeps_the_errors_shape(o311: Open311Client) -> None:
    response = o311.http.delete("/open311/v2/requests.xml")
    assert_errors(response, 405)
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD", "POST"}


def test_an_unexpected_failure_is_a_general_service_error(
    make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    o311 = make_client(raise_server_exceptions=False)

    def broken(*args: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr("hotline.services.open311.list_services", broken)
    (description,) = assert_errors(o311.get("services.json"), 400, "json")
    assert "fire" not in description


def test_the_sub_application_has_no_openapi(o311: Open311Client) -> None:
    assert isinstance(o311.http, TestClient)
    assert o311.http.get("/open311/v2/openapi.json").status_code == 404


def test_the_key_is_checked_before_the_arguments(o311: Open311Client) -> None:
    assert_errors(o311.file("hl_wrong", "json", lat="north", service_code="NOPE"), 403, "json")


def test_a_partner_is_shown_by_its_chinese_title(o311: Open311Client) -> None:
    """A case's history names who filed it; a partner's login (Latin) is never what people read."""
    untitled = o311.key("portal")
    titled = o311.key("city-app", title="济南城管App")
    now = o311.hotline.now()
    partners = {row["partner"]: row for row in list_partners(o311.hotline, o311.settings, now)}
    assert partners["portal"]["title"] == "合作平台"
    assert partners["city-app"]["title"] == "济南城管App"
    o311.key("portal", title="市民网站")  # a new key may (re)title the partner
    rows = list_partners(o311.hotline, o311.settings, now)
    titles = {row["partner"]: row["title"] for row in rows}
    assert titles == {"city-app": "济南城管App", "portal": "市民网站"}
    assert o311.file(untitled).status_code == 200 and o311.file(titled).status_code == 200
