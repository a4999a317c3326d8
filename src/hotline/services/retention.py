"""Anonymising callers N years after closing (PIPL: keep personal data no longer than needed)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, update

from hotline.adapters.db.models import Case
from hotline.domain.errors import InvalidInput
from hotline.domain.privacy import ANONYMISED
from hotline.services.context import Hotline


def anonymise_closed_cases(hotline: Hotline, now: datetime, years: int | None = None) -> int:
    """Blank caller name and phone of cases closed before ``now - years``; returns how many."""
    years = hotline.settings.retention_years if years is None else years
    if years < 0:
        raise InvalidInput("保留年限不能为负数", fields=("years",))
    cutoff = now - timedelta(days=365 * years + years // 4)
    with hotline.db.transaction() as session:
        result = cast(
            CursorResult[Any],
            session.execute(
                update(Case)
                .where(
                    Case.closed_at.is_not(None),
                    Case.closed_at < cutoff,
                    Case.anonymised_at.is_(None),
                )
                .values(
                    caller_name=ANONYMISED,
                    caller_phone=None,
                    anonymised_at=now,
                    version=Case.version + 1,
                )
                .execution_options(synchronize_session=False)
            ),
        )
        return int(result.rowcount or 0)
