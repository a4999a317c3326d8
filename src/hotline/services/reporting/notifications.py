"""The ``notify`` outbox job: turn a queued notification into a message and send it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from hotline.adapters.db.models import Unit
from hotline.adapters.notify.base import Message
from hotline.services.context import Hotline
from hotline.services.ledger.supervision import LEVEL_LABELS, Level


def _supervision_message(unit: Unit | None, payload: dict[str, Any]) -> Message:
    level = LEVEL_LABELS[Level(str(payload["level"]))]
    name = unit.name if unit else "承办单位"
    recipient = unit.phone if unit and unit.phone else f"unit:{payload.get('unit')}"
    return Message(
        channel="sms" if unit and unit.phone else "log",
        to=recipient,
        subject=f"【{level}】工单 {payload['case']}",
        body=f"{name}：工单 {payload['case']} 已被{level}，请尽快办理并回复。",
    )


def send_notification(hotline: Hotline, payload: dict[str, Any], _now: datetime) -> None:
    template = payload.get("template")
    if template != "supervision":
        raise ValueError(f"unknown notification template {template!r}")
    with hotline.db.transaction() as session:
        code = payload.get("unit")
        unit = session.scalars(select(Unit).where(Unit.code == code)).first() if code else None
        message = _supervision_message(unit, payload)
    hotline.notifier.send(message)
