"""``hotline indicators``: the hotline indicators for a period, drill-down, refresh, settlement.

``hotline indicators --from 2026-10-01 --to 2026-10-31 --group-by district --json`` shows the
report (also as ``hotline indicators show …``); ``settle --month 2026-10`` freezes a month;
``verify --month`` recomputes a settled month from raw history; ``cases`` lists the cases behind
a count; ``refresh`` brings the stored facts up to date (the worker does it too).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from hotline.bootstrap import build_hotline
from hotline.domain.indicators import (
    GROUP_BY,
    NOT_YET_DUE_LABEL,
    IndicatorDef,
    Period,
    definitions_from,
)
from hotline.domain.roles import SYSTEM
from hotline.entrypoints.cli.groups import command_group
from hotline.entrypoints.cli.output import JsonOpt, emit_json, emit_value, fail, log

if TYPE_CHECKING:
    from hotline.reports.indicator_counts import ReportMoment
    from hotline.reports.indicator_results import IndicatorReport, IndicatorValue
    from hotline.reports.indicators import IndicatorQuery
    from hotline.services.context import Hotline

indicators_app = command_group(no_args_is_help=False)

FromOpt = Annotated[str | None, typer.Option("--from", help="开始日期 YYYY-MM-DD（含）")]
ToOpt = Annotated[str | None, typer.Option("--to", help="结束日期 YYYY-MM-DD（含）")]
GroupOpt = Annotated[
    str | None, typer.Option("--group-by", help=f"分组：{'/'.join(GROUP_BY)}；省略则只看合计")
]
DefsOpt = Annotated[
    Path | None, typer.Option("--definitions", help="指标定义覆盖文件（YAML：{指标: {字段: 值}}）")
]
MonthOpt = Annotated[str, typer.Option("--month", help="月份 YYYY-MM")]


def _date(value: str | None, option: str) -> date:
    if value is None:
        fail(f"须提供 {option} YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option} 须为日期 YYYY-MM-DD：{value}")


def _definitions(path: Path | None) -> tuple[IndicatorDef, ...] | None:
    if path is None:
        return None
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        fail(f"无法读取指标定义文件 {path}：{exc}")
    if not isinstance(data, dict):
        fail("指标定义文件须为映射：{指标: {字段: 值}}")
    return definitions_from(data)


def _query(
    from_: str | None, to: str | None, group_by: str | None, definitions: Path | None
) -> IndicatorQuery:
    from hotline.reports.indicators import IndicatorQuery

    period = Period(_date(from_, "--from"), _date(to, "--to"))
    return IndicatorQuery(period, group_by, _definitions(definitions))


def _moment(hotline: Hotline) -> ReportMoment:
    from hotline.reports.indicator_counts import ReportMoment

    return ReportMoment(hotline.settings.tz, hotline.now())


def _percent(value: IndicatorValue) -> str:
    return "—" if value.value is None else f"{value.percent:.2f}%"


def _points(value: float | None) -> str:
    return "—" if value is None else f"{value:+.2f}"


def _total_table(report: IndicatorReport) -> Table:
    period = report.period
    table = Table(title=f"热线指标 {period.start.isoformat()} 至 {period.end.isoformat()}")
    for column in ("指标", "数值", "分子/分母", "同比(百分点)", "环比(百分点)", "公式"):
        table.add_column(column)
    for definition in report.definitions:
        value = report.total[definition.key]
        fraction = f"{value.numerator}/{value.denominator}"
        if value.not_yet_due:  # rounds still on track count in neither part
            fraction += f"（另{NOT_YET_DUE_LABEL} {value.not_yet_due}）"
        table.add_row(definition.name, _percent(value), fraction, _points(value.yoy_pp),
                      _points(value.pop_pp), definition.formula)  # fmt: skip
    return table


def _group_table(report: IndicatorReport) -> Table:
    label = report.group_label or ""
    table = Table(title=f"按{label}")
    table.add_column(label)
    for definition in report.definitions:
        table.add_column(definition.name, justify="right")
    for group in report.groups:
        values = group.indicators
        table.add_row(group.label, *(_percent(values[d.key]) for d in report.definitions))
    return table


def _print_tables(report: IndicatorReport) -> None:
    """The human form: the total with its formulas, then one row per group."""
    console = Console(width=max(Console().width, 160))
    console.print(_total_table(report))
    if report.groups:
        console.print(_group_table(report))
    for note in report.comparison_notes():  # a 环比/同比 across a change of rules, labelled
        console.print(f"注：{note}")


def show_report(
    from_: str | None, to: str | None, group_by: str | None, definitions: Path | None, json: bool
) -> None:
    from hotline.reports.indicators import indicator_report

    query = _query(from_, to, group_by, definitions)
    hotline = build_hotline()
    with hotline.db.snapshot() as session:
        report = indicator_report(session, _moment(hotline), query)
    if json:
        emit_json(report.as_data())
    else:
        _print_tables(report)


@indicators_app.callback(invoke_without_command=True)
def indicators(
    ctx: typer.Context,
    from_: FromOpt = None,
    to: ToOpt = None,
    group_by: GroupOpt = None,
    definitions: DefsOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Show the indicators for a period (the same as ``show``)."""
    if ctx.invoked_subcommand is None:
        show_report(from_, to, group_by, definitions, json_output)


@indicators_app.command("show")
def show(
    from_: FromOpt = None,
    to: ToOpt = None,
    group_by: GroupOpt = None,
    definitions: DefsOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Show the indicators for a period, with 同比/环比 in percentage points."""
    show_report(from_, to, group_by, definitions, json_output)


@indicators_app.command("cases")
def cases(
    indicator: Annotated[str, typer.Option("--indicator", help="指标，如 reply_rate")],
    from_: FromOpt = None,
    to: ToOpt = None,
    part: Annotated[str, typer.Option("--part", help="numerator 或 denominator")] = "numerator",
    group_by: GroupOpt = None,
    group: Annotated[str, typer.Option("--group", help="分组键（按日分组时为日期）")] = "",
    limit: Annotated[int, typer.Option("--limit")] = 100,
    offset: Annotated[int, typer.Option("--offset")] = 0,
    json_output: JsonOpt = False,
) -> None:
    """List the cases behind one count of the report (drill-down)."""
    from hotline.reports.drilldown import DrillQuery, drill_down
    from hotline.services.accounts.scope import restrict_to_scope

    query = _query(from_, to, group_by, None)
    hotline = build_hotline()
    drill = DrillQuery(indicator, part, group, limit, offset)
    scope = lambda session, stmt: restrict_to_scope(session, stmt, SYSTEM)  # noqa: E731
    with hotline.db.snapshot() as session:
        result = drill_down(session, _moment(hotline), query, drill, scope)
    if json_output:
        emit_json(result.as_data())
        return
    for item in result.items:
        log(f"{item.number}  {item.kind}  {item.at.isoformat()}")
    emit_value(result.count)


@indicators_app.command("settle")
def settle(month: MonthOpt, json_output: JsonOpt = False) -> None:
    """Settle (结算) a finished month: its figures never change afterwards."""
    from hotline.services.evaluation.settlement import settle_month

    hotline = build_hotline()
    summary = settle_month(hotline, month, SYSTEM, hotline.now())
    if json_output:
        emit_json(summary)
    else:
        log(f"{month} 已结算（{summary['settled_at']}）")
        emit_value(month)


@indicators_app.command("verify")
def verify(month: MonthOpt, json_output: JsonOpt = False) -> None:
    """Recompute a settled month from raw history as of its settlement; exit 1 on a mismatch."""
    from hotline.reports.recompute import verify_settlement

    hotline = build_hotline()
    result = verify_settlement(hotline.db, _moment(hotline), month)
    if json_output:
        emit_json(result)
    else:
        log(f"{month}：{'一致' if result['matches'] else '不一致'}")
    if not result["matches"]:
        raise typer.Exit(code=1)


@indicators_app.command("refresh")
def refresh(json_output: JsonOpt = False) -> None:
    """Bring the stored indicator facts and rollup up to date with case history."""
    from hotline.services.evaluation.settlement import refresh_indicator_facts

    hotline = build_hotline()
    report = refresh_indicator_facts(hotline, hotline.now())
    if json_output:
        emit_json(report.__dict__)
    else:
        log(f"已更新 {report.cases} 件工单的指标事实")
        emit_value(report.cases)
