"""Migrations build the schema from empty, and the models and migrations agree."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


def _postgresql_scalar(settings: Settings, sql: str) -> Any:
    """One value read on PostgreSQL through the application's own connections; None on
    SQLite (which has neither JIT nor autovacuum)."""
    db = Database(settings.database_url)
    try:
        with db.transaction() as session:
            return session.execute(text(sql)).scalar() if db.dialect == "postgresql" else None
    finally:
        db.dispose()


def test_postgresql_connections_run_without_jit(settings: Settings) -> None:
    """Decision 0012: JIT compilation cost seconds per report query at 10 M cases."""
    jit = _postgresql_scalar(settings, "SHOW jit")
    assert jit in (None, "off")


def test_busy_tables_are_vacuumed_after_one_percent_changes(settings: Settings) -> None:
    """Decision 0013: the notices' index-only reads need recent pages marked all-visible."""
    options = _postgresql_scalar(
        settings, "SELECT reloptions FROM pg_class WHERE relname = 'cases'"
    )
    if options is not None:
        assert "autovacuum_vacuum_scale_factor=0.01" in options
        assert "autovacuum_vacuum_insert_scale_factor=0.01" in options
