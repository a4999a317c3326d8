"""``hotline db upgrade`` and ``hotline seed``: both idempotent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

from hotline.bootstrap import build_hotline
from hotline.domain.errors import Conflict
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


# `make run` only: one account per desk, all with one password printed on stderr, so the workbench
# can be tried at once. A real centre creates its people with `hotline user create`.
DEMO_PASSWORD = "hotline-demo"


@dataclass(frozen=True)
class DemoUser:
    name: str
    role: str
    display_name: str
    unit_code: str | None = None
    district_code: str | None = None


DEMO_USERS = (
    DemoUser("op", "operator", "王晓燕"),
    DemoUser("disp", "dispatcher", "李建国"),
    DemoUser("lx-disp", "dispatcher", "赵明", district_code="370102"),
    DemoUser("lx-h", "handler", "孙立新", unit_code="LX-CGJ"),
    DemoUser("insp", "inspector", "钱进"),
    DemoUser("sup", "supervisor", "陈思"),
    DemoUser("lead", "leader", "刘洋"),
    DemoUser("adm", "admin", "马超"),
)


def seed_command(
    json_output: JsonOpt = False,
    demo_users: Annotated[
        bool, typer.Option("--demo-users", help="另建各岗位的演示账户（密码相同，仅供本机试用）")
    ] = False,
) -> None:
    """Load the city profile's channels, regions, units and taxonomy (idempotent)."""
    from hotline.services.reference.seeding import seed_reference_data

    hotline = build_hotline()
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
    """Create the demo accounts that do not exist yet (an existing one keeps its password)."""
    from hotline.services.accounts.users import NewUser, create_user

    created = []
    for person in DEMO_USERS:
        account = NewUser(person.name, person.role, person.unit_code, person.district_code,
                          person.display_name, DEMO_PASSWORD)  # fmt: skip
        try:
            create_user(hotline, account, hotline.now())
        except Conflict:
            continue
        created.append(person.name)
    log(f"演示账户（密码均为 {DEMO_PASSWORD}，仅供本机试用；已存在的账户密码不变）：")
    for person in DEMO_USERS:
        where = person.unit_code or person.district_code or "全市"
        log(f"  {person.name:<8} {person.role:<11} {person.display_name}（{where}）")
    return created
