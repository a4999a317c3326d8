"""indexes for "overdue at the notice's moment"

At 10,000,000 cases on PostgreSQL the daily notice spent 0.5–0.9 s finding the cases past their
reply deadline and not answered at its moment: the waiting cases came from the status index
(every case in a waiting status, 220,000 rows, fetched to test the deadline) and the cases
answered since from the reply events after the moment, joined to their cases. The first index
holds only waiting cases, ordered by deadline, so the overdue ones are one range; the second
orders cases by their latest reply. Both carry what the test reads (``INCLUDE`` on PostgreSQL),
so neither reads the table.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26 08:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# frozen here: models.PENDING_REPLY as it was at this revision
WAITING = "status IN ('received', 'registered', 'dispatched', 'accepted', 'returned')"
REPLIED = "replied_at IS NOT NULL"


def upgrade() -> None:
    op.create_index(
        "ix_cases_pending_reply_due",
        "cases",
        ["reply_due_at"],
        postgresql_include=["id", "district_code", "confidential", "replied_at"],
        postgresql_where=sa.text(WAITING),
        sqlite_where=sa.text(WAITING),
    )
    op.create_index(
        "ix_cases_replied_at",
        "cases",
        ["replied_at"],
        postgresql_include=["id", "reply_due_at", "status", "district_code", "confidential"],
        postgresql_where=sa.text(REPLIED),
        sqlite_where=sa.text(REPLIED),
    )


def downgrade() -> None:
    op.drop_index("ix_cases_replied_at", table_name="cases")
    op.drop_index("ix_cases_pending_reply_due", table_name="cases")
