"""partial indexes for the deadline sweep: only the lines it may still raise; the plain ones go

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 02:40:00

Each index holds the cases whose warning line or deadline the sweep has not raised yet, in a state
where that stage's clock runs (models.SWEEP_INDEXES; the predicates are frozen here as text), on
(line, id), the claim's order. The sweep's claim query carries the same terms, so a batch reads
the few cases it will raise instead of walking every open case. The plain indexes on the four
line columns served only the sweep; they go, because the planner (misjudging how many cases
match) rated them as cheap as the partial ones while they read every open case (2.8 s per claim
on 1,000,000 open cases). Building the new ones on 1,000,000 open cases: see docs/benchmarks.md
(deadline sweep).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ACCEPT = "status IN ('dispatched') AND accept_late IS NULL"
REPLY = "status IN ('dispatched', 'accepted')"
INDEXES = (
    ("ix_cases_sweep_accept_warning", "accept_warn_at", f"accept_warned_at IS NULL AND {ACCEPT}"),
    ("ix_cases_sweep_accept_breach", "accept_due_at", f"accept_breached_at IS NULL AND {ACCEPT}"),
    ("ix_cases_sweep_reply_warning", "reply_warn_at", f"reply_warned_at IS NULL AND {REPLY}"),
    ("ix_cases_sweep_reply_breach", "reply_due_at", f"reply_breached_at IS NULL AND {REPLY}"),
)


PLAIN = ("accept_due_at", "reply_due_at", "accept_warn_at", "reply_warn_at")


def upgrade() -> None:
    for column in PLAIN:
        op.drop_index(f"ix_cases_{column}", table_name="cases")
    for name, column, where in INDEXES:
        op.create_index(
            name,
            "cases",
            [column, "id"],
            unique=False,
            postgresql_where=sa.text(where),
            sqlite_where=sa.text(where),
        )
    if op.get_bind().dialect.name == "postgresql":
        # The planner needs statistics that know the new indexes' predicates.
        op.execute("ANALYZE cases")


def downgrade() -> None:
    for name, _, _ in INDEXES:
        op.drop_index(name, table_name="cases")
    for column in PLAIN:
        op.create_index(f"ix_cases_{column}", "cases", [column], unique=False)
