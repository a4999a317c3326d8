"""Reading Open311 arguments: query strings and form-encoded bodies, UTF-8, strictly.

The spec's rule for optional arguments: an empty parameter means the same as an absent one, so
empty values are dropped before anything else looks at them. A parameter may be declared several
times and, where the spec says so, hold a comma-separated list.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, time, tzinfo
from urllib.parse import parse_qsl

from hotline.entrypoints.open311.errors import Open311Error

FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
_W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# "+08:00" sent unencoded in a query string arrives as " 08:00": put the plus sign back.
_LOST_PLUS = re.compile(r" (\d{2}:\d{2})$")
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,100})\](?:\[\])?$")


def parse_pairs(raw: str, max_fields: int) -> list[tuple[str, str]]:
    """Name/value pairs of an urlencoded string; bad UTF-8 or too many fields is a 400."""
    try:
        pairs = parse_qsl(
            raw,
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=max_fields,
        )
    except ValueError as exc:  # UnicodeDecodeError is a ValueError too
        raise Open311Error(400, f"malformed parameters: {exc}") from exc
    # PostgreSQL can neither store nor compare a NUL (SQLite would keep it): refused by name
    carrying = [name for name, value in pairs if "\x00" in name or "\x00" in value]
    if carrying:
        names = ", ".join(dict.fromkeys(n.replace("\x00", "\\0") for n in carrying))
        raise Open311Error(400, f"{names} must not contain a NUL character（不能包含 NUL 字符）")
    return pairs


def decode_form(body: bytes, content_type: str | None, max_fields: int) -> list[tuple[str, str]]:
    media, _, options = (content_type or FORM_MEDIA_TYPE).partition(";")
    if media.strip().lower() != FORM_MEDIA_TYPE:
        raise Open311Error(400, f"POST bodies must be {FORM_MEDIA_TYPE}; charset=utf-8")
    charset = re.search(r"charset\s*=\s*\"?([\w-]+)", options, re.IGNORECASE)
    if charset and charset.group(1).lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise Open311Error(400, "only UTF-8 is accepted（请使用 UTF-8 编码）")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Open311Error(400, "the body is not valid UTF-8") from exc
    return parse_pairs(text, max_fields)


class Params:
    """Arguments by name; empty values are absent, as the spec asks."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._values: dict[str, list[str]] = {}
        for name, value in pairs:
            if value.strip():
                self._values.setdefault(name, []).append(value)

    def text(self, name: str) -> str | None:
        values = self._values.get(name)
        return values[0] if values else None

    def listed(self, name: str) -> tuple[str, ...]:
        """Every declaration, each split at commas; blanks dropped, order kept, no repeats."""
        items = [item.strip() for value in self._values.get(name, []) for item in value.split(",")]
        return tuple(dict.fromkeys(item for item in items if item))

    def integer(self, name: str) -> int | None:
        value = self.text(name)
        if value is None:
            return None
        if not re.fullmatch(r"\s*-?\d{1,9}\s*", value):
            raise Open311Error(400, f"{name} must be an integer")
        return int(value)

    def number(self, name: str) -> float | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            number = float(value)
        except ValueError as exc:
            raise Open311Error(400, f"{name} must be a number") from exc
        if not math.isfinite(number):
            raise Open311Error(400, f"{name} must be a finite number")
        return number

    def boolean(self, name: str) -> bool:
        value = (self.text(name) or "false").strip().lower()
        if value not in ("true", "false"):
            raise Open311Error(400, f"{name} must be true or false")
        return value == "true"

    def moment(self, name: str, tz: tzinfo) -> datetime | None:
        value = self.text(name)
        return None if value is None else parse_w3c(name, value.strip(), tz)

    def attributes(self) -> dict[str, tuple[str, ...]]:
        """attribute[CODE]=v and attribute[CODE][]=v1&attribute[CODE][]=v2 → CODE: values."""
        found: dict[str, list[str]] = {}
        for name, values in self._values.items():
            match = _ATTRIBUTE.match(name)
            if match:
                found.setdefault(match.group(1), []).extend(values)
        return {code: tuple(values) for code, values in found.items()}


def parse_w3c(name: str, value: str, tz: tzinfo) -> datetime:
    """A W3C date-time with its time zone (the spec requires one); a bare date is local
    midnight, as the W3C note allows dates without a time."""
    value = _LOST_PLUS.sub(r"+\1", value)
    if _DATE.match(value):
        try:
            return datetime.combine(datetime.fromisoformat(value).date(), time(), tz)
        except ValueError as exc:
            raise Open311Error(400, f"{name}: no such date") from exc
    if not _W3C.match(value):
        raise Open311Error(
            400, f"{name} must be a W3C date-time with a time zone, e.g. 2010-01-01T00:00:00Z"
        )
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise Open311Error(400, f"{name}: no such date-time") from exc
