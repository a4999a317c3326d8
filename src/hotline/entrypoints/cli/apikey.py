"""``hotline apikey create|list|revoke``: api_keys of the Open311 partner platforms."""

from __future__ import annotations

from typing import Annotated

import typer

from hotline.bootstrap import build_hotline
from hotline.entrypoints.cli.groups import command_group
from hotline.entrypoints.cli.output import JsonOpt, emit_json, emit_value, log

apikey_app = command_group()


@apikey_app.command("create")
def apikey_create(
    partner: Annotated[str, typer.Argument(help="合作平台名称（首次使用时创建）")],
    exempt_from_rate_limit: Annotated[
        bool, typer.Option("--exempt-from-rate-limit", help="该平台不受 POST 频率限制")
    ] = False,
    channel: Annotated[
        str | None, typer.Option(help="该平台提交的工单记入的来源渠道（默认 web）")
    ] = None,
    title: Annotated[
        str | None, typer.Option(help="合作平台的中文名称，显示在工单历史中（默认「合作平台」）")
    ] = None,
) -> None:
    """Issue an api_key for a partner; prints the key alone on the last line of stdout."""
    from hotline.services.open311 import Open311Settings, create_key

    hotline = build_hotline()
    key = create_key(
        hotline,
        Open311Settings(),
        partner,
        hotline.now(),
        exempt_from_rate_limit=exempt_from_rate_limit,
        channel=channel,
        title=title,
    )
    limits = "不受频率限制" if exempt_from_rate_limit else "受频率限制"
    log(f"已为合作平台 {partner} 签发 api_key（{limits}）。只显示这一次，请妥善保存：")
    emit_value(key)


@apikey_app.command("list")
def apikey_list(json_output: JsonOpt = False) -> None:
    """Partners, their channel, rate-limit exemption and keys (never the keys themselves)."""
    from hotline.services.open311 import Open311Settings, list_partners

    hotline = build_hotline()
    rows = list_partners(hotline, Open311Settings(), hotline.now())
    if json_output:
        emit_json(rows)
        return
    for row in rows:
        state = (
            "已停用" if row["disabled"] else f"有效密钥 {row['keys_active']}/{row['keys_total']}"
        )
        exempt = "，不限频" if row["exempt_from_rate_limit"] else ""
        log(f"{row['partner']}：渠道 {row['channel']}{exempt}，{state}")
    emit_value(len(rows))


@apikey_app.command("revoke")
def apikey_revoke(partner: Annotated[str, typer.Argument(help="合作平台名称")]) -> None:
    """Revoke every api_key of a partner (servers honour it within auth_cache_seconds)."""
    from hotline.services.open311 import revoke_keys

    count = revoke_keys(build_hotline(), partner)
    log(f"已作废合作平台 {partner} 的 api_key：")
    emit_value(count)
