"""``hotline hotspots --date 2026-11-25 [--json]``: the day's hotspot early warnings (热点预警),
ranked, with their evidence; settings as options (defaults in docs/reports.md)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from hotline.bootstrap import build_hotline
from hotline.entrypoints.cli.output import JsonOpt, emit_json, fail
from hotline.reports.hotspots import HotspotParams

DEFAULTS = HotspotParams()


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
        list[int] | None, typer.Option("--window", help="近期窗口天数，可重复（默认 1 和 7）")
    ] = None,
    baseline_days: Annotated[int, typer.Option(help="基线期天数")] = DEFAULTS.baseline_days,
    min_count: Annotated[int, typer.Option(help="近期最少件数")] = DEFAULTS.min_count,
    min_ratio: Annotated[float, typer.Option(help="近期/预期最小倍数")] = DEFAULTS.min_ratio,
    min_score: Annotated[float, typer.Option(help="最低异常得分（z 值）")] = DEFAULTS.min_score,
    limit: Annotated[int, typer.Option(help="至多列出条数")] = DEFAULTS.limit,
    json_output: JsonOpt = False,
) -> None:
    """Hotspots: problems and street × category cells whose complaints jump."""
    from hotline.reports.hotspots import hotspot_report

    params = HotspotParams(
        windows=tuple(window) if window else DEFAULTS.windows,
        baseline_days=baseline_days,
        min_count=min_count,
        min_ratio=min_ratio,
        min_score=min_score,
        limit=limit,
    )
    hotline = build_hotline()
    when = _day(day) or hotline.now().astimezone(hotline.settings.tz).date()
    report = hotspot_report(hotline.db, when, params)
    if json_output:
        emit_json(report)
    else:
        _print(report)
