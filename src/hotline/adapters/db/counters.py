"""The daily case-number sequence: one row per local day, bumped with one atomic statement.

Two ways to take a number (docs/decisions/0011-case-numbers-outside-the-create.md):

* :func:`next_daily_seq`, inside the caller's transaction: the counter row stays locked until
  that transaction ends, so concurrent callers queue on it, and the numbering has no gaps. SQLite
  intake uses it (BEGIN IMMEDIATE serialises writers anyway).
* :func:`reserve_daily_seq`, PostgreSQL, in a statement of its own on an autocommit connection,
  committed without waiting for the disk: the row is locked for that statement only. A create
  that fails after taking its number leaves a gap.
"""

from __future__ import annotations

from datetime import date
from typing import cast

from sqlalchemy import Connection, Date, Table, bindparam, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hotline.adapters.db.models import CaseNumberCounter

# The upsert with ``synchronous_commit`` off for its own transaction only: ``set_config(…, true)``
# is transaction-local and still in force when the statement's implicit transaction commits.
# Losing such a commit in a crash is harmless: a case that carries the number commits
# synchronously afterwards, and flushing that commit writes the WAL up to and past the counter's
# record; a number no stored case carries may then be handed out again.
_RESERVE = text(
    "INSERT INTO case_number_counters AS counter (day_on, last_seq) "
    "SELECT :day_on, 1 FROM (SELECT set_config('synchronous_commit', 'off', true)) AS async "
    "ON CONFLICT (day_on) DO UPDATE SET last_seq = counter.last_seq + 1 "
    "RETURNING counter.last_seq"
).bindparams(bindparam("day_on", type_=Date))


def next_daily_seq(session: Session, day_on: date) -> int:
    """Reserve the next sequence number of ``day_on`` (1, 2, …) inside the caller's transaction.

    ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` takes the row lock on PostgreSQL, so concurrent
    callers queue on the counter row until the caller commits; SQLite's BEGIN IMMEDIATE
    serialises them.
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


def reserve_daily_seq(connection: Connection, day_on: date) -> int:
    """PostgreSQL, ``connection`` in autocommit: the next number of ``day_on``, committed at
    once (without waiting for the disk)."""
    return int(connection.execute(_RESERVE, {"day_on": day_on}).scalar_one())
