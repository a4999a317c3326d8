"""The API under test: the real app on the real test database, users with real tokens."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from hotline.config import Settings
from hotline.entrypoints.web.app import create_app
from hotline.profile import CityProfile
from hotline.services.accounts.users import NewUser, create_user
from hotline.services.context import Hotline
from tests.conftest import _fresh_url as fresh_url

# name → (role, unit, district): the same people as the services' ``actors`` fixture, and more.
USERS: dict[str, tuple[str, str | None, str | None]] = {
    "op": ("operator", None, None),
    "disp": ("dispatcher", None, None),
    "lx-disp": ("dispatcher", None, "370102"),
    "lx-h": ("handler", "LX-CGJ", None),
    "jfl-h": ("handler", "LX-JFL", None),
    "qcl-h": ("handler", "LX-QCL", None),
    "sz-h": ("handler", "SZ-CGJ", None),
    "insp": ("inspector", None, None),
    "sup": ("supervisor", None, None),
    "lead": ("leader", None, None),
    "lx-lead": ("leader", None, "370102"),
    "adm": ("admin", None, None),
}
DEFAULT_CASE: dict[str, Any] = {
    "channel": "12345",
    "content": "历下区泉城路夜间施工噪音扰民，凌晨两点还在施工",
    "address": "历下区泉城路 188 号",
    "caller_name": "张三丰",
    "caller_phone": "13812345678",
}
PNG_PHOTO = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
LATEST = object()  # act(): use the case's current ETag as If-Match


class Api:
    """A thin client: requests as a named user, with helpers for the common steps."""

    def __init__(self, client: TestClient, hotline: Hotline) -> None:
        self.client, self.hotline = client, hotline
        self.tokens: dict[str, str] = {}

    def token(self, user: str) -> str:
        if user not in self.tokens:
            role, unit, district = USERS[user]
            self.tokens[user] = create_user(
                self.hotline, NewUser(user, role, unit, district), self.hotline.now()
            )
        return self.tokens[user]

    def headers(self, user: str | None, **extra: str) -> dict[str, str]:
        auth = {"Authorization": f"Bearer {self.token(user)}"} if user else {}
        return {**auth, **extra}

    def request(self, method: str, url: str, user: str | None, **kwargs: Any) -> httpx.Response:
        headers = self.headers(user, **kwargs.pop("headers", {}))
        return self.client.request(method, url, headers=headers, **kwargs)

    def create(self, user: str = "op", **overrides: Any) -> dict[str, Any]:
        response = self.post_case(user, {**DEFAULT_CASE, **overrides})
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    def post_case(self, user: str, body: Any, **headers: str) -> httpx.Response:
        return self.request("POST", "/api/v1/cases", user, json=body, headers=headers)

    def get(self, number: str, user: str = "disp") -> httpx.Response:
        return self.request("GET", f"/api/v1/cases/{number}", user)

    def case(self, number: str, user: str = "disp") -> dict[str, Any]:
        response = self.get(number, user)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def act(
        self,
        number: str,
        user: str,
        action: str,
        *,
        if_match: object = LATEST,
        **fields: Any,
    ) -> httpx.Response:
        headers = {}
        if if_match is LATEST:
            headers["If-Match"] = f'"{self.case(number)["version"]}"'
        elif isinstance(if_match, str):
            headers["If-Match"] = if_match
        url = f"/api/v1/cases/{number}/actions"
        return self.request("POST", url, user, json={"action": action, **fields}, headers=headers)

    def step(self, number: str, user: str, action: str, **fields: Any) -> dict[str, Any]:
        """An action that must succeed; returns the changed case."""
        response = self.act(number, user, action, **fields)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def to_dispatched(self, number: str, unit: str = "LX-CGJ", **fields: Any) -> None:
        self.step(number, "op", "register", category_code="E0301")
        self.step(number, "disp", "dispatch", unit=unit, **fields)

    def to_accepted(self, number: str, unit: str = "LX-CGJ", handler: str = "lx-h") -> None:
        self.to_dispatched(number, unit)
        self.step(number, handler, "accept")


@pytest.fixture(scope="session")
def city_profile() -> CityProfile:
    return Settings().profile


@pytest.fixture
def settings(template_url: str, tmp_path: Path, city_profile: CityProfile) -> Settings:
    """As the shared fixture, but the city profile is parsed once per session, not per test:
    reading the YAML folder costs about half a second, and no web test changes it."""
    settings = Settings(database_url=fresh_url(template_url, tmp_path), var_dir=tmp_path)
    settings.__dict__["profile"] = city_profile  # fills the cached_property
    return settings


@pytest.fixture
def client(hotline: Hotline) -> Iterator[TestClient]:
    with TestClient(create_app(hotline)) as test_client:
        yield test_client


@pytest.fixture
def api(client: TestClient, hotline: Hotline) -> Api:
    return Api(client, hotline)


def assert_problem(
    response: httpx.Response, status: int, code: str | None = None
) -> dict[str, Any]:
    """The response is an RFC 9457 problem with the given status (and machine code)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail", "code"} <= body.keys()
    assert body["type"].endswith(body["code"])
    if code is not None:
        assert body["code"] == code, body
    return body


def invalid_names(response: httpx.Response) -> set[str]:
    body = assert_problem(response, 422)
    return {param["name"] for param in body["invalid_params"]}
