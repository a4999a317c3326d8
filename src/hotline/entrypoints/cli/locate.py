"""``hotline locate`` and ``hotline route``: location and routing from the shipped profile and
the installed packages, without a database.

Mount as commands: ``app.command("locate")(locate_command)`` and
``app.command("route")(route_command)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from hotline.entrypoints.cli.output import JsonOpt, emit_json, emit_value, fail, log
from hotline.geo.crs import CRS_NAMES

if TYPE_CHECKING:
    from hotline.config import Settings
    from hotline.geo.locator import Location


def _boundary_files(settings: Settings, extra: list[Path]) -> list[Path]:
    from hotline.services.reference.routing import BOUNDARY_DIR

    folder = settings.var_dir / BOUNDARY_DIR
    imported = sorted(folder.glob("*.geojson")) if folder.is_dir() else []
    for path in extra:
        if not path.is_file():
            fail(f"边界文件不存在：{path}")
    return [*extra, *imported]


def _check_point(lon: float | None, lat: float | None, crs: str) -> None:
    if (lon is None) != (lat is None):
        fail("--lon 和 --lat 须同时提供")
    if crs not in CRS_NAMES:
        fail(f"--crs 须为 {' 或 '.join(CRS_NAMES)}")
    if lon is not None and lat is not None and not (-180 <= lon <= 180 and -90 <= lat <= 90):
        fail("经纬度超出范围")


def _summary(location: Location) -> str:
    names = [p.name for p in (location.district, location.street, location.community) if p]
    if location.resolved:
        return " / ".join(names)
    options = "、".join(p.name for p in location.candidates[:5])
    return "未能唯一定位" + (f"（候选：{options}）" if options else "")


def locate_command(
    text: Annotated[
        str | None, typer.Argument(help="地址文本，如 历下区泉城路街道芙蓉街12号")
    ] = None,
    lon: Annotated[float | None, typer.Option(help="经度")] = None,
    lat: Annotated[float | None, typer.Option(help="纬度")] = None,
    crs: Annotated[str, typer.Option(help="坐标系 wgs84 或 gcj02")] = "wgs84",
    boundaries: Annotated[
        list[Path] | None, typer.Option("--boundaries", help="另用的区县边界 GeoJSON（GCJ-02）")
    ] = None,
    json_output: JsonOpt = False,
) -> None:
    """Locate an address and/or a coordinate: district, street, community (exit 0 even when
    unresolved; bad arguments exit 2)."""
    from hotline.config import Settings
    from hotline.geo.locator import build_locator

    _check_point(lon, lat, crs)
    if not (text and text.strip()) and lon is None:
        fail("请给出地址文本，或 --lon 与 --lat")
    settings = Settings()
    locator = build_locator(
        settings.profile, boundary_files=_boundary_files(settings, boundaries or [])
    )
    for warning in locator.warnings:
        log(f"[yellow]提示:[/] {warning}")
    location = locator.locate(text.strip() if text else None, lon, lat, crs)
    if json_output:
        emit_json(location.to_dict())
    else:
        emit_value(_summary(location))


def _route_summary(result: dict[str, Any]) -> str:
    if not result["routed"]:
        return "无法给出派遣建议"
    chain = [result["lead"], *result["sub_dispatch"]]
    return " → ".join(f"{unit['name']}（{unit['code']}）" for unit in chain)


def route_command(
    category: Annotated[str, typer.Option("--category", help="小类代码，如 E0301")],
    district: Annotated[str | None, typer.Option(help="区县或功能区：名称、简称或代码")] = None,
    street: Annotated[str | None, typer.Option(help="街道代码（9 位）")] = None,
    address: Annotated[str | None, typer.Option(help="地址文本（未给区县时先定位）")] = None,
    json_output: JsonOpt = False,
) -> None:
    """Suggest the dispatch for a category at a place: lead unit, co-units, sub-dispatch chain,
    the rule that fired and why (the shipped rules and organisation; no database)."""
    from hotline.config import Settings
    from hotline.geo.locator import build_locator
    from hotline.services.reference.routing import context_offline, place_of, route_offline

    settings = Settings()
    ctx = context_offline(settings.profile)
    community = None
    if address and not district and not street:
        place = place_of(build_locator(settings.profile).locate(address))
        district, street, community = place.district, place.street, place.community
    result = route_offline(ctx, category, district, street, community)
    if json_output:
        emit_json(result)
    else:
        for reason in result["reasons"]:
            log(reason)
        emit_value(_route_summary(result))
