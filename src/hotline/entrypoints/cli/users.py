"""``hotline user create|disable|token`` and ``hotline retention run``."""

from __future__ import annotations

from typing import Annotated

import typer

from hotline.bootstrap import build_hotline, utc_now
from hotline.entrypoints.cli.groups import command_group
from hotline.entrypoints.cli.output import JsonOpt, emit_json, emit_value, log

user_app = command_group()
retention_app = command_group()


@user_app.command("create")
def user_create(
    name: str,
    role: Annotated[
        str, typer.Option(help="operator|dispatcher|handler|inspector|supervisor|leader|admin")
    ],
    unit: Annotated[str | None, typer.Option(help="所属单位代码（承办人必填）")] = None,
    district: Annotated[str | None, typer.Option(help="区县代码：区级派遣员/领导的范围")] = None,
    display_name: Annotated[str | None, typer.Option(help="姓名")] = None,
    password: Annotated[str | None, typer.Option(help="网页登录密码（可选）")] = None,
) -> None:
    """Create a user; prints the new API token alone on the last line of stdout."""
    from hotline.services.accounts.users import NewUser, create_user

    hotline = build_hotline()
    token = create_user(
        hotline, NewUser(name, role, unit, district, display_name, password), hotline.now()
    )
    log(f"已创建用户 {name}（{role}）。令牌只显示这一次，请妥善保存：")
    emit_value(token)


@user_app.command("disable")
def user_disable(name: str) -> None:
    """Disable a user: revoke all its tokens and end its browser sessions."""
    from hotline.services.accounts.users import disable_user

    disable_user(build_hotline(), name, utc_now())
    log(f"已停用用户 {name}，其令牌全部作废，网页会话全部结束")


@user_app.command("token")
def user_token(name: str) -> None:
    """Issue another API token for a user (last line of stdout)."""
    from hotline.services.accounts.users import new_token

    hotline = build_hotline()
    emit_value(new_token(hotline, name, hotline.now()))


@retention_app.command("run")
def retention_run(
    years: Annotated[int | None, typer.Option(help="结案超过 N 年即匿名化（默认取配置）")] = None,
    json_output: JsonOpt = False,
) -> None:
    """Anonymise callers of cases closed more than N years ago."""
    from hotline.services.retention import anonymise_closed_cases

    hotline = build_hotline()
    count = anonymise_closed_cases(hotline, hotline.now(), years)
    if json_output:
        emit_json(
            {
                "anonymised": count,
                "years": years if years is not None else hotline.settings.retention_years,
            }
        )
    else:
        log("已匿名化的工单数：")
        emit_value(count)
