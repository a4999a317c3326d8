"""Dates and times in request bodies, bounded to the supported span (2000-01-01 … 2099-12-31).

Every date and time a command carries uses these types, so one rule refuses year 1 or 9999 as a
422 naming the field — before such a value reaches a service, where converting it to UTC, adding
working days to it or storing it overflowed into a 500. The bound is on the value as sent (its
own calendar day, whatever its offset); inside the span every offset converts safely. A time
without an offset stays naive here: it is local time in the configured zone, applied by the
services, which know the settings.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, TypeVar

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from hotline.domain.indicators import FIRST_DAY, LAST_DAY

OUT_OF_SPAN = "date_out_of_span"
Moment = TypeVar("Moment", date, datetime)


def _within_span(value: Moment) -> Moment:
    day = value.date() if isinstance(value, datetime) else value
    if not FIRST_DAY <= day <= LAST_DAY:
        raise PydanticCustomError(
            OUT_OF_SPAN,
            "须在 {first} 至 {last} 之间",
            {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
        )
    return value


BoundedDateTime = Annotated[datetime, AfterValidator(_within_span)]
BoundedDate = Annotated[date, AfterValidator(_within_span)]
