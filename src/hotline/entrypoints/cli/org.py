"""``hotline org import|export|list|returns|import-boundaries``: the organisation as data.

Mount: ``app.add_typer(org_app, name="org")``.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from hotline.bootstrap import build_hotline
from hotline.entrypoints.cli.groups import command_group
from hotline.entrypoints.cli.output import JsonOpt, emit_json, emit_value, fail, log
from hotline.geo.crs import CRS_NAMES

org_app = command_group()
FileArgument = Annotated[Path, typer.Argument(help="YAML（.yaml）或 Excel（.xlsx）文件")]


@org_app.command("import")
def org_import(path: FileArgument, json_output: JsonOpt = False) -> None:
    """Upsert regions and units from the file (all or nothing; nothing is deleted)."""
    from hotline.services.reference.organisation import import_org

    counts = import_org(build_hotline(), path)
    if counts.get("covers_not_stored"):
        log("[yellow]提示:[/] 部分单位的 covers 与代码规则不符，未保存；请写入城市配置")
    if json_output:
        emit_json(counts)
    else:
        log(f"已导入区划 {counts['regions']} 个，单位 {counts['units']} 个")
        emit_value(counts["units"])


@org_app.command("export")
def org_export(path: FileArgument, json_output: JsonOpt = False) -> None:
    """Write the stored regions and units to a YAML or xlsx file."""
    from hotline.services.reference.organisation import export_org

    counts = export_org(build_hotline(), path)
    if json_output:
        emit_json(counts | {"file": str(path)})
    else:
        log(f"已导出区划 {counts['regions']} 个，单位 {counts['units']} 个到 {path}")
        emit_value(path)


@org_app.command("list")
def org_list(
    kind: Annotated[str | None, typer.Option(help="单位类型，如 street_office")] = None,
    region: Annotated[str | None, typer.Option(help="区县或功能区代码")] = None,
    query: Annotated[str | None, typer.Option("--q", help="名称或代码片段")] = None,
    json_output: JsonOpt = False,
) -> None:
    """List active units."""
    from hotline.services.reference.organisation import list_units

    found = list_units(build_hotline(), kind=kind, region=region, query=query)
    if json_output:
        emit_json(found)
        return
    for unit in found:
        log(f"{unit['code']:<18}{unit['name']}")
    emit_value(len(found))


@org_app.command("returns")
def org_returns(
    from_on: Annotated[str | None, typer.Option("--from", help="起始日期 YYYY-MM-DD")] = None,
    to_on: Annotated[str | None, typer.Option("--to", help="截止日期 YYYY-MM-DD")] = None,
    json_output: JsonOpt = False,
) -> None:
    """Dispatches and returns (退单) per unit and routing rule, most returns first."""
    from hotline.services.reference.routing import returns_by_rule

    try:
        start = date.fromisoformat(from_on) if from_on else None
        end = date.fromisoformat(to_on) if to_on else None
    except ValueError:
        fail("日期须为 YYYY-MM-DD")
    rows = returns_by_rule(build_hotline(), from_on=start, to_on=end)
    if json_output:
        emit_json(rows)
        return
    for row in rows:
        counts = f"派遣 {row['dispatches']:>5}  退单 {row['returns']:>4}"
        log(f"{row['unit']:<18}{row['rule']:<28}{counts}")
    emit_value(sum(row["returns"] for row in rows))


@org_app.command("import-boundaries")
def org_import_boundaries(
    path: Annotated[Path, typer.Argument(help="区县或街道边界 GeoJSON（adcode 或名称）")],
    crs: Annotated[str, typer.Option(help="文件的坐标系 wgs84 或 gcj02")] = "gcj02",
) -> None:
    """Keep an administrator's boundary file under the var dir; locate reads it before the
    package. A WGS-84 file is converted to GCJ-02 once, here."""
    from hotline.config import Settings
    from hotline.geo.boundaries import read_areas
    from hotline.services.reference.routing import BOUNDARY_DIR

    if crs not in CRS_NAMES or not path.is_file():
        fail(f"须给出存在的 GeoJSON 文件，--crs 为 {' 或 '.join(CRS_NAMES)}")
    settings = Settings()
    names = {r.name: r.code for r in settings.profile.regions}
    try:
        areas = read_areas(path, names.get, crs=crs)
    except (ValueError, KeyError) as exc:
        fail(f"无法读取 GeoJSON：{exc}")
    if not areas:
        fail("文件中没有本市的区县或街道边界")
    target = settings.var_dir / BOUNDARY_DIR / f"{path.stem}.geojson"
    target.parent.mkdir(parents=True, exist_ok=True)
    features = [
        {
            "type": "Feature",
            "properties": {"adcode": a.code, "name": a.name},
            "geometry": a.geometry.__geo_interface__,
        }
        for a in areas
    ]
    document = {"type": "FeatureCollection", "features": features}
    target.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    log(f"已导入边界 {len(areas)} 个：{target}")
    emit_value(target)
