"""Authentication: Bearer tokens (401 with a challenge), and password login with lockout."""

from __future__ import annotations

import pytest

from hotline.services.accounts.users import NewUser, create_user, disable_user
from hotline.services.context import Hotline
from tests.conftest import FakeClock
from tests.web.conftest import Api, assert_problem


@pytest.mark.parametrize(
    "authorization", [None, "Bearer", "Bearer hl_not-a-token", "Basic b3A6cHc=", "hl_raw"]
)
def test_missing_or_invalid_token_is_401_with_a_bearer_challenge(
    api: Api, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = api.client.get("/api/v1/cases", headers=headers)
    body = assert_problem(response, 401)
    assert body["code"] in ("unauthenticated", "invalid_token")
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_an_expired_token_is_401(api: Api, clock: FakeClock, hotline: Hotline) -> None:
    api.token("op")
    assert api.request("GET", "/api/v1/cases", "op").status_code == 200
    clock.advance(days=hotline.settings.token_days, seconds=1)
    response = api.request("GET", "/api/v1/cases", "op")
    assert_problem(response, 401, "invalid_token")
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_a_disabled_users_token_is_401(api: Api, hotline: Hotline) -> None:
    api.token("op")
    disable_user(hotline, "op", hotline.now())
    assert_problem(api.request("GET", "/api/v1/cases", "op"), 401, "invalid_token")


def _login(api: Api, password: str) -> tuple[int, dict[str, object]]:
    response = api.client.post("/api/v1/auth/login", json={"name": "wang", "password": password})
    return response.status_code, response.json()


def test_login_gives_a_working_token(api: Api, hotline: Hotline) -> None:
    create_user(hotline, NewUser("wang", "operator", password="s3cret-pass"), hotline.now())
    status, body = _login(api, "s3cret-pass")
    assert status == 200, body
    assert (body["token_type"], body["user"], body["role"]) == ("Bearer", "wang", "operator")
    headers = {"Authorization": f"Bearer {body['token']}"}
    assert api.client.get("/api/v1/cases", headers=headers).status_code == 200


def test_login_locks_after_repeated_failures(api: Api, hotline: Hotline, clock: FakeClock) -> None:
    create_user(hotline, NewUser("wang", "operator", password="s3cret-pass"), hotline.now())
    for _ in range(hotline.settings.login_max_failures):
        status, body = _login(api, "wrong")
        assert (status, body["code"]) == (401, "login_failed")
    status, body = _login(api, "s3cret-pass")
    assert status == 401 and "锁定" in str(body["detail"])
    clock.advance(minutes=hotline.settings.login_lockout_minutes, seconds=1)
    assert _login(api, "s3cret-pass")[0] == 200


def test_login_body_is_validated(api: Api) -> None:
    response = api.client.post("/api/v1/auth/login", json={"name": "wang"})
    assert_problem(response, 422)
    assert response.json()["invalid_params"] == [{"name": "password", "reason": "必填"}]
