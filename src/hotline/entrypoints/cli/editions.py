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
from hotline.domain.errors import DomainError
from hotline.entrypoints.cli.output import emit_json, emit_value, fail, log
from hotline.services.reporting.editions import (
    KINDS,
    edition_content,
    list_editions,
    produce_edition,
)
from hotline.services.reporting.production import produce_formats

editions_app = typer.Typer(help="通报与报表的版本及投递", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="输出一个 JSON 文档")]
KindOpt = Annotated[str | None, typer.Option("--kind", help=f"类型：{'/'.join(KINDS)}")]


def _guarded(command: Any, *args: Any) -> None:
    try:
        command(*args)
    except DomainError as exc:
        fail(exc.detail)


def _print(editions: list[dict[str, Any]]) -> None:
    for edition in editions:
        log(f"#{edition['id']} {edition['kind_label']} {edition['period_key']} "
            f"{edition['format']} {edition['size']} 字节 {edition['produced_at']}")  # fmt: skip
        for d in edition["deliveries"]:
            error = f" 错误：{d['last_error']}" if d["last_error"] else ""
            log(f"    → {d['recipient']} {d['status']} 尝试 {d['attempts']} 次{error}")


@editions_app.command("list")
def list_command(
    kind: KindOpt = None,
    limit: Annotated[int, typer.Option("--limit", help="最多列出几份")] = 50,
    json_output: JsonOpt = False,
) -> None:
    """Editions, newest first, with every delivery's status, attempts and last error."""

    def run() -> None:
        editions = list_editions(build_hotline(), kind, limit)
        if json_output:
            emit_json({"items": editions})
            return
        _print(editions)
        emit_value(len(editions))

    _guarded(run)


@editions_app.command("produce")
def produce_command(
    kind: Annotated[str, typer.Option("--kind", help=f"类型：{'/'.join(KINDS)}")],
    key: Annotated[str, typer.Option("--key", help="期号：2026-11-25 / 2026-W48 / 2026-10")],
    json_output: JsonOpt = False,
) -> None:
    """Produce one period's edition now and queue its mail, unless it exists already."""

    def run() -> None:
        hotline = build_hotline()
        result = produce_edition(hotline, kind, key, produce_formats, hotline.now())
        if result is None:
            fail(f"{kind} {key} 已经生成过，不再重复生成", exit_code=1)
        if json_output:
            emit_json(result)
            return
        log(f"已生成 {kind} {key}，排队投递 {result['queued']} 份")
        emit_value(result["editions"][0])

    _guarded(run)


@editions_app.command("save")
def save_command(
    edition_id: int,
    out: Annotated[Path, typer.Option("--out", help="写入的文件")],
) -> None:
    """Write one stored edition's bytes to a file."""

    def run() -> None:
        name, _type, content = edition_content(build_hotline(), edition_id)
        try:
            out.write_bytes(content)
        except OSError as exc:
            fail(f"无法写入 {out}：{exc}")
        log(f"{name} → {out}（{len(content)} 字节）")
        emit_value(out)

    _guarded(run)
