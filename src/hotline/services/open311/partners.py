"""Partner platforms and their API keys.

A partner is a user with role ``partner``; its api_keys are that user's API tokens (hashed, with
expiry and revocation, see services.accounts), so no table of its own is needed. The two
partner settings the tables have no column for (the channel its cases are filed under and the
exemption from rate limits) live in a small JSON registry under ``var_dir``, written by
``hotline apikey`` and read when a key is checked. A later migration may move them into a table;
the registry's shape is that table's rows.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.adapters.db.models import ApiToken, Channel, User
from hotline.domain.errors import Conflict, InvalidInput, NotFound
from hotline.domain.roles import Actor, Role
from hotline.services.accounts.users import NewUser, authenticate_token, create_user, issue_token
from hotline.services.context import Hotline
from hotline.services.open311.settings import Open311Settings

PARTNER_TITLE = "合作平台"  # a partner's title when none was given


@dataclass(frozen=True)
class PartnerConfig:
    channel: str | None = None  # None: Open311Settings.default_channel
    exempt_from_rate_limit: bool = False


@dataclass(frozen=True)
class Partner:
    """An authenticated partner: who files, under which channel, whether limits apply."""

    actor: Actor
    channel: str
    exempt_from_rate_limit: bool

    @property
    def name(self) -> str:
        return self.actor.name


def registry_path(hotline: Hotline, cfg: Open311Settings) -> Path:
    return cfg.partners_file or hotline.settings.var_dir / "open311_partners.json"


def read_registry(path: Path) -> dict[str, PartnerConfig]:
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8") or "{}")
    return {name: PartnerConfig(**entry) for name, entry in data.items()}


def _write_registry(path: Path, registry: dict[str, PartnerConfig]) -> None:
    """Write a new file and rename it over the old one, so a reader never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {name: asdict(config) for name, config in sorted(registry.items())}
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".open311_partners.")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        json.dump(document, file, ensure_ascii=False, indent=2)
    os.replace(temporary, path)


def authenticate_partner(
    hotline: Hotline, cfg: Open311Settings, api_key: str, now: datetime
) -> Partner | None:
    """The partner behind an api_key; None for an unknown, expired, revoked or staff key."""
    actor = authenticate_token(hotline, api_key, now)
    if actor is None or actor.role is not Role.PARTNER:
        return None
    config = read_registry(registry_path(hotline, cfg)).get(actor.name, PartnerConfig())
    return Partner(actor, config.channel or cfg.default_channel, config.exempt_from_rate_limit)


def _check_channel(session: Session, code: str) -> None:
    channel = session.get(Channel, code)
    if channel is None or not channel.active:
        raise InvalidInput(f"未知的来源渠道「{code}」", fields=("channel",))


def _partner_user(session: Session, name: str) -> User | None:
    user = session.scalars(select(User).where(User.name == name)).first()
    if user is not None and user.role != Role.PARTNER.value:
        raise Conflict(f"用户「{name}」不是合作平台（角色 {user.role}）", fields=("name",))
    return user


def create_key(
    hotline: Hotline,
    cfg: Open311Settings,
    name: str,
    now: datetime,
    *,
    exempt_from_rate_limit: bool = False,
    channel: str | None = None,
    title: str | None = None,
) -> str:
    """A new api_key for partner ``name`` (created on first use); the key is shown only here.

    ``title`` is the partner's name in Chinese (市民网站, 济南城管App …), what a case's history
    shows for its filings and updates; ``name`` stays the login people never read. A partner
    created without one is titled 合作平台, so no Latin login reaches a page."""
    with hotline.db.transaction() as session:
        if channel is not None:
            _check_channel(session, channel)
        user = _partner_user(session, name)
        if user is not None and user.disabled:
            raise Conflict(f"合作平台「{name}」已停用", fields=("name",))
        key = issue_token(session, user, now, hotline.settings.token_days) if user else None
        if user is not None and title:
            user.display_name = title
    if key is None:
        partner = NewUser(name=name, role=Role.PARTNER.value, display_name=title or PARTNER_TITLE)
        key = create_user(hotline, partner, now)
    path = registry_path(hotline, cfg)
    registry = read_registry(path)
    registry[name] = PartnerConfig(channel=channel, exempt_from_rate_limit=exempt_from_rate_limit)
    _write_registry(path, registry)
    return key


def _key_summary(tokens: list[ApiToken], now: datetime) -> dict[str, Any]:
    live = [t for t in tokens if not t.revoked and t.expires_at > now]
    return {
        "keys_active": len(live),
        "keys_total": len(tokens),
        "newest_key_at": max((t.created_at for t in tokens), default=None),
        "expires_at": max((t.expires_at for t in live), default=None),
    }


def list_partners(hotline: Hotline, cfg: Open311Settings, now: datetime) -> list[dict[str, Any]]:
    registry = read_registry(registry_path(hotline, cfg))
    with hotline.db.transaction() as session:
        users = session.scalars(
            select(User).where(User.role == Role.PARTNER.value).order_by(User.name)
        ).all()
        rows = []
        for user in users:
            tokens = list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)))
            config = registry.get(user.name, PartnerConfig())
            rows.append(
                {
                    "partner": user.name,
                    "title": user.display_name,
                    "disabled": user.disabled,
                    "channel": config.channel or cfg.default_channel,
                    "exempt_from_rate_limit": config.exempt_from_rate_limit,
                    **_key_summary(tokens, now),
                }
            )
        return rows


def revoke_keys(hotline: Hotline, name: str) -> int:
    """Revoke every api_key of a partner; returns how many were still live."""
    with hotline.db.transaction() as session:
        user = _partner_user(session, name)
        if user is None:
            raise NotFound(f"未找到合作平台「{name}」")
        revoked = 0
        for token in session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)):
            revoked += not token.revoked
            token.revoked = True
        return revoked
