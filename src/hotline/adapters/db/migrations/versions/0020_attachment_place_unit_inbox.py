"""attachments: where and when a photo was taken; a unit's live-inbox indexes

Handlers reply from the street with photos (issue 19): an attachment keeps the phone's position
(WGS-84 longitude and latitude, the accuracy radius in metres), the capture time the phone gives
and the camera's EXIF time when the file carries one, so that a 现场处置 reply can be held to an
"after" photo taken on the spot (docs/decisions/0027-onsite-evidence.md). All nullable: older
attachments and documents have none.

`GET /api/v1/me/counters` is polled every 30 s by every handler's page: partial indexes on the
assignments a unit still has to act on (pending, accepted) and on the supervisions still open
against a unit, each by time, keep it to a few hundred index entries per unit.

Revision ID: 0020
Revises: 0021
Create Date: 2026-12-08 01:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hotline.adapters.db.types

revision = "0020"
down_revision = "0021"
branch_labels = None
depends_on = None

ACTIVE = "status IN ('pending', 'accepted')"
OPEN = "status = 'open'"


def upgrade() -> None:
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        for name in ("longitude", "latitude", "accuracy_m"):
            batch_op.add_column(sa.Column(name, sa.Float(), nullable=True))
        for name in ("captured_at", "exif_taken_at"):
            batch_op.add_column(
                sa.Column(name, hotline.adapters.db.types.UTCDateTime(timezone=True), nullable=True)
            )
    op.create_index(
        "ix_case_assignments_unit_active",
        "case_assignments",
        ["unit_id", "dispatched_at"],
        postgresql_where=sa.text(ACTIVE),
        sqlite_where=sa.text(ACTIVE),
    )
    op.create_index(
        "ix_supervisions_unit_open",
        "supervisions",
        ["target_unit_id", "created_at"],
        postgresql_where=sa.text(OPEN),
        sqlite_where=sa.text(OPEN),
    )


def downgrade() -> None:
    op.drop_index("ix_supervisions_unit_open", table_name="supervisions")
    op.drop_index("ix_case_assignments_unit_active", table_name="case_assignments")
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        for name in ("exif_taken_at", "captured_at", "accuracy_m", "latitude", "longitude"):
            batch_op.drop_column(name)
