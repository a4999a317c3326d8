"""Idempotency-Key for creating cases: a client's retry never makes a second case.

A key belongs to one user. :func:`begin_request` records the key as *in flight* in its own,
immediately committed transaction, so a concurrent second request with the same key sees it (or
collides with it on the unique constraint) and is refused with :class:`RequestInFlight`. When the
create succeeds, :func:`finish_request` stores the response, which later retries get back as it
was; when it fails, :func:`abandon_request` deletes the row so that a retry can proceed.
Keys live ``Settings.idempotency_hours``; an expired key is purged and may be used afresh.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.adapters.db.models import IdempotencyKey, User
from hotline.domain.errors import Conflict, InvalidInput, NotFound
from hotline.services.context import Hotline

MAX_KEY_LENGTH = 255
IN_FLIGHT = "in_flight"
DONE = "done"
# A request in flight longer than this died with its process (a create takes milliseconds);
# its key is then free again rather than blocked for a whole day.
IN_FLIGHT_TIMEOUT = timedelta(minutes=5)


class RequestInFlight(Conflict):
    """The first request with this key has not finished yet (HTTP 409)."""

    code = "idempotency_key_in_flight"
    title = "相同幂等键的请求正在处理中"


class KeyReusedWithOtherRequest(InvalidInput):
    """The key was used before with a different request body (HTTP 422)."""

    code = "idempotency_key_reused"
    title = "幂等键已用于另一个请求"


@dataclass(frozen=True)
class StoredResponse:
    """What the first request answered, returned as it was to every retry."""

    status: int
    body: str


def fingerprint(document: Any) -> str:
    """A stable hash of a request body, independent of key order and whitespace."""
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check_key(key: str) -> None:
    if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise InvalidInput(
            f"Idempotency-Key 须为 1–{MAX_KEY_LENGTH} 个可打印 ASCII 字符",
            fields=("Idempotency-Key",),
        )


def _user_id(session: Session, user_name: str) -> int:
    user_id = session.scalars(select(User.id).where(User.name == user_name)).first()
    if user_id is None:
        raise NotFound(f"未找到用户「{user_name}」")
    return user_id


def _existing(session: Session, user_id: int, key: str) -> IdempotencyKey | None:
    stmt = select(IdempotencyKey).where(
        IdempotencyKey.user_id == user_id, IdempotencyKey.key == key
    )
    return session.scalars(stmt).first()


def _is_stale(row: IdempotencyKey, now: datetime) -> bool:
    abandoned = row.status == IN_FLIGHT and row.created_at + IN_FLIGHT_TIMEOUT <= now
    return row.expires_at <= now or abandoned


def _answer_existing(row: IdempotencyKey, request_hash: str) -> StoredResponse:
    if row.request_hash != request_hash:
        raise KeyReusedWithOtherRequest(
            "该 Idempotency-Key 已用于内容不同的请求；新请求请使用新的键",
            fields=("Idempotency-Key",),
        )
    if row.status != DONE or row.response_status is None or row.response_body is None:
        raise RequestInFlight("相同 Idempotency-Key 的请求尚未完成，请稍后重试")
    return StoredResponse(row.response_status, row.response_body)


def _claim(
    hotline: Hotline, user_name: str, key: str, request_hash: str, now: datetime
) -> StoredResponse | None:
    with hotline.db.transaction() as session:
        session.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at <= now))
        user_id = _user_id(session, user_name)
        row = _existing(session, user_id, key)
        if row is not None and _is_stale(row, now):
            session.delete(row)
            session.flush()
            row = None
        if row is not None:
            return _answer_existing(row, request_hash)
        session.add(
            IdempotencyKey(
                user_id=user_id,
                key=key,
                request_hash=request_hash,
                status=IN_FLIGHT,
                created_at=now,
                expires_at=now + timedelta(hours=hotline.settings.idempotency_hours),
            )
        )
        return None


def begin_request(
    hotline: Hotline, user_name: str, key: str, request_hash: str, now: datetime
) -> StoredResponse | None:
    """Claim ``key`` for a new request (None), or return the stored response of a finished one.

    Raises :class:`RequestInFlight` while the first request runs and
    :class:`KeyReusedWithOtherRequest` when the body differs from the first one.
    """
    check_key(key)
    try:
        return _claim(hotline, user_name, key, request_hash, now)
    except IntegrityError:
        # PostgreSQL: a concurrent request inserted the same key first and committed; what it
        # holds now decides the answer (normally: still in flight).
        return _claim(hotline, user_name, key, request_hash, now)


def finish_request(hotline: Hotline, user_name: str, key: str, response: StoredResponse) -> None:
    """Store the response of the request that claimed ``key``."""
    with hotline.db.transaction() as session:
        row = _existing(session, _user_id(session, user_name), key)
        if row is not None:
            row.status = DONE
            row.response_status = response.status
            row.response_body = response.body


def abandon_request(hotline: Hotline, user_name: str, key: str) -> None:
    """Forget a claimed key whose request failed, so that a retry runs afresh."""
    with hotline.db.transaction() as session:
        user_id = _user_id(session, user_name)
        session.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.user_id == user_id,
                IdempotencyKey.key == key,
                IdempotencyKey.status == IN_FLIGHT,
            )
        )


def purge_expired_keys(hotline: Hotline, now: datetime) -> int:
    """Delete every expired key; returns how many (also done on each new request)."""
    with hotline.db.transaction() as session:
        expired = session.scalars(
            select(IdempotencyKey.id).where(IdempotencyKey.expires_at <= now)
        ).all()
        if expired:
            session.execute(delete(IdempotencyKey).where(IdempotencyKey.id.in_(expired)))
        return len(expired)
