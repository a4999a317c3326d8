"""``hotline hotspots --date 2026-11-25 [--json]``: the day's hotspot early warnings (热点预警),
ranked, with their evidence; settings as options (defaults in docs/reports.md)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from hotline.bootstrap import build_hotline
from hotline.entrypoints.cli.output import JsonOpt, emit_json, fail

# An option left out keeps HotspotParams' default (docs/reports.md): the defaults live there only,
# and the help does not import the report module to show them.
DEFAULTS_IN_DOCS = "（默认见 docs/reports.md）"


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"--date 须为日期 YYYY-MM-DD：{value}")


def _print(report: dict[str, object]) -> None:
    table = Table(title=f"热点预警 {report['date']}")
    for column in (
        "排名",
        "类型",
        "热点",
        "区县",
        "窗口(天)",
        "近期",
        "预期",
        "倍数",
        "得分",
        "样例",
    ):
        table.add_column(column)
    hotspots = report["hotspots"]
    assert isinstance(hotspots, list)
    for rank, h in enumerate(hotspots, start=1):
        kind = "问题" if h["kind"] == "problem" else "街道×类别"
        table.add_row(
            str(rank),
            kind,
            h["label"],
            h["district"],
            str(h["window_days"]),
            str(h["observed"]),
            f"{h['expected']:.2f}",
            f"{h['ratio']:.1f}",
            f"{h['score']:.2f}",
            " ".join(h["samples"][:3]),
        )
    Console(width=max(Console().width, 160)).print(table)


def hotspots_command(
    day: Annotated[str | None, typer.Option("--date", help="日期 YYYY-MM-DD（默认今天）")] = None,
    window: Annotated[
        list[int] | None, typer.Option("--window", help="近期窗口天数，可重复" + DEFAULTS_IN_DOCS)
    ] = None,
    baseline_days: Annotated[int | None, typer.Option(help="基线期天数" + DEFAULTS_IN_DOCS)] = None,
    min_count: Annotated[int | None, typer.Option(help="近期最少件数" + DEFAULTS_IN_DOCS)] = None,
    min_ratio: Annotated[
        float | None, typer.Option(help="近期/预期最小倍数" + DEFAULTS_IN_DOCS)
    ] = None,
    min_score: Annotated[
        float | None, typer.Option(help="最低异常得分（z 值）" + DEFAULTS_IN_DOCS)
    ] = None,
    limit: Annotated[int | None, typer.Option(help="至多列出条数" + DEFAULTS_IN_DOCS)] = None,
    json_output: JsonOpt = False,
) -> None:
    """Hotspots: problems and street × category cells whose complaints jump."""
    from hotline.reports.hotspots import HotspotParams, hotspot_report

    given: dict[str, Any] = {
        "windows": tuple(window) if window else None,
        "baseline_days": baseline_days,
        "min_count": min_count,
        "min_ratio": min_ratio,
        "min_score": min_score,
        "limit": limit,
    }
    params = HotspotParams(**{name: value for name, value in given.items() if value is not None})
    hotline = build_hotline()
    when = _day(day) or hotline.now().astimezone(hotline.settings.tz).date()
    report = hotspot_report(hotline.db, when, params)
    if json_output:
        emit_json(report)
    else:
        _print(report)
