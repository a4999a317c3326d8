"""Idempotency-Key on POST /api/v1/cases: a retry never makes a second case."""

from __future__ import annotations

import threading
from datetime import timedelta

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select

from hotline.adapters.db.models import IdempotencyKey, User
from hotline.entrypoints.web.schemas import CaseIn
from hotline.services.cases.idempotency import IN_FLIGHT, fingerprint, purge_expired_keys
from hotline.services.context import Hotline
from tests.conftest import FakeClock
from tests.web.conftest import DEFAULT_CASE, Api, assert_problem, invalid_names


def _total(api: Api) -> int:
    total: int = api.request("GET", "/api/v1/cases", "disp").json()["total"]
    return total


def test_a_replay_returns_the_case_it_created(api: Api) -> None:
    first = api.post_case("op", DEFAULT_CASE, **{"Idempotency-Key": "call-0001"})
    assert first.status_code == 201
    again = api.post_case("op", {**DEFAULT_CASE}, **{"Idempotency-Key": "call-0001"})
    assert again.status_code == 201
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["location"] == first.headers["location"]
    assert again.json()["caller_phone"] == "138****5678"
    assert _total(api) == 1


def test_a_replay_shows_the_case_as_it_is_now(api: Api) -> None:
    first = api.post_case("op", DEFAULT_CASE, **{"Idempotency-Key": "call-0002"}).json()
    api.step(first["number"], "op", "register", category_code="E0301")
    again = api.post_case("op", DEFAULT_CASE, **{"Idempotency-Key": "call-0002"})
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    assert (again.json()["number"], again.json()["status"]) == (first["number"], "registered")
    assert (
        again.headers["etag"] == api.get(first["number"]).headers["etag"] != f'"{first["version"]}"'
    )
    assert _total(api) == 1


def test_keys_are_per_user(api: Api) -> None:
    api.post_case("op", DEFAULT_CASE, **{"Idempotency-Key": "k"})
    other = api.post_case("disp", DEFAULT_CASE, **{"Idempotency-Key": "k"})
    assert other.status_code == 201 and "idempotent-replayed" not in other.headers
    assert _total(api) == 2


def test_the_same_key_with_another_body_is_422(api: Api) -> None:
    api.post_case("op", DEFAULT_CASE, **{"Idempotency-Key": "k"})
    response = api.post_case(
        "op", {**DEFAULT_CASE, "content": "别的诉求"}, **{"Idempotency-Key": "k"}
    )
    body = assert_problem(response, 422, "idempotency_key_reused")
    assert body["invalid_params"][0]["name"] == "Idempotency-Key"
    assert _total(api) == 1


def test_a_key_longer_than_255_characters_is_422(api: Api) -> None:
    assert "Idempotency-Key" in invalid_names(
        api.post_case("op", DEFAULT_CASE, **{"Idempotency-Key": "k" * 256})
    )
    assert api.post_case("op", DEFAULT_CASE, **{"Idempotency-Key": "k" * 255}).status_code == 201


def test_a_failed_create_frees_the_key_for_a_retry(api: Api) -> None:
    bad = api.post_case("op", {**DEFAULT_CASE, "channel": "fax"}, **{"Idempotency-Key": "k"})
    assert_problem(bad, 422)
    good = api.post_case("op", DEFAULT_CASE, **{"Idempotency-Key": "k"})
    assert good.status_code == 201 and "idempotent-replayed" not in good.headers


def test_a_key_expires_after_the_configured_hours(
    api: Api, clock: FakeClock, hotline: Hotline
) -> None:
    api.post_case("op", DEFAULT_CASE, **{"Idempotency-Key": "k"})
    clock.advance(hours=hotline.settings.idempotency_hours, seconds=1)
    fresh = api.post_case("op", DEFAULT_CASE, **{"Idempotency-Key": "k"})
    assert fresh.status_code == 201 and "idempotent-replayed" not in fresh.headers
    assert _total(api) == 2
    clock.advance(hours=hotline.settings.idempotency_hours, seconds=1)
    assert purge_expired_keys(hotline, clock()) == 1


def _post(
    client: TestClient, token: str, out: list[httpx.Response], start: threading.Barrier
) -> None:
    start.wait()
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "same-call"}
    out.append(client.post("/api/v1/cases", json=DEFAULT_CASE, headers=headers))


def test_two_concurrent_requests_with_one_key_make_one_case(api: Api) -> None:
    """Both may create; the key's uniqueness undoes the loser, which answers the winner's case."""
    token = api.token("op")
    results: list[httpx.Response] = []
    start = threading.Barrier(2)
    threads = [
        threading.Thread(target=_post, args=(TestClient(api.client.app), token, results, start))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [r.status_code for r in results] == [201, 201], [r.text for r in results]
    assert len({r.json()["number"] for r in results}) == 1
    assert sorted(r.headers.get("idempotent-replayed", "") for r in results) == ["", "true"]
    assert _total(api) == 1


def test_a_key_left_in_flight_by_an_earlier_version_is_409_until_it_times_out(
    api: Api, hotline: Hotline, clock: FakeClock
) -> None:
    """Earlier versions claimed a key before creating; such a row is honoured until it is stale."""
    api.token("op")
    request_hash = fingerprint(CaseIn(**DEFAULT_CASE).model_dump(mode="json"))
    with hotline.db.transaction() as session:
        user_id = session.scalars(select(User.id).where(User.name == "op")).one()
        session.add(
            IdempotencyKey(
                user_id=user_id,
                key="slow",
                request_hash=request_hash,
                status=IN_FLIGHT,
                created_at=clock(),
                expires_at=clock() + timedelta(hours=24),
            )
        )
    response = api.post_case("op", DEFAULT_CASE, **{"Idempotency-Key": "slow"})
    assert_problem(response, 409, "idempotency_key_in_flight")
    assert _total(api) == 0
    clock.advance(minutes=6)  # in flight for minutes: it died with its server
    assert api.post_case("op", DEFAULT_CASE, **{"Idempotency-Key": "slow"}).status_code == 201
