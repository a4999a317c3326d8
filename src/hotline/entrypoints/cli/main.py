"""``hotline``: serve, db, seed, user, worker, retention, calendar, classifier, case."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from hotline.bootstrap import build_hotline
from hotline.domain.errors import DomainError
from hotline.entrypoints.cli.answers import answers_app
from hotline.entrypoints.cli.apikey import apikey_app
from hotline.entrypoints.cli.calendar import calendar_app
from hotline.entrypoints.cli.cases import case_app
from hotline.entrypoints.cli.classifier import classifier_app
from hotline.entrypoints.cli.db import db_app, seed_command
from hotline.entrypoints.cli.editions import editions_app
from hotline.entrypoints.cli.evaluate import evaluate_app
from hotline.entrypoints.cli.hotspots import hotspots_command
from hotline.entrypoints.cli.indicators import indicators_app
from hotline.entrypoints.cli.locate import locate_command, route_command
from hotline.entrypoints.cli.openapi import openapi_command
from hotline.entrypoints.cli.org import org_app
from hotline.entrypoints.cli.output import emit_json, emit_value, log, stderr
from hotline.entrypoints.cli.problems import problems_app
from hotline.entrypoints.cli.repeats import repeats_app
from hotline.entrypoints.cli.report import report_app
from hotline.entrypoints.cli.search import search_app
from hotline.entrypoints.cli.taxonomy import taxonomy_app
from hotline.entrypoints.cli.users import retention_app, user_app
from hotline.entrypoints.worker import run_worker
from hotline.services.actions.sweeps import sweep_deadlines

app = typer.Typer(
    help="城管热线工单系统 hotline", no_args_is_help=True, pretty_exceptions_enable=False
)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(retention_app, name="retention")
app.add_typer(calendar_app, name="calendar")
app.add_typer(case_app, name="case")
app.add_typer(apikey_app, name="apikey")
app.add_typer(taxonomy_app, name="taxonomy")
app.add_typer(answers_app, name="answers")
app.add_typer(org_app, name="org")
app.add_typer(classifier_app, name="classifier")
app.add_typer(repeats_app, name="repeats")
app.add_typer(indicators_app, name="indicators")
app.add_typer(evaluate_app, name="evaluate")
app.add_typer(editions_app, name="editions")
app.add_typer(report_app, name="report")
app.add_typer(problems_app, name="problems")
app.add_typer(search_app, name="search")
app.command("locate")(locate_command)
app.command("route")(route_command)
app.command("seed")(seed_command)
app.command("hotspots")(hotspots_command)
app.command("openapi")(openapi_command)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口")] = 8000,
) -> None:
    """Serve the JSON API and Open311 (uvicorn)."""
    import uvicorn

    from hotline.entrypoints.web.app import create_app

    log(f"hotline 服务启动：http://{host}:{port}")
    uvicorn.run(create_app(build_hotline()), host=host, port=port, log_level="info")


@app.command()
def worker(
    once: Annotated[bool, typer.Option("--once", help="处理完到期任务后退出")] = False,
    json_output: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Run outbox jobs (enrichment, notifications) after commit."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    stats = run_worker(build_hotline(), once=once)
    if json_output:
        emit_json(
            {"done": stats.done, "failed": stats.failed, "kinds": stats.kinds, "swept": stats.swept}
        )
    else:
        log(f"完成 {stats.done} 个任务，失败 {stats.failed} 个，时限预警/超期 {stats.swept} 件")


@app.command()
def sweep(json_output: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Raise the deadline warnings and breaches due now (the worker also does this)."""
    hotline = build_hotline()
    report = sweep_deadlines(hotline, hotline.now())
    if json_output:
        emit_json({"raised": report.raised, "total": report.total})
    else:
        log(f"新预警/超期：{report.raised}")
        emit_value(report.total)


def main() -> None:
    """Entry point: a refusal from the services becomes a message on stderr and exit code 2."""
    try:
        app()
    except DomainError as exc:
        stderr.print(f"[bold red]错误:[/] {exc.detail}（{exc.code}）", highlight=False)
        raise SystemExit(2) from None
