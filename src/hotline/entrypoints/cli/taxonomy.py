"""``hotline taxonomy import|export|list``: the category tree as YAML or xlsx.

Mount: ``app.add_typer(taxonomy_app, name="taxonomy")``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hotline.bootstrap import build_hotline
from hotline.entrypoints.cli.groups import command_group
from hotline.entrypoints.cli.output import JsonOpt, emit_json, emit_value, log

taxonomy_app = command_group()
FileArgument = Annotated[Path, typer.Argument(help="YAML（.yaml）或 Excel（.xlsx）文件")]


@taxonomy_app.command("import")
def taxonomy_import(path: FileArgument, json_output: JsonOpt = False) -> None:
    """Check and upsert every category of the file (all or nothing; nothing is deleted)."""
    from hotline.services.reference.taxonomy import import_taxonomy

    counts = import_taxonomy(build_hotline(), path)
    if json_output:
        emit_json(counts)
    else:
        log(f"已导入类别 {counts['categories']} 个")
        emit_value(counts["categories"])


@taxonomy_app.command("export")
def taxonomy_export(path: FileArgument, json_output: JsonOpt = False) -> None:
    """Write the stored taxonomy to a YAML or xlsx file."""
    from hotline.services.reference.taxonomy import export_taxonomy

    counts = export_taxonomy(build_hotline(), path)
    if json_output:
        emit_json(counts | {"file": str(path)})
    else:
        log(f"已导出类别 {counts['categories']} 个到 {path}")
        emit_value(path)


@taxonomy_app.command("list")
def taxonomy_list(
    level: Annotated[str | None, typer.Option(help="type / major / minor")] = None,
    kind: Annotated[str | None, typer.Option(help="facility / event")] = None,
    json_output: JsonOpt = False,
) -> None:
    """List the active categories."""
    from hotline.services.reference.taxonomy import list_categories

    found = list_categories(build_hotline(), level=level, kind=kind)
    if json_output:
        emit_json(found)
        return
    for item in found:
        log(f"{item['code']:<8}{item['name']}")
    emit_value(len(found))
