"""``hotline report daily|weekly|monthly``: a notice as an HTML or xlsx file.

    hotline report daily --date 2026-11-25 --format html --out FILE
    hotline report weekly --week 2026-W48 --format xlsx --out FILE
    hotline report monthly --month 2026-10 [--format html] [--out FILE] [--json]

Without ``--out`` the file goes to the current directory under its standard name
(``daily-2026-11-25.html``). ``--json`` prints one document: path, bytes, kind, period, format.
The file's path is otherwise the last line of stdout; progress goes to stderr.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated, Any

import typer

from hotline.bootstrap import build_hotline
from hotline.entrypoints.cli.groups import command_group
from hotline.entrypoints.cli.output import JsonOpt, emit_json, emit_value, fail, log, stderr

report_app = command_group()

FormatOpt = Annotated[str, typer.Option("--format", help="html 或 xlsx")]
OutOpt = Annotated[
    Path | None, typer.Option("--out", help="输出文件（默认：当前目录下的标准文件名）")
]
LABELS = {"daily": "当日通报", "weekly": "周汇报", "monthly": "月度报告", "period": "梳理通报"}


def _write(path: Path, content: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    except OSError as exc:
        fail(f"无法写入 {path}：{exc.strerror or exc}")


def make_report(kind: str, key: str, fmt: str, out: Path | None, json_output: bool) -> None:
    """Produce the notice, write it, and print its path (or, with ``--json``, its path, bytes,
    sha256, kind, format, period, title and figures)."""
    from hotline.reports.notices import period_of
    from hotline.services.reporting.production import check_request, filename, produce_edition

    check_request(kind, key, fmt)  # refuse bad input before building anything
    path = out or Path(filename(kind, key, fmt))
    hotline = build_hotline()
    with stderr.status(f"正在生成{LABELS[kind]}（{key}）…"):
        edition = produce_edition(hotline, kind, key, fmt, hotline.now())
    _write(path, edition.content)
    period = period_of(kind, key)
    summary: dict[str, Any] = {
        "path": str(path),
        "bytes": len(edition.content),
        "sha256": hashlib.sha256(edition.content).hexdigest(),
        "kind": kind,
        "format": fmt,
        "period": {"key": key, "from": period.start.isoformat(), "to": period.end.isoformat()},
        "title": edition.notice.title,
        "figures": edition.notice.summary()["figures"],
    }
    if json_output:
        emit_json(summary)
        return
    log(f"{edition.notice.title}（{key}）已写入 {path}，{len(edition.content):,} 字节")
    emit_value(path)


@report_app.command("daily")
def daily(
    day: Annotated[str, typer.Option("--date", help="日期 YYYY-MM-DD（本地）")],
    fmt: FormatOpt = "html",
    out: OutOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """当日通报: the day's intake, handling, overdue, unsatisfied, media, problems, hotspots."""
    make_report("daily", day, fmt, out, json_output)


@report_app.command("weekly")
def weekly(
    week: Annotated[str, typer.Option("--week", help="ISO 周 YYYY-Www，如 2026-W48")],
    fmt: FormatOpt = "html",
    out: OutOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """周汇报: the week's figures, daily trend and indicators."""
    make_report("weekly", week, fmt, out, json_output)


@report_app.command("monthly")
def monthly(
    month: Annotated[str, typer.Option("--month", help="月份 YYYY-MM")],
    fmt: FormatOpt = "html",
    out: OutOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """月度报告: indicators with 同比, the ranking with red and black lists, top problems."""
    make_report("monthly", month, fmt, out, json_output)


@report_app.command("period")
def period(
    start: Annotated[str, typer.Option("--from", help="开始日期 YYYY-MM-DD（本地，含）")],
    end: Annotated[str, typer.Option("--to", help="结束日期 YYYY-MM-DD（本地，含）")],
    fmt: FormatOpt = "html",
    out: OutOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """梳理通报 of any span of days, e.g. 今年以来 (--from 2026-01-01 --to today)."""
    from hotline.reports.notices import span_key

    make_report("period", span_key(start, end), fmt, out, json_output)
