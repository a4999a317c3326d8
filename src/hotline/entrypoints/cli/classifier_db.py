"""``hotline classifier train --from-db`` and ``hotline classifier report``: the classifier and
the case database (retraining on closed cases; production accuracy). The use cases are
``services.classifier.training`` and ``reports.classifier_accuracy``; this module reads options
and prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from hotline.bootstrap import build_hotline
from hotline.entrypoints.cli.output import JsonOpt, emit_json, emit_value, fail, log, stderr

if TYPE_CHECKING:
    from hotline.classify.model import TrainingConfig


@dataclass(frozen=True)
class DbTraining:
    """The ``train --from-db`` options as given (None: the service's default)."""

    from_: str | None
    to: str | None
    holdout: float | None
    min_cases: int | None
    model: Path | None
    deploy: bool
    force: bool


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option} 须为日期 YYYY-MM-DD：{value}")


def _console() -> Console:
    return Console(width=max(Console().width, 120))


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.4f}"


def _comparison_table(result: dict[str, Any]) -> Table:
    current = result["current"]
    table = Table(title=f"留出 {result['held_out_cases']} 件上的比较（新模型 vs 当前模型）")
    for column in ("指标", "新模型", f"当前模型 {current['version'] or '（无）'}", "变化"):
        table.add_column(column)
    names = {"accuracy": "准确率", "macro_f1": "宏平均 F1", "top3_accuracy": "前三命中率"}
    comparison = result["comparison"]
    for key, name in names.items():
        row = comparison[key]
        change = "—" if row["change"] is None else f"{row['change']:+.4f}"
        table.add_row(name, _number(row["candidate"]), _number(row["current"]), change)
    for code, row in comparison["per_class"].items():
        f1 = (_number(row["candidate_f1"]), _number(row["current_f1"]))
        table.add_row(f"F1 {code}（{row['support']} 件）", *f1, "")
    return table


def _print_training(result: dict[str, Any]) -> None:
    _console().print(_comparison_table(result))
    decision = result["decision"]
    if result["current"]["status"] not in ("ok", "none"):
        log(f"[yellow]当前部署的模型无法使用：[/]{result['current']['status']}")
    split = f"训练 {result['training_cases']}，留出 {result['held_out_cases']}"
    emit_value(f"cases: {result['cases']}（{split}）")
    emit_value(f"candidate: {result['candidate']['model']}")
    emit_value(f"decision: {decision['reason']}")
    deployed = result["deployed"]
    emit_value(f"deployed: {deployed['version'] if deployed else 'no'}")


def train_from_db(options: DbTraining, config: TrainingConfig | None, as_json: bool) -> None:
    from hotline.services.classifier.training import MIN_CASES, RetrainRequest, retrain_from_cases

    request = RetrainRequest(
        start_on=_date(options.from_, "--from"),
        end_on=_date(options.to, "--to"),
        holdout=0.2 if options.holdout is None else options.holdout,
        model_path=options.model,
        deploy=options.deploy,
        force=options.force,
        min_cases=MIN_CASES if options.min_cases is None else options.min_cases,
        config=config,
    )
    with stderr.status("从已结案工单训练中…"):
        hotline = build_hotline()
        result = retrain_from_cases(hotline, request, hotline.now(), progress=log)
    if as_json:
        emit_json(result)
    else:
        _print_training(result)


def _percent(figure: dict[str, Any]) -> str:
    value = figure["value"]
    share = "—" if value is None else f"{value * 100:.2f}%"
    return f"{share} ({figure['numerator']}/{figure['denominator']})"


TOTAL_ROWS = (
    "coverage", "top1_agreement", "top3_agreement", "override_rate", "resort_rate", "accuracy",
    "top3_accuracy",
)  # fmt: skip


def _total_table(report: dict[str, Any]) -> Table:
    period = report["period"]
    table = Table(title=f"分类模型生产准确率 {period['from']} 至 {period['to']}")
    for column in ("指标", "数值（分子/分母）", "公式"):
        table.add_column(column)
    for key in TOTAL_ROWS:
        definition = report["definitions"][key]
        table.add_row(definition["name"], _percent(report["total"][key]), definition["formula"])
    return table


def _version_table(report: dict[str, Any]) -> Table:
    table = Table(title="按模型版本")
    for column in ("模型版本", "有建议", "首选采纳率", "改判率", "准确率", "前三准确率"):
        table.add_column(column)
    for row in report["per_model_version"]:
        keys = ("top1_agreement", "override_rate", "accuracy", "top3_accuracy")
        table.add_row(
            row["model_version"], str(row["suggested"]), *(_percent(row[k]) for k in keys)
        )
    return table


def _category_table(report: dict[str, Any]) -> Table:
    table = Table(title="按最终类别")
    for column in ("类别", "受理", "有建议", "准确率(召回)", "精确率", "前三准确率", "改判率"):
        table.add_column(column)
    for row in report["per_category"]:
        keys = ("accuracy", "precision", "top3_accuracy", "override_rate")
        name = f"{row['code']} {row['name']}" if row["name"] != row["code"] else row["code"]
        table.add_row(
            name, str(row["cases"]), str(row["suggested"]), *(_percent(row[k]) for k in keys)
        )
    return table


def report_command(
    from_: Annotated[str, typer.Option("--from", help="受理日期起 YYYY-MM-DD（含）")],
    to: Annotated[str, typer.Option("--to", help="受理日期止 YYYY-MM-DD（含）")],
    as_json: JsonOpt = False,
) -> None:
    """分类模型的生产准确率：建议覆盖率、采纳/改判率、对最终类别的准确率，按类别和模型版本。"""
    from hotline.domain.indicators import Period
    from hotline.reports.classifier_accuracy import classifier_report

    start, end = _date(from_, "--from"), _date(to, "--to")
    assert start is not None and end is not None  # both options are required
    report = classifier_report(build_hotline().db, Period(start, end))
    if as_json:
        emit_json(report)
        return
    console = _console()
    for table in (_total_table(report), _version_table(report), _category_table(report)):
        console.print(table)
