"""Migrations build the schema from empty, and the models and migrations agree."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text

from hotline.adapters.db.database import Database
from hotline.adapters.db.migrate import current_revision, drift, upgrade
from hotline.adapters.db.models import Base
from hotline.config import Settings


def test_the_migrated_schema_matches_the_models(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    try:
        assert drift(db.engine) == []
        assert current_revision(db.engine) is not None
        assert set(Base.metadata.tables) <= set(inspect(db.engine).get_table_names())
    finally:
        db.dispose()


def test_upgrade_from_empty_and_again_is_idempotent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    upgrade(url)
    upgrade(url)
    db = Database(url)
    try:
        assert drift(db.engine) == []
    finally:
        db.dispose()


def test_postgresql_connections_run_without_jit(settings: Settings) -> None:
    """Decision 0012: JIT compilation cost seconds per report query at 10 M cases."""
    db = Database(settings.database_url)
    try:
        with db.transaction() as session:
            if db.dialect != "postgresql":
                return  # SQLite has no JIT
            assert session.execute(text("SHOW jit")).scalar() == "off"
    finally:
        db.dispose()


def test_busy_tables_are_vacuumed_after_one_percent_changes(settings: Settings) -> None:
    """Decision 0013: the notices' index-only reads need recent pages marked all-visible."""
    db = Database(settings.database_url)
    try:
        with db.transaction() as session:
            if db.dialect != "postgresql":
                return  # no autovacuum on SQLite
            options = session.execute(
                text("SELECT reloptions FROM pg_class WHERE relname = 'cases'")
            ).scalar()
            assert "autovacuum_vacuum_scale_factor=0.01" in options
            assert "autovacuum_vacuum_insert_scale_factor=0.01" in options
    finally:
        db.dispose()
