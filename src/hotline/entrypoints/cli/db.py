"""``hotline db upgrade`` and ``hotline seed``: both idempotent."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from hotline.bootstrap import build_hotline
from hotline.entrypoints.cli.groups import command_group
from hotline.entrypoints.cli.output import JsonOpt, emit_json, emit_value, log

if TYPE_CHECKING:
    from hotline.services.context import Hotline

db_app = command_group()


@db_app.command("upgrade")
def db_upgrade(json_output: JsonOpt = False) -> None:
    """Migrate the configured database to the newest schema."""
    from hotline.services.schema import database_shown, upgrade_schema

    hotline = build_hotline()
    log(f"迁移数据库 {database_shown(hotline)} …")
    revision = upgrade_schema(hotline)
    if json_output:
        emit_json({"database": database_shown(hotline), "revision": revision})
    else:
        emit_value(revision)


def seed_command(
    json_output: JsonOpt = False,
    demo_users: Annotated[
        bool, typer.Option("--demo-users", help="另建各岗位的演示账户（密码相同，仅供本机试用）")
    ] = False,
) -> None:
    """Load the city profile's channels, regions, units and taxonomy (idempotent)."""
    from hotline.services.reference.seeding import seed_reference_data

    hotline = build_hotline()
    if demo_users:  # before anything is written: production refuses the whole command
        from hotline.services.accounts.demo_users import refuse_in_production

        refuse_in_production(hotline, "创建演示账户")
    report = seed_reference_data(hotline)
    summary: dict[str, object] = {"city": hotline.profile.name, **report.__dict__}
    if demo_users:
        summary["demo_users"] = _seed_demo_users(hotline)
    if json_output:
        emit_json(summary)
    else:
        log(
            f"已载入 {hotline.profile.name}：渠道 {report.channels}，区划 {report.regions}，"
            f"单位 {report.units}，类别 {report.categories}"
        )


def _seed_demo_users(hotline: Hotline) -> list[str]:
    """Create the demo accounts that do not exist yet (refused when HOTLINE_ENV=production)."""
    from hotline.services.accounts.demo_users import seed_demo_users

    created = seed_demo_users(hotline, hotline.now())
    log(f"演示账户：新建 {len(created)} 个（已存在的账户密码不变）；`hotline run` 在演示模式下列出")
    return created
