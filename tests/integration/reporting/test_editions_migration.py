"""Migration 0021 on a database that already holds editions and their deliveries: SQLite must
copy report_editions to change its unique key while deliveries reference it (foreign keys on),
and the rows survive with their ids; the key then lets a district's cut sit beside the city
edition, and the downgrade takes the cuts away again."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from hotline.adapters.db.migrate import alembic_config, upgrade

EDITION = (
    "INSERT INTO report_editions (kind, period_key, format, content, size, sha256, produced_at"
    "{extra}) VALUES ('daily', '2026-11-25', 'html', x'00', 1, 'a', '2026-11-25 10:00:00'{value})"
)
DELIVERY = (
    "INSERT INTO report_deliveries (edition_id, attachment_id, recipient, district_code, status,"
    " attempts, created_at) VALUES (1, 1, 'lixia@jncgj.example', '370102', 'sent', 1,"
    " '2026-11-25 10:00:00')"
)


def test_editions_and_deliveries_survive_the_new_key(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'editions.sqlite3'}"
    upgrade(url, "0018")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(EDITION.format(extra="", value="")))
        conn.execute(text(DELIVERY))
    upgrade(url, "0021")
    cut = EDITION.format(extra=", district_code", value=", '370102'")
    with engine.begin() as conn:
        assert conn.execute(text("SELECT id, district_code FROM report_editions")).all() == [
            (1, "")
        ]
        assert conn.execute(text("SELECT id, edition_id FROM report_deliveries")).all() == [(1, 1)]
        conn.execute(text(cut))  # the district's cut beside the city edition
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text(cut))  # but each scope once
    command.downgrade(alembic_config(url), "0018")
    with engine.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM report_editions")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM report_deliveries")).scalar() == 1
    engine.dispose()
