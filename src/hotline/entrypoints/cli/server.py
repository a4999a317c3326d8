"""``hotline serve``, ``hotline worker`` and ``hotline sweep``: the long-running processes and the
deadline sweep they also run."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from hotline.bootstrap import build_hotline
from hotline.entrypoints.cli.output import JsonOpt, emit_json, emit_value, log


def serve_command(
    host: Annotated[str, typer.Option(help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口")] = 8000,
) -> None:
    """Serve the JSON API, Open311 and the workbench (uvicorn)."""
    import uvicorn

    from hotline.entrypoints.web.app import create_app

    log(f"hotline 服务启动：http://{host}:{port}")
    uvicorn.run(create_app(build_hotline()), host=host, port=port, log_level="info")


def worker_command(
    once: Annotated[bool, typer.Option("--once", help="处理完到期任务后退出")] = False,
    json_output: JsonOpt = False,
) -> None:
    """Run outbox jobs (enrichment, notifications) after commit."""
    from hotline.entrypoints.worker import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    stats = run_worker(build_hotline(), once=once)
    if json_output:
        emit_json(
            {"done": stats.done, "failed": stats.failed, "kinds": stats.kinds, "swept": stats.swept}
        )
    else:
        log(f"完成 {stats.done} 个任务，失败 {stats.failed} 个，时限预警/超期 {stats.swept} 件")


def sweep_command(json_output: JsonOpt = False) -> None:
    """Raise the deadline warnings and breaches due now (the worker also does this)."""
    from hotline.services.actions.sweeps import sweep_deadlines

    hotline = build_hotline()
    report = sweep_deadlines(hotline, hotline.now())
    if json_output:
        emit_json({"raised": report.raised, "total": report.total})
    else:
        log(f"新预警/超期：{report.raised}")
        emit_value(report.total)
