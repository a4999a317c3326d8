"""The login faces people: exact lockout under concurrent guesses, one message and one argon2
verification for every refusal, and no request body read (or unbounded) before authentication."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlalchemy import select

from hotline.adapters.db.models import User
from hotline.domain.errors import Forbidden
from hotline.services.accounts import users as accounts
from hotline.services.accounts.users import NewUser, create_user, disable_user, login
from hotline.services.context import Hotline
from tests.web.conftest import Api, assert_problem

PASSWORD = "s3cret-pass"
LOGIN_ROUTES = ("/api/v1/auth/login", "/api/v1/auth/session")


class CountingHasher(PasswordHasher):
    """The real argon2 hasher, remembering which stored hash each verification was against."""

    def __init__(self) -> None:
        super().__init__()
        self.verified: list[str] = []

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.verified.append(hash if isinstance(hash, str) else hash.decode())
        return super().verify(hash, password)


@pytest.fixture
def hasher(monkeypatch: pytest.MonkeyPatch) -> CountingHasher:
    counting = CountingHasher()
    monkeypatch.setattr(accounts, "_hasher", counting)
    return counting


def _make_user(hotline: Hotline, name: str = "wang") -> str:
    """A user with a password; returns its stored argon2 hash."""
    create_user(hotline, NewUser(name, "operator", password=PASSWORD), hotline.now())
    with hotline.db.transaction() as session:
        stored = session.scalars(select(User.password_hash).where(User.name == name)).one()
    assert stored is not None
    return stored


def _lock(hotline: Hotline, name: str) -> None:
    for _ in range(hotline.settings.login_max_failures):
        with pytest.raises(Forbidden):
            login(hotline, name, "wrong", hotline.now())


def _refused(hotline: Hotline, name: str, password: str) -> bool:
    try:
        login(hotline, name, password, hotline.now())
    except Forbidden:
        return True
    return False


def test_simultaneous_wrong_passwords_lock_the_account_at_exactly_the_threshold(
    hotline: Hotline, hasher: CountingHasher
) -> None:
    """Without a row lock every one of 40 concurrent guesses read the counter at 0, all 40 were
    checked against the real hash and the account never locked (PostgreSQL). On SQLite writers
    queue anyway; the test holds the same promise there."""
    stored = _make_user(hotline)
    attempts = 40
    barrier = threading.Barrier(attempts)

    def guess(_: int) -> bool:
        barrier.wait()
        return _refused(hotline, "wang", "wrong")

    with ThreadPoolExecutor(attempts) as pool:
        refusals = list(pool.map(guess, range(attempts)))

    assert all(refusals)
    assert hasher.verified.count(stored) == hotline.settings.login_max_failures
    assert len(hasher.verified) == attempts  # the rest verified a dummy hash: same cost
    assert _refused(hotline, "wang", PASSWORD), "the account must be locked now"


@pytest.fixture
def refusals(api: Api, hotline: Hotline) -> Iterator[dict[str, tuple[str, str]]]:
    """name and password for each way a login is refused."""
    _make_user(hotline, "wang")
    _make_user(hotline, "locked")
    _lock(hotline, "locked")
    _make_user(hotline, "gone")
    disable_user(hotline, "gone", hotline.now())
    yield {
        "unknown name": ("nobody", PASSWORD),
        "wrong password": ("wang", "wrong"),
        "locked account": ("locked", PASSWORD),
        "disabled account": ("gone", PASSWORD),
    }


@pytest.mark.parametrize("route", LOGIN_ROUTES)
def test_every_refusal_answers_with_one_message(
    api: Api, refusals: dict[str, tuple[str, str]], route: str
) -> None:
    details = set()
    for name, password in refusals.values():
        response = api.client.post(route, json={"name": name, "password": password})
        body = assert_problem(response, 401, "login_failed")
        details.add(body["detail"])
    assert details == {"用户名或密码错误，或账户暂时锁定"}


@pytest.mark.parametrize(
    "way", ["unknown name", "wrong password", "locked account", "disabled account"]
)
def test_every_refusal_costs_one_argon2_verification(
    hotline: Hotline, refusals: dict[str, tuple[str, str]], hasher: CountingHasher, way: str
) -> None:
    """Timing is judged by work done, not by a clock: a real account's wrong password cost one
    argon2 verification while an unknown name cost none (30–60× faster)."""
    name, password = refusals[way]
    assert _refused(hotline, name, password)
    assert len(hasher.verified) == 1


def test_a_right_password_costs_one_verification(hotline: Hotline, hasher: CountingHasher) -> None:
    stored = _make_user(hotline)
    assert not _refused(hotline, "wang", PASSWORD)
    assert hasher.verified == [stored]


# --- bodies: not read before authentication, and bounded ---------------------------------------


class RawCall:
    """One request straight into the ASGI app, recording how much of the body it read."""

    def __init__(self, app: FastAPI, chunks: list[bytes]) -> None:
        self.app, self.chunks = app, chunks
        self.read = 0
        self.messages: list[dict[str, Any]] = []

    async def _receive(self) -> dict[str, Any]:
        if self.read >= len(self.chunks):
            return {"type": "http.disconnect"}
        chunk = self.chunks[self.read]
        self.read += 1
        return {"type": "http.request", "body": chunk, "more_body": self.read < len(self.chunks)}

    async def _send(self, message: dict[str, Any]) -> None:
        self.messages.append(message)

    def run(self, method: str, path: str, headers: dict[str, str]) -> int:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
        }
        # A thread of its own: the browser tests' Playwright (sync API) may leave an event loop
        # running in this one, and asyncio.run refuses to start inside a running loop.
        call = self.app(scope, self._receive, self._send)  # type: ignore[arg-type]
        with ThreadPoolExecutor(max_workers=1) as runner:
            runner.submit(asyncio.run, call).result()
        status: int = self.messages[0]["status"]
        return status

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.messages[1:])


def _app(api: Api) -> FastAPI:
    app = api.client.app
    assert isinstance(app, FastAPI)
    return app


HUNDRED_MB = str(100 * 1024 * 1024)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/cases"),
        ("POST", "/api/v1/cases/20261124-000001/actions"),
        ("PUT", "/api/v1/standard-answers/1"),
        ("DELETE", "/api/v1/problems/1/cases/20261124-000001"),
    ],
)
def test_an_unsafe_request_without_credentials_is_refused_before_its_body_is_read(
    api: Api, method: str, path: str
) -> None:
    call = RawCall(_app(api), [b"{" + b" " * 1024] * 4)
    headers = {"content-type": "application/json", "content-length": HUNDRED_MB}
    assert call.run(method, path, headers) == 401
    assert call.read == 0
    assert b'"code":"unauthenticated"' in call.body


def test_paths_and_methods_without_an_endpoint_keep_their_404_and_405(api: Api) -> None:
    """No body is read for them either: the router answers from the path and method."""
    headers = {"content-type": "application/json", "content-length": "2"}
    nowhere = RawCall(_app(api), [b"{}"])
    assert nowhere.run("POST", "/api/v1/no-such-thing", headers) == 404
    wrong_method = RawCall(_app(api), [b"{}"])
    assert wrong_method.run("DELETE", "/api/v1/cases", headers) == 405
    assert nowhere.read == wrong_method.read == 0


def test_login_routes_are_open_without_credentials(api: Api, hotline: Hotline) -> None:
    _make_user(hotline)
    for route in LOGIN_ROUTES:
        response = api.client.post(route, json={"name": "wang", "password": PASSWORD})
        assert response.status_code == 200, response.text


def test_a_declared_oversize_json_body_is_413_before_it_is_read(api: Api) -> None:
    call = RawCall(_app(api), [b"{}"])
    headers = {
        "authorization": f"Bearer {api.token('op')}",
        "content-type": "application/json",
        "content-length": str(api.hotline.settings.json_body_max_bytes + 1),
    }
    assert call.run("POST", "/api/v1/cases", headers) == 413
    assert call.read == 0
    assert b'"code":"body_too_large"' in call.body


def test_a_streamed_body_is_cut_off_once_it_passes_the_limit(api: Api) -> None:
    chunk = b" " * (64 * 1024)
    limit = api.hotline.settings.json_body_max_bytes
    chunks = [chunk] * (limit // len(chunk) * 4)
    call = RawCall(_app(api), chunks)
    headers = {"authorization": f"Bearer {api.token('op')}", "content-type": "application/json"}
    assert call.run("POST", "/api/v1/cases", headers) == 413
    assert b'"code":"body_too_large"' in call.body
    assert call.read == limit // len(chunk) + 1  # stopped at the first chunk over the limit


def test_a_login_body_is_bounded_too(api: Api) -> None:
    call = RawCall(_app(api), [b"{}"])
    headers = {"content-type": "application/json", "content-length": HUNDRED_MB}
    assert call.run("POST", "/api/v1/auth/login", headers) == 413
    assert call.read == 0


def test_a_body_within_the_limit_still_works(api: Api) -> None:
    case = api.create()
    assert case["number"]
