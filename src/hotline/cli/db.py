"""``hotline db upgrade`` and ``hotline seed``: both idempotent."""

from __future__ import annotations

from typing import Annotated

import typer

from hotline.adapters.db.migrate import current_revision, upgrade
from hotline.bootstrap import build_hotline
from hotline.cli.output import emit_json, emit_value, log
from hotline.config import Settings
from hotline.services.seeding import seed_reference_data

db_app = typer.Typer(help="数据库迁移", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(json_output: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Migrate the configured database to the newest schema."""
    settings = Settings()
    url = settings.resolved_database_url
    log(f"迁移数据库 {_safe(url)} …")
    upgrade(url)
    revision = current_revision(build_hotline(settings).db.engine)
    if json_output:
        emit_json({"database": _safe(url), "revision": revision})
    else:
        emit_value(revision)


def _safe(url: str) -> str:
    """The URL without a password, for logs."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def seed_command(json_output: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Load the city profile's channels, regions, units and taxonomy (idempotent)."""
    hotline = build_hotline()
    report = seed_reference_data(hotline)
    summary = {"city": hotline.profile.name, **report.__dict__}
    if json_output:
        emit_json(summary)
    else:
        log(
            f"已载入 {hotline.profile.name}：渠道 {report.channels}，区划 {report.regions}，"
            f"单位 {report.units}，类别 {report.categories}"
        )
