"""Case numbers people can read over the phone: local date + daily sequence (20261125-000123)."""

from __future__ import annotations

import re
from datetime import date

DEFAULT_FORMAT = "{date:%Y%m%d}-{seq:06d}"
NUMBER_PATTERN = re.compile(r"^[0-9A-Za-z]{1,12}-?[0-9]{8}-[0-9]{4,8}$|^[0-9]{8}-[0-9]{6}$")


def format_case_number(local_day: date, seq: int, template: str = DEFAULT_FORMAT) -> str:
    """The number of the ``seq``-th case taken on ``local_day`` (``seq`` starts at 1)."""
    if seq < 1:
        raise ValueError("case sequence starts at 1")
    return template.format(date=local_day, seq=seq)


def looks_like_case_number(text: str) -> bool:
    """A cheap syntactic check so malformed numbers are refused before touching the database."""
    return bool(NUMBER_PATTERN.match(text))
