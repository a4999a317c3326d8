"""Intake per day, street and category (``case_intake_cells``), kept by the database itself.

Hotspot detection compares a street × category cell's recent complaints with its own 12 weeks
before. Read from the cases, that is a scan of every case of 13 weeks (1.6 M index entries at
10 M cases) whose speed depends on how recently VACUUM passed over the table; read from this
table it is one row per cell and day. The counts are live (non-void) cases by ``received_on``,
``street_code`` and ``category_code`` ('' where unknown), kept by triggers on ``cases``
(migration 0014) so that no write path — the services, Open311's single-statement create, a
bulk load — can miss them. A bulk load with triggers off calls ``rebuild_intake_cells``.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

REBUILD = (
    "DELETE FROM case_intake_cells",
    "INSERT INTO case_intake_cells (received_on, street_code, category_code, n) "
    "SELECT received_on, coalesce(street_code, ''), coalesce(category_code, ''), count(*) "
    "FROM cases WHERE status <> 'void' "
    "GROUP BY received_on, coalesce(street_code, ''), coalesce(category_code, '')",
)


def rebuild_intake_cells(session: Session) -> None:
    """Recount every cell from the cases (after a load that bypassed the triggers)."""
    for statement in REBUILD:
        session.execute(text(statement))
