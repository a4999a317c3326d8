"""``hotline demo``: a living Jinan on the configured database (docs/cli.md, decision 0033).

The engine (``hotline.demo``) writes the cases through the pure handlers and the bulk sink; this
command refuses production, shows its progress on stderr, then finishes as a centre would after a
year: the classifier retrained on the closed cases' final categories and deployed, and the last
7 daily notices, 4 weekly summaries and 2 monthly reports stored (older periods are history
nobody is mailed; the worker produces the next ones on its schedule).

On a database that already holds a demo, the same command is a catch-up: it generates the days
since the demo's last day, so that ``make run`` keeps the city current.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Annotated, Any

import typer

from hotline.bootstrap import build_hotline
from hotline.entrypoints.cli.output import JsonOpt, emit_json, fail, log, stderr

if TYPE_CHECKING:
    from hotline.demo import DemoSummary
    from hotline.services.context import Hotline

# How many of each kind's latest periods are stored before serving (issue 17).
RECENT_EDITIONS = {"daily": 7, "weekly": 4, "monthly": 2}
# Within a past --end, the demo's moment is its last day at 16:00 (the engine's rule): the day's
# cases are in, the evening's daily notice not yet due.
PAST_END_AT = time(16, 0)


@dataclass(frozen=True)
class DemoOptions:
    months: int
    per_day: float
    seed: int
    end: date
    retrain: bool
    editions: bool


def demo_command(
    months: Annotated[int, typer.Option("--months", help="历史长度（月），截至 --end")] = 13,
    per_day: Annotated[float, typer.Option("--per-day", help="平均每天的工单数")] = 40.0,
    seed: Annotated[int, typer.Option("--seed", help="随机种子：种子与截止日相同，数据相同")] = 42,
    end: Annotated[
        str | None, typer.Option("--end", help="最后生成的一天 YYYY-MM-DD（默认今天）")
    ] = None,
    retrain: Annotated[
        bool, typer.Option("--retrain/--no-retrain", help="结束时用已结案工单重训并部署分类模型")
    ] = True,
    editions: Annotated[
        bool, typer.Option("--editions/--no-editions", help="结束时存档最近的日报、周报、月报")
    ] = True,
    skip_real: Annotated[
        bool,
        typer.Option("--skip-real", help="库中已有非演示工单时跳过（退出码 0），供 make run 使用"),
    ] = False,
    json_output: JsonOpt = False,
) -> None:
    """Build a demo city (13 months ending today, ≈40 cases a day), or catch an earlier demo up
    to --end; refused when HOTLINE_ENV=production and on a database with other cases."""
    from hotline.services.accounts.demo_users import refuse_in_production
    from hotline.services.demo_runs import demo_state, refuse_foreign

    hotline = build_hotline()
    refuse_in_production(hotline, "生成演示数据")
    options = DemoOptions(months, per_day, seed, _end_day(hotline, end), retrain, editions)
    state = demo_state(hotline)
    if state.foreign and skip_real:
        log(f"数据库已有 {state.cases} 件非演示工单：不生成演示数据")
        if json_output:
            emit_json({"demo": None, "skipped": "not_a_demo_database", "cases": state.cases})
        return
    refuse_foreign(state)
    document = run_demo(hotline, options)
    if json_output:
        emit_json(document)
    else:
        _print(document)


def _end_day(hotline: Hotline, value: str | None) -> date:
    today = hotline.now().astimezone(hotline.settings.tz).date()
    if value is None:
        return today
    try:
        day = date.fromisoformat(value)
    except ValueError:
        fail(f"--end 须为日期 YYYY-MM-DD：{value}")
    if day > today:
        fail(f"--end 不能晚于今天（{today}）：{value}")
    return day


def demo_moment(hotline: Hotline, end: date) -> datetime:
    """The moment the demo stands at: now if it ends today, else its last day at 16:00."""
    now = hotline.now()
    if end >= now.astimezone(hotline.settings.tz).date():
        return now
    return datetime.combine(end, PAST_END_AT, tzinfo=hotline.settings.tz)


def run_demo(hotline: Hotline, options: DemoOptions) -> dict[str, Any]:
    from hotline.services.demo_runs import record_demo_run

    summary = _generate(hotline, options)
    moment = demo_moment(hotline, options.end)
    if summary.cases:
        record_demo_run(hotline, first_day=summary.first_day, last_day=summary.last_day,
                        seed=options.seed, per_day=options.per_day, cases=summary.cases,
                        now=hotline.now())  # fmt: skip
    fresh = summary.caught_up_from is None
    document: dict[str, Any] = {
        "demo": _summary_data(summary),
        "classifier": _retrain(hotline, moment) if options.retrain and fresh else None,
        "editions": _store_recent_editions(hotline, moment) if options.editions else [],
    }
    return document


def _generate(hotline: Hotline, options: DemoOptions) -> DemoSummary:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from hotline.demo import build_demo

    columns = (*Progress.get_default_columns()[:1], BarColumn(), MofNCompleteColumn(),
               TimeRemainingColumn())  # fmt: skip
    with Progress(*columns, console=stderr, transient=False) as bar:
        task = bar.add_task("生成演示工单", total=None)

        def progress(done: int, planned: int) -> None:
            bar.update(task, completed=done, total=planned)

        return build_demo(
            hotline,
            end=options.end,
            months=options.months,
            per_day=options.per_day,
            seed=options.seed,
            progress=progress,
        )


def _summary_data(summary: DemoSummary) -> dict[str, Any]:
    data = asdict(summary)
    data["seconds"] = round(summary.seconds, 2)
    data["cases_per_second"] = round(summary.cases_per_second, 1)
    return data


def _retrain(hotline: Hotline, moment: datetime) -> dict[str, Any]:
    """What `hotline classifier train --from-db --deploy` does, on every closed case: the report
    says what the model was trained on and whether it was deployed."""
    from hotline.domain.errors import InvalidInput
    from hotline.services.classifier.training import RetrainRequest, retrain_from_cases

    try:
        with stderr.status("用已结案工单的最终类别训练分类模型…"):
            result = retrain_from_cases(hotline, RetrainRequest(deploy=True), moment, log)
    except InvalidInput as refusal:  # a tiny demo: too few closed cases; the cases stay
        log(f"[yellow]未训练分类模型：[/]{refusal.detail}")
        return {"trained_on": None, "deployed": None, "decision": refusal.detail}
    deployed = result["deployed"]
    return {
        "trained_on": {
            "source": "已结案工单的最终类别",
            "closed_cases": result["cases"],
            "classes": len(result["classes"]),
            "training_cases": result["training_cases"],
            "held_out_cases": result["held_out_cases"],
        },
        "macro_f1": result["candidate"]["metrics"].get("macro_f1"),
        "accuracy": result["candidate"]["metrics"].get("accuracy"),
        "version": result["candidate"]["version"],
        "deployed": deployed["version"] if deployed else None,
        "decision": result["decision"]["reason"],
    }


def recent_periods(
    due: list[tuple[str, str]], counts: dict[str, int] = RECENT_EDITIONS
) -> list[tuple[str, str]]:
    """From each kind's latest due period, that period and the ones before it, oldest first."""
    periods: list[tuple[str, str]] = []
    for kind, latest in due:
        keys = [latest]
        while len(keys) < counts.get(kind, 0):
            keys.append(_previous_key(kind, keys[-1]))
        periods.extend((kind, key) for key in reversed(keys))
    return periods


def _previous_key(kind: str, key: str) -> str:
    if kind == "daily":
        return (date.fromisoformat(key) - timedelta(days=1)).isoformat()
    if kind == "weekly":
        year, week = key.split("-W")
        monday = date.fromisocalendar(int(year), int(week), 1) - timedelta(days=7)
        iso = monday.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    first = date.fromisoformat(f"{key}-01")
    return f"{first - timedelta(days=1):%Y-%m}"


def _store_recent_editions(hotline: Hotline, moment: datetime) -> list[dict[str, Any]]:
    """Produce and store the latest periods' editions (each once: a period already stored is
    skipped), so the report pages are not empty before the worker's first pass."""
    from hotline.services.reporting.editions import due_periods, produce_edition
    from hotline.services.reporting.production import produce_formats

    local = moment.astimezone(hotline.settings.tz)
    periods = recent_periods(due_periods(hotline.profile.reports.schedule, local))
    stored = []
    with stderr.status("存档最近的当日通报、周汇报、月度报告…") as status:
        for kind, key in periods:
            status.update(f"存档 {kind} {key}…")
            result = produce_edition(hotline, kind, key, produce_formats, moment)
            stored.append({"kind": kind, "key": key, "stored": result is not None})
    return stored


def _print(document: dict[str, Any]) -> None:
    demo = document["demo"]
    if demo["caught_up_from"]:
        log(f"补齐 {demo['caught_up_from']} 至 {demo['last_day']}：{demo['cases']} 件")
    else:
        log(f"演示数据 {demo['first_day']} 至 {demo['last_day']}：{demo['cases']} 件，"
            f"{demo['seconds']} 秒（{demo['cases_per_second']} 件/秒）")  # fmt: skip
    classifier = document["classifier"]
    if classifier and classifier["trained_on"]:
        trained = classifier["trained_on"]
        log(f"分类模型：用 {trained['closed_cases']} 件已结案工单的最终类别训练"
            f"（{trained['classes']} 类），宏平均 F1 {classifier['macro_f1']}，"
            f"部署 {classifier['deployed'] or '否'}（{classifier['decision']}）")  # fmt: skip
    stored = [f"{e['kind']} {e['key']}" for e in document["editions"] if e["stored"]]
    if document["editions"]:
        log(f"存档通报与报表 {len(stored)} 期：{'、'.join(stored) or '均已存在'}")
