"""Running Alembic migrations from code (``hotline db upgrade``), no alembic.ini needed."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from hotline.adapters.db.models import Base, compared_in_drift

SCRIPT_LOCATION = "hotline.adapters.db:migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def drift(engine: Engine) -> list[object]:
    """Differences between the models and the migrated schema; empty when they agree."""
    with engine.connect() as conn:
        opts = {"compare_type": True, "include_object": compared_in_drift(conn.dialect.name)}
        ctx = MigrationContext.configure(conn, opts=opts)
        return list(compare_metadata(ctx, Base.metadata))
