"""Migrations build the schema from empty, and the models and migrations agree."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from hotline.adapters.db.database import Database
from hotline.adapters.db.migrate import alembic_config, current_revision, drift, upgrade
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


def _revision_module(revision: str) -> Any:
    """The module of ``revision`` on the chain from head, or None when it is not on it."""
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    found = [r for r in scripts.walk_revisions() if r.revision == revision]
    return found[0].module if found else None


def test_busy_tables_are_vacuumed_after_one_percent_changes(settings: Settings) -> None:
    """Decision 0013: the notices' index-only reads need recent pages marked all-visible. On
    either database the migration must be on the chain; on PostgreSQL every busy table must
    carry the settings (a missing migration leaves reloptions NULL, which must fail too)."""
    migration = _revision_module("0013")
    assert migration is not None, "migration 0013 (autovacuum on the busy tables) is missing"
    assert {"cases", "case_events", "indicator_facts"} <= set(migration.HOT_TABLES)
    assert migration.SETTINGS["autovacuum_vacuum_scale_factor"] == "0.01"
    assert migration.SETTINGS["autovacuum_vacuum_insert_scale_factor"] == "0.01"
    db = Database(settings.database_url)
    try:
        if db.dialect != "postgresql":
            return  # SQLite has no autovacuum: the chain check above is what applies
        with db.transaction() as session:
            rows = session.execute(
                text("SELECT relname, reloptions FROM pg_class WHERE relname = ANY(:names)"),
                {"names": list(migration.HOT_TABLES)},
            ).all()
    finally:
        db.dispose()
    options = {name: set(opts or ()) for name, opts in rows}
    assert set(options) == set(migration.HOT_TABLES)
    for table, table_options in options.items():
        for name, value in migration.SETTINGS.items():
            assert f"{name}={value}" in table_options, (table, name)
