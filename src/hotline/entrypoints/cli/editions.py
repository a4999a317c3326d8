"""``hotline editions``: the stored editions of the notices and reports and their deliveries.

``list [--kind daily] [--json]`` shows every edition with each recipient's delivery status,
attempts and last error; ``produce --kind daily --key 2026-11-25`` produces a period now (once:
the worker's schedule skips it afterwards) and queues its mail; ``save ID --out FILE`` writes an
edition's bytes exactly as they were produced and sent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from hotline.bootstrap import build_hotline
from hotline.entrypoints.cli.groups import command_group
from hotline.entrypoints.cli.output import JsonOpt, emit_json, emit_value, fail, log
from hotline.services.reporting.editions import KINDS

editions_app = command_group()

KindOpt = Annotated[str | None, typer.Option("--kind", help=f"类型：{'/'.join(KINDS)}")]


def _print(editions: list[dict[str, Any]]) -> None:
    for edition in editions:
        scope = f"{edition['district']}区县版" if edition["district"] else "全市版"
        log(f"#{edition['id']} {edition['kind_label']} {edition['period_key']} {scope} "
            f"{edition['format']} {edition['size']} 字节 {edition['produced_at']}")  # fmt: skip
        for d in edition["deliveries"]:
            error = f" 错误：{d['last_error']}" if d["last_error"] else ""
            log(f"    → {d['recipient']} {d['status']} 尝试 {d['attempts']} 次{error}")


@editions_app.command("list")
def list_command(
    kind: KindOpt = None,
    limit: Annotated[int, typer.Option("--limit", help="最多列出几份")] = 50,
    district: Annotated[
        str | None, typer.Option("--district", help="只列该区县的区县版（区县代码）")
    ] = None,
    json_output: JsonOpt = False,
) -> None:
    """Editions, newest first — the city edition and each district's cut — with every
    delivery's status, attempts and last error."""
    from hotline.services.reporting.editions import list_editions

    editions = list_editions(build_hotline(), kind, limit, district)
    if json_output:
        emit_json({"items": editions})
        return
    _print(editions)
    emit_value(len(editions))


@editions_app.command("produce")
def produce_command(
    kind: Annotated[str, typer.Option("--kind", help=f"类型：{'/'.join(KINDS)}")],
    key: Annotated[str, typer.Option("--key", help="期号：2026-11-25 / 2026-W48 / 2026-10")],
    json_output: JsonOpt = False,
) -> None:
    """Produce one period's edition now and queue its mail, unless it exists already."""
    from hotline.services.reporting.editions import produce_edition
    from hotline.services.reporting.production import produce_formats

    hotline = build_hotline()
    result = produce_edition(hotline, kind, key, produce_formats, hotline.now())
    if result is None:
        fail(f"{kind} {key} 已经生成过，不再重复生成", exit_code=1)
    if json_output:
        emit_json(result)
        return
    cuts = f"及 {len(result['districts'])} 个区县版" if result["districts"] else ""
    log(f"已生成 {kind} {key} 全市版{cuts}，排队投递 {result['queued']} 份")
    emit_value(result["editions"][0])


@editions_app.command("save")
def save_command(
    edition_id: int,
    out: Annotated[Path, typer.Option("--out", help="写入的文件")],
) -> None:
    """Write one stored edition's bytes to a file."""
    from hotline.services.reporting.editions import edition_content

    name, _type, content = edition_content(build_hotline(), edition_id)
    try:
        out.write_bytes(content)
    except OSError as exc:
        fail(f"无法写入 {out}：{exc}")
    log(f"{name} → {out}（{len(content)} 字节）")
    emit_value(out)
