"""Users, roles, API tokens (stored as sha256) and passwords (argon2) with login lockout."""

from __future__ import annotations

import hashlib
import secrets
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hotline.adapters.db.models import ApiToken, BrowserSession, Region, User
from hotline.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from hotline.domain.roles import Actor, Role
from hotline.services.context import Hotline
from hotline.services.reference.units import unit_by_code

_hasher = PasswordHasher()
TOKEN_PREFIX = "hl_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NewUser:
    name: str
    role: str
    unit_code: str | None = None
    district_code: str | None = None
    display_name: str | None = None
    password: str | None = None


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError as exc:
        allowed = ", ".join(role.value for role in Role)
        raise InvalidInput(f"未知角色「{value}」，可选：{allowed}", fields=("role",)) from exc


def _check_user(session: Session, data: NewUser, role: Role) -> None:
    if not data.name or len(data.name) > 64 or not data.name.isprintable():
        raise InvalidInput("用户名须为 1–64 个可打印字符", fields=("name",))
    if session.scalars(select(User).where(User.name == data.name)).first() is not None:
        raise Conflict(f"用户「{data.name}」已存在", fields=("name",))
    if role is Role.HANDLER and not data.unit_code:
        raise InvalidInput("承办人必须指定所属单位（--unit）", fields=("unit",))
    if data.district_code and session.get(Region, data.district_code) is None:
        raise InvalidInput(f"未知的区县代码「{data.district_code}」", fields=("district",))


def issue_token(session: Session, user: User, now: datetime, days: int) -> str:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            user_id=user.id,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    )
    return token


def create_user(hotline: Hotline, data: NewUser, now: datetime) -> str:
    """Create a user and return its first API token (shown once, stored only as a hash)."""
    role = _role(data.role)
    with hotline.db.transaction() as session:
        _check_user(session, data, role)
        unit = unit_by_code(session, data.unit_code, "unit") if data.unit_code else None
        user = User(
            name=data.name,
            display_name=data.display_name,
            role=role.value,
            unit_id=unit.id if unit else None,
            region_code=data.district_code,
            password_hash=_hasher.hash(data.password) if data.password else None,
            disabled=False,
            failed_logins=0,
            created_at=now,
        )
        session.add(user)
        session.flush()
        return issue_token(session, user, now, hotline.settings.token_days)


def _user_by_name(session: Session, name: str) -> User:
    user = session.scalars(select(User).where(User.name == name)).first()
    if user is None:
        raise NotFound(f"未找到用户「{name}」")
    return user


def disable_user(hotline: Hotline, name: str, now: datetime) -> None:
    """Disable a user: its API tokens are revoked and its browser sessions end at ``now``."""
    with hotline.db.transaction() as session:
        user = _user_by_name(session, name)
        user.disabled = True
        for token in session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)):
            token.revoked = True
        session.execute(
            update(BrowserSession)
            .where(BrowserSession.user_id == user.id, BrowserSession.revoked_at.is_(None))
            .values(revoked_at=now)
            .execution_options(synchronize_session=False)
        )


def new_token(hotline: Hotline, name: str, now: datetime) -> str:
    with hotline.db.transaction() as session:
        user = _user_by_name(session, name)
        if user.disabled:
            raise Forbidden(f"用户「{name}」已停用")
        return issue_token(session, user, now, hotline.settings.token_days)


def actor_of(user: User) -> Actor:
    return Actor(
        name=user.name, role=Role(user.role), unit_id=user.unit_id, district_code=user.region_code
    )


def authenticate_token(hotline: Hotline, token: str, now: datetime) -> Actor | None:
    """The actor behind a Bearer token, or None when unknown, expired, revoked or disabled."""
    with hotline.db.transaction() as session:
        row = session.scalars(
            select(ApiToken).where(ApiToken.token_hash == hash_token(token))
        ).first()
        if row is None or row.revoked or row.expires_at <= now:
            return None
        user = session.get(User, row.user_id)
        if user is None or user.disabled:
            return None
        return actor_of(user)


LOGIN_REFUSED = "用户名或密码错误，或账户暂时锁定"


def login(hotline: Hotline, name: str, password: str, now: datetime) -> Actor:
    """Check a password; after ``login_max_failures`` failures the account locks for a while.

    Every refusal says the same (unknown name, wrong password, locked, disabled) and costs one
    argon2 verification, so neither the message nor the time tells which names exist. The user
    row is locked while its password is checked, so concurrent guesses queue and exactly
    ``login_max_failures`` of them are checked before the lock. The failure count must survive
    the refusal, so the transaction commits first and the refusal is raised after it.
    """
    with hotline.db.transaction() as session:
        user = _user_for_login(session, name)
        checkable = user is not None and _may_try(user, now)
        actor = _check_password(hotline, user, password, now) if user and checkable else None
    if not checkable:
        _verify_dummy(password)  # outside the transaction: no row or lock to hold meanwhile
    if actor is None:
        raise Forbidden(LOGIN_REFUSED)
    return actor


def _user_for_login(session: Session, name: str) -> User | None:
    """The user row, locked until commit (FOR NO KEY UPDATE: rows that merely reference the user,
    like new tokens and sessions, are not blocked). SQLite's BEGIN IMMEDIATE already serialises."""
    query = select(User).where(User.name == name).with_for_update(key_share=True)
    return session.scalars(query).first()


def _may_try(user: User, now: datetime) -> bool:
    locked = user.locked_until_at is not None and user.locked_until_at > now
    return not (user.disabled or user.password_hash is None or locked)


def _check_password(hotline: Hotline, user: User, password: str, now: datetime) -> Actor | None:
    assert user.password_hash is not None
    settings = hotline.settings
    try:
        _hasher.verify(user.password_hash, password)
    except VerificationError:
        user.failed_logins += 1
        if user.failed_logins >= settings.login_max_failures:
            user.locked_until_at = now + timedelta(minutes=settings.login_lockout_minutes)
            user.failed_logins = 0
        return None
    user.failed_logins = 0
    user.locked_until_at = None
    return actor_of(user)


@cache
def _dummy_hash() -> str:
    """A hash with the hasher's own parameters, made once per process, that no password fits."""
    return _hasher.hash(secrets.token_urlsafe(32))


def _verify_dummy(password: str) -> None:
    """The same argon2 work as a real check, for names that cannot log in."""
    with suppress(VerificationError):
        _hasher.verify(_dummy_hash(), password)
