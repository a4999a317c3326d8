"""case list: one covering index of the open cases

The workbench's lists count what they show (exactly up to 10,000). On 1,000,000 cases with
30,000 open, counting "a district's overdue cases" or "my unit's open cases" read every open
case's row from the table to test its deadlines, district and lead unit (docs/benchmarks.md).
This index holds the open cases by (status, id) with those columns included, so that a count
reads it alone (an index-only scan, a few MB) and a unit's open cases are probed against its
assignments straight from it. SQLite, without INCLUDE, gets the (status, id) part.

On PostgreSQL the search terms' statistics target goes up to 500: the planner keeps the
frequencies of the 5,000 most common character pairs instead of 1,000, so that a common
two-character term (井盖: 31,750 of 1,000,000 cases) is estimated as such (it was 5,014, the
guess for a rare pair), and the list trusts the estimate instead of counting 10,001 matches.
ANALYZE of the cases then samples 150,000 rows instead of 30,000.

Revision ID: 0019
Revises: 0020
Create Date: 2026-12-08 01:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0020"
branch_labels = None
depends_on = None

# frozen here: models.OPEN_CASE_STATUSES as it was at this revision
OPEN = (
    "status IN ('received', 'registered', 'dispatched', 'accepted', 'returned', 'replied', "
    "'verifying', 'callback_pending')"
)
INCLUDED = [
    "district_code",
    "lead_unit_id",
    "accept_due_at",
    "accept_warn_at",
    "accept_late",
    "reply_due_at",
    "reply_warn_at",
    "replied_at",
]


STATISTICS = 500


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE cases ALTER COLUMN search_terms SET STATISTICS {STATISTICS}")
    op.create_index(
        "ix_cases_open_list",
        "cases",
        ["status", "id"],
        postgresql_where=sa.text(OPEN),
        postgresql_include=INCLUDED,
        sqlite_where=sa.text(OPEN),
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE cases ALTER COLUMN search_terms SET STATISTICS -1")
    op.drop_index("ix_cases_open_list", table_name="cases")
