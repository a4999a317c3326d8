"""Intake (登记): validate, number, store, write the first history event, queue enrichment."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from hotline.adapters.db.counters import next_daily_seq
from hotline.adapters.db.models import Case, Category, Channel
from hotline.domain.errors import InvalidInput
from hotline.domain.history import GENESIS
from hotline.domain.lifecycle import Status
from hotline.domain.numbering import format_case_number
from hotline.domain.roles import Actor, Permission, require
from hotline.services.context import Hotline
from hotline.services.history import append_event
from hotline.services.outbox import enqueue

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


def _check_references(session: Session, data: NewCase) -> None:
    channel = session.get(Channel, data.channel)
    if channel is None or not channel.active:
        raise InvalidInput(f"未知的来源渠道「{data.channel}」", fields=("channel",))
    if data.category_code is not None:
        category = session.get(Category, data.category_code)
        if category is None or not category.active:
            raise InvalidInput(f"未知的类别代码「{data.category_code}」", fields=("category_code",))


def validate_new_case(session: Session, data: NewCase) -> None:
    _check_text(data)
    _check_location(data)
    _check_references(session, data)


def _new_case_row(
    hotline: Hotline, session: Session, data: NewCase, actor: Actor, now: datetime
) -> Case:
    received_on = now.astimezone(hotline.settings.tz).date()
    number = format_case_number(
        received_on, next_daily_seq(session, received_on), hotline.profile.case_number_format
    )
    anonymous = data.anonymous or not (data.caller_name or data.caller_phone)
    return Case(
        number=number,
        status=Status.RECEIVED.value,
        channel_code=data.channel,
        title=data.title,
        content=data.content.strip(),
        address=data.address,
        lon=data.lon,
        lat=data.lat,
        coord_system=data.coord_system or ("wgs84" if data.lon is not None else None),
        category_code=data.category_code,
        urgency=data.urgency,
        caller_name=data.caller_name,
        caller_phone=data.caller_phone,
        anonymous=anonymous,
        confidential=data.confidential,
        # A district desk's intake is its district's until located otherwise; without this the
        # district-scoped creator could not read back the case it just created.
        district_code=data.district_code or actor.district_code,
        media_outlet=data.media_outlet,
        media_link=data.media_link,
        media_published_at=data.media_published_at,
        received_on=received_on,
        created_at=now,
        updated_at=now,
        created_by=actor.name,
    )


def create_case(hotline: Hotline, data: NewCase, actor: Actor, now: datetime) -> str:
    """Take a complaint: one transaction; returns the new case number."""
    require(actor.role, Permission.CREATE_CASE)
    with hotline.db.transaction() as session:
        validate_new_case(session, data)
        case = _new_case_row(hotline, session, data, actor, now)
        session.add(case)
        session.flush()
        append_event(
            session,
            case,
            action="receive",
            actor=actor.name,
            at=now,
            from_status=None,
            to_status=Status.RECEIVED.value,
            details={"channel": data.channel, "has_contact": bool(data.caller_phone)},
            last=(0, GENESIS),  # a new case has no history: no lookup while the number is held
        )
        enqueue(session, "enrich", {"case_id": case.id, "number": case.number}, now)
        return case.number
