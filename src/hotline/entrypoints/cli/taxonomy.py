"""``hotline taxonomy import|export|list``: the category tree as YAML or xlsx.

Mount: ``app.add_typer(taxonomy_app, name="taxonomy")``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hotline.bootstrap import build_hotline
from hotline.domain.errors import DomainError
from hotline.entrypoints.cli.output import emit_json, emit_value, fail, log
from hotline.services.reference.taxonomy import export_taxonomy, import_taxonomy, list_categories

taxonomy_app = typer.Typer(help="类别（部件/事件 → 大类 → 小类）的导入导出", no_args_is_help=True)
FileArgument = Annotated[Path, typer.Argument(help="YAML（.yaml）或 Excel（.xlsx）文件")]
JsonOption = Annotated[bool, typer.Option("--json", help="输出一个 JSON 文档")]


@taxonomy_app.command("import")
def taxonomy_import(path: FileArgument, json_output: JsonOption = False) -> None:
    """Check and upsert every category of the file (all or nothing; nothing is deleted)."""
    try:
        counts = import_taxonomy(build_hotline(), path)
    except DomainError as exc:
        fail(exc.detail)
    if json_output:
        emit_json(counts)
    else:
        log(f"已导入类别 {counts['categories']} 个")
        emit_value(counts["categories"])


@taxonomy_app.command("export")
def taxonomy_export(path: FileArgument, json_output: JsonOption = False) -> None:
    """Write the stored taxonomy to a YAML or xlsx file."""
    try:
        counts = export_taxonomy(build_hotline(), path)
    except DomainError as exc:
        fail(exc.detail)
    if json_output:
        emit_json(counts | {"file": str(path)})
    else:
        log(f"已导出类别 {counts['categories']} 个到 {path}")
        emit_value(path)


@taxonomy_app.command("list")
def taxonomy_list(
    level: Annotated[str | None, typer.Option(help="type / major / minor")] = None,
    kind: Annotated[str | None, typer.Option(help="facility / event")] = None,
    json_output: JsonOption = False,
) -> None:
    """List the active categories."""
    found = list_categories(build_hotline(), level=level, kind=kind)
    if json_output:
        emit_json(found)
        return
    for item in found:
        log(f"{item['code']:<8}{item['name']}")
    emit_value(len(found))
