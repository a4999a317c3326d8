"""``upgrade_schema``: the service behind ``hotline db upgrade``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic.script import ScriptDirectory

from hotline.adapters.db.database import Database
from hotline.adapters.db.migrate import alembic_config
from hotline.bootstrap import build_calendar
from hotline.config import Settings
from hotline.services.context import Hotline
from hotline.services.schema import database_shown, upgrade_schema


def _hotline(url: str) -> Hotline:
    settings = Settings(database_url=url)
    return Hotline(settings, Database(url), build_calendar(settings), lambda: datetime.now(UTC))


def test_an_empty_database_ends_at_the_newest_revision_and_again_is_a_no_op(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    hotline = _hotline(url)
    try:
        assert upgrade_schema(hotline) == head
        assert upgrade_schema(hotline) == head
    finally:
        hotline.db.dispose()


def test_the_shown_url_hides_the_password() -> None:
    hotline = _hotline("postgresql+psycopg://hotline:s3cret@db.example:5432/hotline")
    shown = database_shown(hotline)
    assert "s3cret" not in shown
    assert shown.startswith("postgresql+psycopg://hotline:***@db.example:5432/hotline")
