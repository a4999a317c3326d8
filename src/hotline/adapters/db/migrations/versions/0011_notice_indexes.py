"""indexes for the notices at city scale

At 10,000,000 cases on PostgreSQL the daily notice took 18 s and the monthly report 11 s; most
of it was sequential scans: cases closed in a window (no index on ``closed_at``), callbacks and
supervisions in a window (no index on their times), the hotspots' 13 weeks of cases read row by
row, and answers by time found among every event of the window. Each index below serves one of
those reads (the hotspots' and the answers' index-only).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 07:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

ANSWERS = "action IN ('reply', 'answer_directly')"


def upgrade() -> None:
    op.create_index("ix_cases_closed_at", "cases", ["closed_at"])
    op.create_index(
        "ix_cases_received_street_category",
        "cases",
        ["received_on", "street_code", "category_code", "status"],
    )
    op.create_index(
        "ix_case_events_answer_at",
        "case_events",
        ["at", "action", "case_id"],
        postgresql_where=sa.text(ANSWERS),
        sqlite_where=sa.text(ANSWERS),
    )
    op.create_index("ix_case_callbacks_at", "case_callbacks", ["at"])
    op.create_index("ix_supervisions_due_at", "supervisions", ["due_at"])


def downgrade() -> None:
    op.drop_index("ix_supervisions_due_at", table_name="supervisions")
    op.drop_index("ix_case_callbacks_at", table_name="case_callbacks")
    op.drop_index("ix_case_events_answer_at", table_name="case_events")
    op.drop_index("ix_cases_received_street_category", table_name="cases")
    op.drop_index("ix_cases_closed_at", table_name="cases")
