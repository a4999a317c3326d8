"""The daily case-number sequence, bumped with one atomic upsert on either database."""

from __future__ import annotations

from datetime import date
from typing import cast

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hotline.adapters.db.models import CaseNumberCounter


def next_daily_seq(session: Session, day_on: date) -> int:
    """Reserve the next sequence number of ``day_on`` (1, 2, …) inside the caller's transaction.

    ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` takes the row lock on PostgreSQL, so concurrent
    creates queue on the counter row rather than racing; SQLite's BEGIN IMMEDIATE serialises them.
    """
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    table = cast(Table, CaseNumberCounter.__table__)
    stmt = (
        insert(table)
        .values(day_on=day_on, last_seq=1)
        .on_conflict_do_update(
            index_elements=[table.c.day_on], set_={"last_seq": table.c.last_seq + 1}
        )
        .returning(table.c.last_seq)
    )
    return int(session.execute(stmt).scalar_one())
