"""Idempotency-Key for creating cases: a client's retry never makes a second case.

A key belongs to one user. Its row is written by the create itself, in the case's own
transaction (adapters/db/new_case.py), holding the new case's number: there is no moment when a
case exists without its key or a key without its case, so a client whose first request died
anywhere — before the commit (no case: the retry creates it) or after (the retry gets that case)
— never gets a second case. A retry is answered from the case as it is now (rebuilt from its
number), not from a copy of the first answer.

Two requests with one key at once both find no row and both create; the key's uniqueness lets
one commit and undoes the other entirely, which then answers with the winner's case.

Keys live ``Settings.idempotency_hours``; an expired key is purged and may be used afresh. Rows
``in_flight`` come from versions that claimed a key before creating; they are honoured until they
time out.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
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
CREATED = 201
# A request in flight longer than this died with its process (a create takes milliseconds).
IN_FLIGHT_TIMEOUT = timedelta(minutes=5)


class RequestInFlight(Conflict):
    """An earlier version's request with this key has not finished yet (HTTP 409)."""

    code = "idempotency_key_in_flight"
    title = "相同幂等键的请求正在处理中"


class KeyReusedWithOtherRequest(InvalidInput):
    """The key was used before with a different request body (HTTP 422)."""

    code = "idempotency_key_reused"
    title = "幂等键已用于另一个请求"


@dataclass(frozen=True)
class KeyClaim:
    """A key not used yet: the create stores :meth:`row` with its case, in one transaction."""

    user_id: int
    key: str
    request_hash: str
    created_at: datetime
    expires_at: datetime

    def row(self, number: str) -> dict[str, Any]:
        """The key's row for the case ``number`` (idempotency_keys columns)."""
        return {
            "user_id": self.user_id,
            "key": self.key,
            "request_hash": self.request_hash,
            "status": DONE,
            "response_status": CREATED,
            "response_body": json.dumps({"number": number}),
            "created_at": self.created_at,
            "expires_at": self.expires_at,
        }


@dataclass(frozen=True)
class Created:
    """What a create with a key came to: the case's number, and whether it was made earlier."""

    number: str
    replayed: bool


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


def _stored_number(row: IdempotencyKey, request_hash: str) -> str:
    """The case made with this key (the body holds its number, whole answer or not)."""
    if row.request_hash != request_hash:
        raise KeyReusedWithOtherRequest(
            "该 Idempotency-Key 已用于内容不同的请求；新请求请使用新的键",
            fields=("Idempotency-Key",),
        )
    if row.status != DONE or row.response_body is None:
        raise RequestInFlight("相同 Idempotency-Key 的请求尚未完成，请稍后重试")
    return str(json.loads(row.response_body)["number"])


def look_up(
    hotline: Hotline, user_name: str, key: str, request_hash: str, now: datetime
) -> str | KeyClaim:
    """The number of the case already created with ``key``, or a claim to create it with.

    Raises :class:`KeyReusedWithOtherRequest` when the body differs from the first one.
    """
    check_key(key)
    with hotline.db.transaction() as session:
        session.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at <= now))
        user_id = _user_id(session, user_name)
        row = _existing(session, user_id, key)
        if row is not None and _is_stale(row, now):
            session.delete(row)
            row = None
        if row is not None:
            return _stored_number(row, request_hash)
    expires_at = now + timedelta(hours=hotline.settings.idempotency_hours)
    return KeyClaim(user_id, key, request_hash, now, expires_at)


def create_once(
    hotline: Hotline,
    user_name: str,
    key: str,
    request_hash: str,
    now: datetime,
    create: Callable[[KeyClaim], str],
) -> Created:
    """Run ``create`` (which stores the claim's row with its case) at most once per key."""
    found = look_up(hotline, user_name, key, request_hash, now)
    if isinstance(found, str):
        return Created(found, replayed=True)
    try:
        return Created(create(found), replayed=False)
    except IntegrityError:
        # A concurrent request with the same key committed first, and this create was undone
        # whole: its case is the answer. Any other integrity error stays what it was.
        again = look_up(hotline, user_name, key, request_hash, now)
        if isinstance(again, str):
            return Created(again, replayed=True)
        raise


def purge_expired_keys(hotline: Hotline, now: datetime) -> int:
    """Delete every expired key; returns how many (also done on each new request)."""
    with hotline.db.transaction() as session:
        expired = session.scalars(
            select(IdempotencyKey.id).where(IdempotencyKey.expires_at <= now)
        ).all()
        if expired:
            session.execute(delete(IdempotencyKey).where(IdempotencyKey.id.in_(expired)))
        return len(expired)
