"""``hotline answers import|export``: the standard answers (知识库/常用语) as YAML.

Mount: ``app.add_typer(answers_app, name="answers")``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hotline.bootstrap import build_hotline
from hotline.domain.roles import SYSTEM
from hotline.entrypoints.cli.groups import command_group
from hotline.entrypoints.cli.output import JsonOpt, emit_json, emit_value, fail, log

answers_app = command_group()


@answers_app.command("import")
def answers_import(
    path: Annotated[Path | None, typer.Argument(help="YAML 文件：standard_answers 列表")] = None,
    sample: Annotated[bool, typer.Option("--sample", help="导入随软件提供的济南示例")] = False,
    json_output: JsonOpt = False,
) -> None:
    """Create or update answers by title and category (all or nothing; nothing is retired)."""
    from hotline.services.reference.standard_answers import import_answers, read_answers

    if (path is None) == (not sample):
        fail("请给出一个 YAML 文件，或使用 --sample（二者选一）")
    try:
        hotline = build_hotline()
        counts = import_answers(hotline, SYSTEM, read_answers(path), hotline.now())
    except OSError as exc:
        fail(f"无法读取文件：{exc}")
    if json_output:
        emit_json(counts)
    else:
        created, updated, same = counts["created"], counts["updated"], counts["unchanged"]
        log(f"标准答复：新增 {created} 条，更新 {updated} 条，未变 {same} 条")
        emit_value(counts["created"] + counts["updated"])


@answers_app.command("export")
def answers_export(
    path: Annotated[Path, typer.Argument(help="写入的 YAML 文件")], json_output: JsonOpt = False
) -> None:
    """Every answer in use, in the format ``answers import`` reads."""
    from hotline.services.reference.standard_answers import export_answers

    try:
        count = export_answers(build_hotline(), path)
    except OSError as exc:
        fail(f"无法写入文件：{exc}")
    if json_output:
        emit_json({"answers": count, "file": str(path)})
    else:
        log(f"已导出标准答复 {count} 条到 {path}")
        emit_value(path)
