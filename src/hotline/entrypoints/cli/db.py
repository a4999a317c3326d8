"""``hotline db upgrade`` and ``hotline seed``: both idempotent."""

from __future__ import annotations

from typing import Annotated

import typer

from hotline.adapters.db.migrate import current_revision, upgrade
from hotline.bootstrap import build_hotline, utc_now
from hotline.config import Settings
from hotline.domain.errors import Conflict
from hotline.entrypoints.cli.output import emit_json, emit_value, log
from hotline.services.accounts.users import NewUser, create_user
from hotline.services.context import Hotline
from hotline.services.reference.seeding import seed_reference_data

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


# `make run` only: one account per desk, all with one password printed on stderr, so the workbench
# can be tried at once. A real centre creates its people with `hotline user create`.
DEMO_PASSWORD = "hotline-demo"
DEMO_USERS = (
    NewUser("op", "operator", display_name="王晓燕", password=DEMO_PASSWORD),
    NewUser("disp", "dispatcher", display_name="李建国", password=DEMO_PASSWORD),
    NewUser("lx-disp", "dispatcher", district_code="370102", display_name="赵明",
            password=DEMO_PASSWORD),
    NewUser("lx-h", "handler", unit_code="LX-CGJ", display_name="孙立新", password=DEMO_PASSWORD),
    NewUser("insp", "inspector", display_name="钱进", password=DEMO_PASSWORD),
    NewUser("sup", "supervisor", display_name="陈思", password=DEMO_PASSWORD),
    NewUser("lead", "leader", display_name="刘洋", password=DEMO_PASSWORD),
    NewUser("adm", "admin", display_name="马超", password=DEMO_PASSWORD),
)  # fmt: skip


def seed_command(
    json_output: Annotated[bool, typer.Option("--json")] = False,
    demo_users: Annotated[
        bool, typer.Option("--demo-users", help="另建各岗位的演示账户（密码相同，仅供本机试用）")
    ] = False,
) -> None:
    """Load the city profile's channels, regions, units and taxonomy (idempotent)."""
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
    created = []
    for person in DEMO_USERS:
        try:
            create_user(hotline, person, utc_now())
        except Conflict:
            continue
        created.append(person.name)
    log(f"演示账户（密码均为 {DEMO_PASSWORD}，仅供本机试用；已存在的账户密码不变）：")
    for person in DEMO_USERS:
        where = person.unit_code or person.district_code or "全市"
        log(f"  {person.name:<8} {person.role:<11} {person.display_name}（{where}）")
    return created
