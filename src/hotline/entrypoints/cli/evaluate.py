"""``hotline evaluate``: the monthly evaluation (考评), the what-if, exclusions and appeals.

``hotline evaluate --month 2026-10 [--scheme FILE] [--compare-scheme FILE] [--entity district]
--json`` scores every entity; ``evaluate request …`` records an exclusion or points adjustment
(剔除/申诉), ``evaluate approve|reject ID`` decides it, ``evaluate adjustments`` lists them with
their audit trail. Only approved adjustments count.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from hotline.bootstrap import build_hotline
from hotline.domain.scoring import ENTITY_KINDS, NOT_RATED
from hotline.entrypoints.cli.groups import command_group
from hotline.entrypoints.cli.output import JsonOpt, emit_json, emit_value, fail, log

if TYPE_CHECKING:
    from hotline.services.evaluation.monthly import EvaluationReport, WhatIf

evaluate_app = command_group(no_args_is_help=False)

MonthOpt = Annotated[str | None, typer.Option("--month", help="月份 YYYY-MM")]
SchemeOpt = Annotated[
    str | None, typer.Option("--scheme", help="考评方案：YAML 文件或内置名称；省略用城市配置")
]
CompareOpt = Annotated[
    str | None, typer.Option("--compare-scheme", help="另一方案：同月按它再算一遍并列出差异")
]
EntityOpt = Annotated[str, typer.Option("--entity", help=f"考评对象：{'/'.join(ENTITY_KINDS)}")]
ByOpt = Annotated[str, typer.Option("--by", help="操作人（系统用户名，记入审计）")]


def _results_table(report: EvaluationReport) -> Table:
    title = f"{report.month} {report.entity_label}考评（{report.scheme.name}）"
    table = Table(title=title)
    for column in ("名次", "对象", "得分", "基准线", "红黑榜", "资金(元)"):
        table.add_column(column)
    lists = {"red": "红榜", "black": "黑榜"}
    for row in report.results:
        if not row.rated:  # 无考核数据: listed, with nothing to rank or pay
            table.add_row("", row.name, "", NOT_RATED, "", "")
            continue
        passed = "达标" if all(row.baseline_passed.values()) else "未达标"
        named = "、".join(lists[x] for x in row.lists)
        table.add_row(str(row.rank), row.name, f"{row.score:.2f}", passed, named,
                      f"{row.amount:+,.0f}")  # fmt: skip
    return table


def _or_blank(value: Any, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def _differences_table(what_if: WhatIf) -> Table:
    table = Table(title=f"换用「{what_if.scheme.name}」的差异")
    for column in ("对象", "得分", "名次", "资金(元)"):
        table.add_column(column)
    for change in what_if.changes:
        d = change.difference
        table.add_row(
            d.entity,
            f"{_or_blank(d.score_before, '.2f')} → {_or_blank(d.score_after, '.2f')}",
            f"{_or_blank(d.rank_before, 'd')} → {_or_blank(d.rank_after, 'd')}",
            f"{_or_blank(d.amount_before, '+,.0f')} → {_or_blank(d.amount_after, '+,.0f')}",
        )
    return table


def _show(month: str | None, scheme: str | None, compare: str | None, entity: str,
          json_output: bool) -> None:  # fmt: skip
    from hotline.services.evaluation.monthly import evaluation_report

    if month is None:
        fail("须提供 --month YYYY-MM")
    hotline = build_hotline()
    report = evaluation_report(hotline, month, hotline.now(), scheme, entity, compare)
    if json_output:
        emit_json(report.as_data())
        return
    console = Console(width=max(Console().width, 120))
    console.print(_results_table(report))
    if report.what_if is not None:
        console.print(_differences_table(report.what_if))
    emit_value(len(report.results))


@evaluate_app.callback(invoke_without_command=True)
def evaluate(
    ctx: typer.Context,
    month: MonthOpt = None,
    scheme: SchemeOpt = None,
    compare_scheme: CompareOpt = None,
    entity: EntityOpt = "district",
    json_output: JsonOpt = False,
) -> None:
    """Score, rank, list and fund every entity for a month, line by line."""
    if ctx.invoked_subcommand is None:
        _show(month, scheme, compare_scheme, entity, json_output)


def _emit_adjustment(row: dict[str, Any], json_output: bool) -> None:
    if json_output:
        emit_json(row)
        return
    log(f"第 {row['id']} 号考评调整：{row['status_label']}")
    emit_value(row["id"])


@evaluate_app.command("request")
def request(
    month: Annotated[str, typer.Option("--month", help="月份 YYYY-MM")],
    reason: Annotated[str, typer.Option("--reason", help="理由（申诉或剔除依据）")],
    by: ByOpt,
    case: Annotated[str | None, typer.Option("--case", help="剔除：工单编号")] = None,
    target: Annotated[
        str | None,
        typer.Option("--target", help="剔除：从哪个指标或扣分项剔除，如 result_satisfaction"),
    ] = None,
    entity_kind: Annotated[str | None, typer.Option("--entity", help="加减分：对象类型")] = None,
    entity_code: Annotated[str | None, typer.Option("--code", help="加减分：对象代码")] = None,
    points: Annotated[float | None, typer.Option("--points", help="加减分：分值，负数为减")] = None,
    json_output: JsonOpt = False,
) -> None:
    """Record an exclusion (--case, --target) or a points adjustment (--entity, --code,
    --points); it counts only once approved."""
    from hotline.services.evaluation.adjustments import (
        AdjustmentRequest,
        actor_by_name,
        request_adjustment,
    )

    hotline = build_hotline()
    kind = "points" if points is not None else "exclude"
    data = AdjustmentRequest(month, kind, reason, case, target, entity_kind, entity_code,
                             points)  # fmt: skip
    row = request_adjustment(hotline, actor_by_name(hotline, by), data, hotline.now())
    _emit_adjustment(row, json_output)


def _decide(adjustment_id: int, approve: bool, note: str, by: str, json_output: bool) -> None:
    from hotline.services.evaluation.adjustments import actor_by_name, decide_adjustment

    hotline = build_hotline()
    actor = actor_by_name(hotline, by)
    row = decide_adjustment(hotline, actor, adjustment_id, approve, note, hotline.now())
    _emit_adjustment(row, json_output)


NoteOpt = Annotated[str, typer.Option("--note", help="审批意见")]


@evaluate_app.command("approve")
def approve(adjustment_id: int, note: NoteOpt, by: ByOpt, json_output: JsonOpt = False) -> None:
    """Approve a pending adjustment (city leaders and administrators, not the requester)."""
    _decide(adjustment_id, True, note, by, json_output)


@evaluate_app.command("reject")
def reject(adjustment_id: int, note: NoteOpt, by: ByOpt, json_output: JsonOpt = False) -> None:
    """Reject a pending adjustment; it never counts."""
    _decide(adjustment_id, False, note, by, json_output)


@evaluate_app.command("adjustments")
def adjustments(
    by: ByOpt,
    month: MonthOpt = None,
    status: Annotated[
        str | None, typer.Option("--status", help="pending/approved/rejected")
    ] = None,
    json_output: JsonOpt = False,
) -> None:
    """List adjustments with who requested and decided them, and when."""
    from hotline.services.evaluation.adjustments import actor_by_name, list_adjustments

    hotline = build_hotline()
    rows = list_adjustments(hotline, actor_by_name(hotline, by), month, status)
    if json_output:
        emit_json({"items": rows})
        return
    for row in rows:
        what = row["case"] or f"{row['entity_code']} {row['points']:+g} 分"
        decided = row["decided_by"] or "—"
        log(f"#{row['id']} {row['month']} {what} {row['target_label'] or ''} "
            f"{row['status_label']} 申请 {row['requested_by']} 审批 {decided}")  # fmt: skip
    emit_value(len(rows))
