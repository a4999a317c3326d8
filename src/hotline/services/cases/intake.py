"""Intake (登记): validate, number, store, write the first history event, queue enrichment."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.adapters.db.models import Category, Channel
from hotline.adapters.db.new_case import NewCaseRows, insert_new_case
from hotline.domain.calendar import as_local
from hotline.domain.errors import InvalidInput
from hotline.domain.lifecycle import Status
from hotline.domain.numbering import format_case_number
from hotline.domain.roles import Actor, Permission, require
from hotline.services.cases.history import first_event_values, next_event_values
from hotline.services.cases.idempotency import KeyClaim
from hotline.services.context import Hotline
from hotline.services.outbox import job_values

MAX_CONTENT = 4000
URGENCIES = ("normal", "urgent", "emergency")
COORD_SYSTEMS = ("wgs84", "gcj02")
PHONE = re.compile(r"^[0-9+\-() ]{3,20}$")


@dataclass
class NewCase:
    channel: str
    content: str
    title: str | None = None
    address: str | None = None
    lon: float | None = None
    lat: float | None = None
    coord_system: str | None = None
    category_code: str | None = None
    urgency: str = "normal"
    caller_name: str | None = None
    caller_phone: str | None = None
    anonymous: bool = False
    confidential: bool = False
    district_code: str | None = None
    media_outlet: str | None = None
    media_link: str | None = None
    media_published_at: datetime | None = None


@dataclass(frozen=True)
class IntakeEvent:
    """A further history event written with the new case, at its creation and in its
    transaction, the status unchanged: an Open311 filing's media_url (services/open311)."""

    action: str
    actor: str
    details: dict[str, Any]


def _check_text(data: NewCase) -> None:
    if not data.content or not data.content.strip():
        raise InvalidInput("诉求内容不能为空", fields=("content",))
    if len(data.content) > MAX_CONTENT:
        raise InvalidInput(f"诉求内容不能超过 {MAX_CONTENT} 字", fields=("content",))
    if data.title is not None and len(data.title) > 200:
        raise InvalidInput("标题不能超过 200 字", fields=("title",))
    if data.urgency not in URGENCIES:
        raise InvalidInput(f"紧急程度须为 {'/'.join(URGENCIES)}", fields=("urgency",))
    if data.caller_phone and not PHONE.match(data.caller_phone):
        raise InvalidInput("来电号码格式有误", fields=("caller_phone",))


def _check_location(data: NewCase) -> None:
    if (data.lon is None) != (data.lat is None):
        raise InvalidInput("经度和纬度须同时提供", fields=("lon", "lat"))
    if data.lon is not None and data.lat is not None:
        if not (-180 <= data.lon <= 180):
            raise InvalidInput("经度超出范围", fields=("lon",))
        if not (-90 <= data.lat <= 90):
            raise InvalidInput("纬度超出范围", fields=("lat",))
    if data.coord_system is not None and data.coord_system not in COORD_SYSTEMS:
        raise InvalidInput("坐标系须为 wgs84 或 gcj02", fields=("coord_system",))


@dataclass(frozen=True)
class ActiveCodes:
    """The active channel and category codes, from this process's reference cache."""

    channels: frozenset[str]
    categories: frozenset[str]


def _read_active_codes(session: Session) -> ActiveCodes:
    return ActiveCodes(
        frozenset(session.scalars(select(Channel.code).where(Channel.active.is_(True)))),
        frozenset(session.scalars(select(Category.code).where(Category.active.is_(True)))),
    )


def active_codes(hotline: Hotline) -> ActiveCodes:
    """Reused per process like the routing context (services/reference/cache.py): an edit made
    here shows at once, another process's deactivation within ``reference_cache_seconds``."""

    def build() -> ActiveCodes:
        with hotline.db.transaction() as session:
            return _read_active_codes(session)

    codes = hotline.reference.get("intake_codes", build)
    assert isinstance(codes, ActiveCodes)
    return codes


def _refuse_unknown(session: Session, data: NewCase) -> None:
    """The database's word on codes the cache does not hold as active (new, inactive, unknown)."""
    channel = session.get(Channel, data.channel)
    if channel is None or not channel.active:
        raise InvalidInput(f"未知的来源渠道「{data.channel}」", fields=("channel",))
    if data.category_code is not None:
        category = session.get(Category, data.category_code)
        if category is None or not category.active:
            raise InvalidInput(f"未知的类别代码「{data.category_code}」", fields=("category_code",))


def _check_references(hotline: Hotline, data: NewCase) -> None:
    codes = active_codes(hotline)
    if data.channel in codes.channels and (
        data.category_code is None or data.category_code in codes.categories
    ):
        return
    with hotline.db.transaction() as session:
        _refuse_unknown(session, data)


def validate_new_case(hotline: Hotline, data: NewCase) -> None:
    """Everything checked before a number is taken, so that refused input leaves no gap."""
    _check_text(data)
    _check_location(data)
    _check_references(hotline, data)


def _case_values(
    hotline: Hotline, data: NewCase, actor: Actor, now: datetime, received_on: date, seq: int
) -> dict[str, Any]:
    """The new case's columns (a plain INSERT: no ORM object to build, flush and reload; the
    other columns take their defaults)."""
    anonymous = data.anonymous or not (data.caller_name or data.caller_phone)
    return {
        "number": format_case_number(received_on, seq, hotline.profile.case_number_format),
        "status": Status.RECEIVED.value,
        "version": 1,  # as the ORM's version counter starts
        "channel_code": data.channel,
        "title": data.title,
        "content": data.content.strip(),
        "address": data.address,
        "lon": data.lon,
        "lat": data.lat,
        "coord_system": data.coord_system or ("wgs84" if data.lon is not None else None),
        "category_code": data.category_code,
        "urgency": data.urgency,
        "caller_name": data.caller_name,
        "caller_phone": data.caller_phone,
        "anonymous": anonymous,
        "confidential": data.confidential,
        # A district desk's intake is its district's until located otherwise; without this the
        # district-scoped creator could not read back the case it just created.
        "district_code": data.district_code or actor.district_code,
        "media_outlet": data.media_outlet,
        "media_link": data.media_link,
        "media_published_at": (
            as_local(data.media_published_at, hotline.settings.tz)
            if data.media_published_at
            else None
        ),
        "received_on": received_on,
        "created_at": now,
        "updated_at": now,
        "created_by": actor.name,
    }


def _rows(
    hotline: Hotline,
    data: NewCase,
    actor: Actor,
    now: datetime,
    received_on: date,
    key: KeyClaim | None,
    also: Sequence[IntakeEvent],
) -> Callable[[int], NewCaseRows]:
    def rows_for(seq: int) -> NewCaseRows:
        case = _case_values(hotline, data, actor, now, received_on, seq)
        event = first_event_values(
            case["number"],
            action="receive",
            actor=actor.name,
            at=now,
            to_status=Status.RECEIVED.value,
            details={"channel": data.channel, "has_contact": bool(data.caller_phone)},
        )
        job = job_values("enrich", {"number": case["number"]}, now)
        key_row = key.row(case["number"]) if key else None
        return NewCaseRows(case, event, job, key_row, _following(case["number"], event, also, now))

    return rows_for


def _following(
    number: str, first: dict[str, Any], also: Sequence[IntakeEvent], now: datetime
) -> tuple[dict[str, Any], ...]:
    """``also`` as event rows, each sealed onto the one before, the first onto ``first``."""
    events: list[dict[str, Any]] = []
    status = Status.RECEIVED.value
    for item in also:
        previous = events[-1] if events else first
        row = next_event_values(
            number, previous, action=item.action, actor=item.actor, at=now, status=status,
            details=item.details,
        )  # fmt: skip
        events.append(row)
    return tuple(events)


def create_case(
    hotline: Hotline,
    data: NewCase,
    actor: Actor,
    now: datetime,
    key: KeyClaim | None = None,
    *,
    also: Sequence[IntakeEvent] = (),
) -> str:
    """Take a complaint; returns the new case number.

    Checked first, against the reference cache, so refused input takes no number; then numbered
    and stored at once (adapters/db/new_case.py): the case, its first history event
    (``receive``) and the ``enrich`` job (payload: ``case_id``, ``number``), atomically. On
    PostgreSQL the number is taken in a statement of its own just before, so concurrent creates
    do not queue on the counter; a create that fails after that leaves a gap
    (docs/decisions/0011-case-numbers-outside-the-create.md). With ``key`` (a client's
    Idempotency-Key, services/cases/idempotency.py) the key's row goes in with them, and so do
    the events ``also`` names, after ``receive``.
    """
    require(actor.role, Permission.CREATE_CASE)
    validate_new_case(hotline, data)
    received_on = now.astimezone(hotline.settings.tz).date()
    _case_id, rows = insert_new_case(
        hotline.db, received_on, _rows(hotline, data, actor, now, received_on, key, also)
    )
    number: str = rows.case["number"]
    return number


def new_case_values(
    hotline: Hotline, data: NewCase, actor: Actor, now: datetime, seq: int
) -> dict[str, Any]:
    """The columns :func:`create_case` stores for ``data``, numbered ``seq`` of its local day,
    for a writer that stores cases itself (the bulk sink, services/actions/bulk_sink.py)."""
    received_on = now.astimezone(hotline.settings.tz).date()
    return _case_values(hotline, data, actor, now, received_on, seq)
