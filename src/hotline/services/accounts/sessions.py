"""Browser sessions of the web workbench: opened with a password, ended by logout, by idle time,
by age, or by the user being disabled (docs/decisions/0017-browser-sessions-and-csrf.md).

The browser holds a random session id in an HttpOnly cookie; the table holds only its sha256,
like API tokens. The CSRF token is derived from the session id by HMAC, so it is bound to the
session, needs no storage and can be shown again after a page reload. Expiry is judged against
the app's clock (``now`` passed in).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from hotline.adapters.db.models import BrowserSession, Region, Unit, User
from hotline.domain.errors import Forbidden
from hotline.domain.roles import ROLE_TABLE, Actor, Role
from hotline.services.accounts.users import LOGIN_REFUSED, actor_of, hash_token, login
from hotline.services.context import Hotline

LAST_SEEN_EVERY = timedelta(minutes=1)  # activity is written at most this often per session
CSRF_CONTEXT = b"hotline/csrf/v1"

ROLE_LABELS: dict[Role, str] = {
    Role.OPERATOR: "话务员",
    Role.DISPATCHER: "派遣员/值班长",
    Role.HANDLER: "承办人",
    Role.INSPECTOR: "核查员/监督员",
    Role.SUPERVISOR: "督办员",
    Role.LEADER: "领导",
    Role.ADMIN: "系统管理员",
    Role.PARTNER: "合作平台",
}


class EndReason(StrEnum):
    EXPIRED = "session_expired"  # idle timeout or absolute lifetime reached
    INVALID = "session_invalid"  # logged out, revoked, unknown, or the user is disabled


class SessionEnded(Exception):
    """The cookie names no live session; ``reason`` says why, in a stable code."""

    def __init__(self, reason: EndReason) -> None:
        super().__init__(reason.value)
        self.reason = reason

    @property
    def detail(self) -> str:
        if self.reason is EndReason.EXPIRED:
            return "会话已过期（长时间未操作或超过最长时限），请重新登录"
        return "会话无效或已注销，请重新登录"


@dataclass(frozen=True)
class SessionView:
    """Who is logged in, what the role may do, and when the session ends."""

    actor: Actor
    display_name: str | None
    role_label: str
    unit: str | None
    unit_name: str | None
    district: str | None
    district_name: str | None
    permissions: tuple[str, ...]
    idle_expires_at: datetime
    expires_at: datetime
    csrf_token: str


def csrf_token_for(session_id: str) -> str:
    """The synchronizer token of a session: HMAC-SHA256 keyed by the session id itself.

    The session id is a 256-bit secret the page's script cannot read (HttpOnly), so the token
    cannot be forged without it, and knowing the token reveals nothing about the id.
    """
    digest = hmac.new(session_id.encode("utf-8"), CSRF_CONTEXT, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def csrf_token_matches(session_id: str, presented: str | None) -> bool:
    if not presented:
        return False
    return hmac.compare_digest(csrf_token_for(session_id), presented)


def open_session(
    hotline: Hotline, name: str, password: str, now: datetime, replacing: str | None = None
) -> tuple[str, SessionView]:
    """Check the password (lockout and all, as :func:`login`) and open a session.

    Returns the new session id (for the cookie, never stored) and the session as shown. A
    session the browser still held (``replacing``) is ended: a login never adopts an old id.
    """
    login(hotline, name, password, now)  # commits its own failure count
    session_id = secrets.token_urlsafe(32)
    with hotline.db.transaction() as session:
        user = session.scalars(select(User).where(User.name == name)).one()
        if user.disabled:  # disabled between the password check and here
            raise Forbidden(LOGIN_REFUSED)
        if replacing:
            _revoke(session, replacing, now)
        _forget_ended_sessions(session, hotline, user.id, now)
        row = BrowserSession(
            user_id=user.id,
            session_hash=hash_token(session_id),
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=hotline.settings.session_hours),
        )
        session.add(row)
        return session_id, _view(session, hotline, row, user, session_id)


def session_actor(
    hotline: Hotline, session_id: str, now: datetime, *, activity: bool = True
) -> Actor:
    """The actor of a live session (its activity recorded); :class:`SessionEnded` otherwise.
    ``activity=False`` for a page's background poll (the live inbox): it must not keep an
    unattended browser logged in past the idle timeout."""
    with hotline.db.transaction() as session:
        _row, user = _live(session, hotline, session_id, now, activity=activity)
        return actor_of(user)


def describe_session(hotline: Hotline, session_id: str, now: datetime) -> SessionView:
    """The live session as the workbench shows it; :class:`SessionEnded` otherwise."""
    with hotline.db.transaction() as session:
        row, user = _live(session, hotline, session_id, now)
        return _view(session, hotline, row, user, session_id)


def end_session(hotline: Hotline, session_id: str, now: datetime) -> None:
    """Log out: the session ends at once (nothing happens if it had already ended)."""
    with hotline.db.transaction() as session:
        _revoke(session, session_id, now)


def _live(
    session: Session, hotline: Hotline, session_id: str, now: datetime, *, activity: bool = True
) -> tuple[BrowserSession, User]:
    found = session.execute(
        select(BrowserSession, User)
        .join(User, User.id == BrowserSession.user_id)
        .where(BrowserSession.session_hash == hash_token(session_id))
    ).first()
    if found is None:
        raise SessionEnded(EndReason.INVALID)
    row, user = found
    if row.revoked_at is not None or user.disabled:
        raise SessionEnded(EndReason.INVALID)
    if now >= _idle_expiry(hotline, row):
        raise SessionEnded(EndReason.EXPIRED)
    if activity:
        _record_activity(session, row, now)
    return row, user


def _idle_expiry(hotline: Hotline, row: BrowserSession) -> datetime:
    idle = timedelta(minutes=hotline.settings.session_idle_minutes)
    return min(row.last_seen_at + idle, row.expires_at)


def _record_activity(session: Session, row: BrowserSession, now: datetime) -> None:
    """Move last-seen on, at most once a minute: most requests then write nothing. The guard
    in the WHERE clause keeps concurrent requests of one session from writing twice."""
    if now - row.last_seen_at < LAST_SEEN_EVERY:
        return
    session.execute(
        update(BrowserSession)
        .where(BrowserSession.id == row.id, BrowserSession.last_seen_at <= now - LAST_SEEN_EVERY)
        .values(last_seen_at=now)
        .execution_options(synchronize_session=False)
    )
    row.last_seen_at = now


def _revoke(session: Session, session_id: str, now: datetime) -> None:
    session.execute(
        update(BrowserSession)
        .where(
            BrowserSession.session_hash == hash_token(session_id),
            BrowserSession.revoked_at.is_(None),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )


def _forget_ended_sessions(session: Session, hotline: Hotline, user_id: int, now: datetime) -> None:
    """Delete a user's ended sessions when it logs in, so the table holds about one row per
    live session instead of one per login ever made."""
    idle = timedelta(minutes=hotline.settings.session_idle_minutes)
    session.execute(
        delete(BrowserSession)
        .where(
            BrowserSession.user_id == user_id,
            or_(
                BrowserSession.revoked_at.is_not(None),
                BrowserSession.expires_at <= now,
                BrowserSession.last_seen_at <= now - idle,
            ),
        )
        .execution_options(synchronize_session=False)
    )


def _view(
    session: Session, hotline: Hotline, row: BrowserSession, user: User, session_id: str
) -> SessionView:
    actor = actor_of(user)
    unit = session.get(Unit, user.unit_id) if user.unit_id is not None else None
    region = session.get(Region, user.region_code) if user.region_code else None
    return SessionView(
        actor=actor,
        display_name=user.display_name,
        role_label=ROLE_LABELS.get(actor.role, actor.role.value),
        unit=unit.code if unit else None,
        unit_name=unit.name if unit else None,
        district=user.region_code,
        district_name=region.name if region else None,
        permissions=tuple(sorted(what.value for what in ROLE_TABLE[actor.role])),
        idle_expires_at=_idle_expiry(hotline, row),
        expires_at=row.expires_at,
        csrf_token=csrf_token_for(session_id),
    )
