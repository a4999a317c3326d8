"""Browser sessions: the cookie, the CSRF token, idle and absolute expiry on the fake clock,
throttled activity writes, logout, and disabling a user."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from hotline.adapters.db.models import BrowserSession
from hotline.domain.roles import ROLE_TABLE, Role
from hotline.services.accounts.users import NewUser, create_user, disable_user
from hotline.services.context import Hotline
from tests.conftest import FakeClock
from tests.web.conftest import DEFAULT_CASE, Api, assert_problem

PASSWORD = "s3cret-pass"
SESSION = "/api/v1/auth/session"
COOKIE = "hotline_session"
CONTRACT = {
    "user",
    "display_name",
    "role",
    "role_label",
    "unit",
    "unit_name",
    "district",
    "district_name",
    "permissions",
    "idle_expires_at",
    "expires_at",
    "csrf_token",
}


def _user(hotline: Hotline, name: str = "wang", role: str = "operator", **extra: Any) -> None:
    data = NewUser(name, role, password=PASSWORD, **extra)
    create_user(hotline, data, hotline.now())


def _log_in(client: TestClient, name: str = "wang") -> httpx.Response:
    response: httpx.Response = client.post(SESSION, json={"name": name, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response


def _csrf(response: httpx.Response) -> dict[str, str]:
    return {"X-CSRF-Token": response.json()["csrf_token"]}


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _last_seen(hotline: Hotline) -> datetime:
    with hotline.db.transaction() as session:
        return session.scalars(select(BrowserSession.last_seen_at)).one()


@pytest.fixture
def browser(api: Api, hotline: Hotline) -> TestClient:
    """The test client as one logged-in browser (its cookie jar holds the session)."""
    _user(hotline)
    _log_in(api.client)
    return api.client


# --- the cookie and the answer -----------------------------------------------------------------


def test_login_sets_an_httponly_strict_cookie_and_returns_no_bearer_token(
    api: Api, hotline: Hotline
) -> None:
    _user(hotline)
    response = _log_in(api.client)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=strict", "path=/"} <= attributes
    assert "secure" not in attributes  # not in development: http://localhost must work
    assert not any(a.startswith(("max-age", "expires")) for a in attributes)  # browser session
    body = response.json()
    assert set(body) == CONTRACT and "token" not in body
    assert response.headers["cache-control"] == "no-store"


def test_the_cookie_is_secure_in_production(api: Api, hotline: Hotline) -> None:
    hotline.settings.env = "production"
    _user(hotline)
    response = _log_in(api.client)
    attributes = {p.strip().lower() for p in response.headers["set-cookie"].split(";")}
    assert "secure" in attributes


def test_the_session_says_who_what_and_until_when(api: Api, hotline: Hotline) -> None:
    _user(hotline, "lx-h", "handler", unit_code="LX-CGJ", display_name="李承办")
    _user(hotline, "lx-disp", "dispatcher", district_code="370102")
    login_at = hotline.now()
    settings = hotline.settings

    _log_in(api.client, "lx-h")
    handler = api.client.get(SESSION).json()
    assert handler["user"] == "lx-h" and handler["display_name"] == "李承办"
    assert (handler["role"], handler["role_label"]) == ("handler", "承办人")
    assert handler["unit"] == "LX-CGJ" and "历下" in handler["unit_name"]
    assert handler["permissions"] == sorted(what.value for what in ROLE_TABLE[Role.HANDLER])
    assert "reply" in handler["permissions"] and "dispatch" not in handler["permissions"]
    assert _at(handler["idle_expires_at"]) == login_at + timedelta(
        minutes=settings.session_idle_minutes
    )
    assert _at(handler["expires_at"]) == login_at + timedelta(hours=settings.session_hours)
    assert handler["csrf_token"]

    _log_in(api.client, "lx-disp")
    dispatcher = api.client.get(SESSION).json()
    assert (dispatcher["role_label"], dispatcher["district"]) == ("派遣员/值班长", "370102")
    assert dispatcher["district_name"] == "历下区"
    assert dispatcher["unit"] is None and dispatcher["unit_name"] is None


def test_get_and_post_give_the_same_csrf_token(api: Api, hotline: Hotline) -> None:
    _user(hotline)
    posted = _log_in(api.client).json()
    assert api.client.get(SESSION).json()["csrf_token"] == posted["csrf_token"]


def test_without_a_cookie_there_is_no_session(api: Api) -> None:
    assert_problem(api.client.get(SESSION), 401, "unauthenticated")


def test_the_cookie_authenticates_api_reads(browser: TestClient) -> None:
    assert browser.get("/api/v1/cases").status_code == 200


# --- CSRF ---------------------------------------------------------------------------------------


def test_unsafe_cookie_requests_need_the_csrf_token(api: Api, hotline: Hotline) -> None:
    _user(hotline)
    logged_in = _log_in(api.client)
    assert_problem(api.client.post("/api/v1/cases", json=DEFAULT_CASE), 403, "csrf_failed")
    wrong = {"X-CSRF-Token": "not-the-token"}
    assert_problem(
        api.client.post("/api/v1/cases", json=DEFAULT_CASE, headers=wrong), 403, "csrf_failed"
    )
    created = api.client.post("/api/v1/cases", json=DEFAULT_CASE, headers=_csrf(logged_in))
    assert created.status_code == 201, created.text


def test_another_sessions_csrf_token_does_not_fit(api: Api, hotline: Hotline) -> None:
    _user(hotline)
    other = TestClient(api.client.app)
    other_token = _csrf(_log_in(other))
    _log_in(api.client)
    response = api.client.post("/api/v1/cases", json=DEFAULT_CASE, headers=other_token)
    assert_problem(response, 403, "csrf_failed")


def test_bearer_requests_need_no_csrf_token_and_win_over_the_cookie(
    api: Api, hotline: Hotline
) -> None:
    _user(hotline)
    _log_in(api.client)  # the cookie jar holds an operator's session
    assert api.post_case("op", DEFAULT_CASE).status_code == 201  # bearer, cookie, no CSRF
    # The handler's token decides, though the operator's cookie could create a case:
    assert_problem(api.post_case("lx-h", DEFAULT_CASE), 403, "forbidden")
    bad_bearer = {"Authorization": "Bearer hl_not-a-token"}
    assert_problem(api.client.get("/api/v1/cases", headers=bad_bearer), 401, "invalid_token")


# --- expiry on the app's clock ------------------------------------------------------------------


def test_a_session_idle_for_the_timeout_expires(
    browser: TestClient, clock: FakeClock, hotline: Hotline
) -> None:
    idle = hotline.settings.session_idle_minutes
    clock.advance(minutes=idle - 1, seconds=59)
    assert browser.get("/api/v1/cases").status_code == 200  # still live, and renewed
    clock.advance(minutes=idle)
    assert_problem(browser.get("/api/v1/cases"), 401, "session_expired")
    assert_problem(browser.get(SESSION), 401, "session_expired")


def test_activity_slides_the_idle_expiry(
    browser: TestClient, clock: FakeClock, hotline: Hotline
) -> None:
    start = hotline.now()
    clock.advance(minutes=20)
    assert browser.get("/api/v1/cases").status_code == 200
    clock.advance(minutes=25)  # 45 min after login, 25 after the last request
    session = browser.get(SESSION)
    assert session.status_code == 200
    assert _at(session.json()["idle_expires_at"]) == start + timedelta(minutes=45 + 30)
    clock.advance(minutes=30)
    assert_problem(browser.get(SESSION), 401, "session_expired")


def test_the_absolute_lifetime_ends_an_active_session(
    browser: TestClient, clock: FakeClock, hotline: Hotline
) -> None:
    start = hotline.now()
    end = start + timedelta(hours=hotline.settings.session_hours)
    while hotline.now() + timedelta(minutes=20) < end:
        clock.advance(minutes=20)
        assert browser.get("/api/v1/cases").status_code == 200, hotline.now() - start
    near_end = browser.get(SESSION).json()
    assert _at(near_end["idle_expires_at"]) == end  # never past the absolute end
    clock.current = end
    assert_problem(browser.get("/api/v1/cases"), 401, "session_expired")


def test_last_seen_is_written_at_most_once_a_minute(
    browser: TestClient, clock: FakeClock, hotline: Hotline
) -> None:
    login_at = hotline.now()
    for seconds in (10, 30, 59):
        clock.current = login_at + timedelta(seconds=seconds)
        assert browser.get("/api/v1/cases").status_code == 200
        assert _last_seen(hotline) == login_at
    clock.current = login_at + timedelta(seconds=61)
    assert browser.get("/api/v1/cases").status_code == 200
    assert _last_seen(hotline) == login_at + timedelta(seconds=61)
    clock.advance(seconds=30)
    assert browser.get(SESSION).status_code == 200
    assert _last_seen(hotline) == login_at + timedelta(seconds=61)


# --- ending a session ---------------------------------------------------------------------------


def test_logout_revokes_the_session_and_clears_the_cookie(api: Api, hotline: Hotline) -> None:
    _user(hotline)
    logged_in = _log_in(api.client)
    session_id = api.client.cookies[COOKIE]
    response = api.client.delete(SESSION, headers=_csrf(logged_in))
    assert response.status_code == 204
    cleared = response.headers["set-cookie"].lower()
    assert cleared.startswith(f"{COOKIE}=") and "max-age=0" in cleared
    assert COOKIE not in api.client.cookies
    stale = TestClient(api.client.app, cookies={COOKIE: session_id})
    assert_problem(stale.get(SESSION), 401, "session_invalid")
    assert_problem(stale.get("/api/v1/cases"), 401, "session_invalid")


def test_logout_needs_the_csrf_token(browser: TestClient) -> None:
    assert_problem(browser.delete(SESSION), 403, "csrf_failed")
    assert browser.get(SESSION).status_code == 200  # still logged in


def test_logout_without_a_session_is_a_no_op(api: Api) -> None:
    assert api.client.delete(SESSION).status_code == 204


def test_disabling_a_user_ends_its_sessions(browser: TestClient, hotline: Hotline) -> None:
    assert browser.get(SESSION).status_code == 200
    moment = hotline.now() + timedelta(seconds=7)  # the caller's now, not the context's clock
    disable_user(hotline, "wang", moment)  # what `hotline user disable` calls
    assert_problem(browser.get(SESSION), 401, "session_invalid")
    with hotline.db.transaction() as session:
        revoked = session.scalars(select(BrowserSession.revoked_at)).one()
    assert revoked == moment


def test_a_disabled_user_cannot_log_in_and_is_told_the_same(api: Api, hotline: Hotline) -> None:
    _user(hotline)
    _user(hotline, "gone")
    disable_user(hotline, "gone", hotline.now())
    wrong = api.client.post(SESSION, json={"name": "wang", "password": "wrong"})
    disabled = api.client.post(SESSION, json={"name": "gone", "password": PASSWORD})
    assert_problem(disabled, 401, "login_failed")
    assert disabled.json()["detail"] == assert_problem(wrong, 401, "login_failed")["detail"]
    assert COOKIE not in api.client.cookies


def test_logging_in_again_replaces_the_old_session(api: Api, hotline: Hotline) -> None:
    _user(hotline)
    _log_in(api.client)
    first = api.client.cookies[COOKIE]
    _log_in(api.client)
    assert api.client.cookies[COOKIE] != first
    stale = TestClient(api.client.app, cookies={COOKIE: first})
    assert_problem(stale.get(SESSION), 401, "session_invalid")
    assert api.client.get(SESSION).status_code == 200


def test_ended_sessions_are_deleted_at_the_next_login(
    api: Api, hotline: Hotline, clock: FakeClock
) -> None:
    _user(hotline)
    for _ in range(3):
        _log_in(TestClient(api.client.app))
        clock.advance(minutes=hotline.settings.session_idle_minutes)
    _log_in(api.client)
    with hotline.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(BrowserSession)) == 1


def test_only_a_hash_of_the_session_id_is_stored(browser: TestClient, hotline: Hotline) -> None:
    session_id = browser.cookies[COOKIE]
    with hotline.db.transaction() as session:
        stored = session.scalars(select(BrowserSession.session_hash)).one()
    assert session_id not in stored and len(stored) == 64
