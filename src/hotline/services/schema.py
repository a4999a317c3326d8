"""The database schema's version: migrating to the newest (``hotline db upgrade``).

Alembic and SQLAlchemy stay behind this service so that the command line reaches the database
only through services (docs/architecture.md, "Layers").
"""

from __future__ import annotations

from sqlalchemy.engine import make_url

from hotline.adapters.db.migrate import current_revision, upgrade
from hotline.services.context import Hotline


def upgrade_schema(hotline: Hotline) -> str | None:
    """Migrate the configured database to the newest revision (idempotent); the revision it is
    at afterwards."""
    upgrade(hotline.settings.resolved_database_url)
    return current_revision(hotline.db.engine)


def database_shown(hotline: Hotline) -> str:
    """The configured database's URL with its password hidden, for logs and answers."""
    url = make_url(hotline.settings.resolved_database_url)
    return url.render_as_string(hide_password=True)
