"""The checks on a command's content that the handlers make after the guard: required texts and
reasons, lengths, and times without an offset read as local time."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from hotline.domain.calendar import as_local
from hotline.domain.errors import InvalidInput


def text(value: str | None, name: str, *, max_length: int = 4000) -> str | None:
    """The trimmed text, or None when it is absent or blank."""
    if value is None or not value.strip():
        return None
    if len(value) > max_length:
        raise InvalidInput(f"字段「{name}」不能超过 {max_length} 字", fields=(name,))
    return value.strip()


def required_text(value: str | None, name: str, *, max_length: int = 4000) -> str:
    found = text(value, name, max_length=max_length)
    if found is None:
        raise InvalidInput(f"缺少必填字段「{name}」", fields=(name,))
    return found


def required_reason(reason: str | None) -> str:
    if not reason or not reason.strip():
        raise InvalidInput("该操作必须填写原因", fields=("reason",))
    return reason.strip()


def utc_moment(moment: datetime, tz: tzinfo) -> datetime:
    """A time from a command in UTC; one without an offset is local time in ``tz``."""
    return as_local(moment, tz).astimezone(UTC)
