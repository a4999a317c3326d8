"""``hotline serve``, ``hotline worker``, ``hotline run`` (both together) and ``hotline sweep``: the
long-running processes and the deadline sweep they also run."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import TYPE_CHECKING, Annotated

import typer

from hotline.bootstrap import build_hotline
from hotline.entrypoints.cli.output import JsonOpt, emit_json, emit_value, fail, log

if TYPE_CHECKING:
    from hotline.services.context import Hotline


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
    from hotline.entrypoints.worker import run_worker, stop_on_signals

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    hotline = build_hotline()
    logging.getLogger("hotline.entrypoints.worker").info("worker started (pid %d)", os.getpid())
    stats = run_worker(hotline, once=once, stop=stop_on_signals())
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


# How long the server and the worker get to finish what they have in hand after SIGTERM; a
# month's report can take a while on a big ledger, a request a few seconds.
STOP_GRACE_SECONDS = 30.0


def run_command(
    host: Annotated[str, typer.Option(help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口")] = 8000,
    live: Annotated[
        bool, typer.Option("--live", help="演示：运行期间经由受理服务陆续新增工单")
    ] = False,
    live_every: Annotated[
        float, typer.Option("--live-every", min=1.0, help="--live 时每隔几秒新增一件")
    ] = 30.0,
) -> None:
    """Serve and work together: `hotline serve` and `hotline worker` as two processes, Ctrl-C
    (SIGINT) or SIGTERM stops both; either ending by itself stops the other (exit 1). With
    --live, new complaints keep arriving through the intake service (refused in production)."""
    from hotline.entrypoints.cli.supervisor import Supervisor, hotline_child

    hotline = build_hotline()
    if live:
        from hotline.services.accounts.demo_users import refuse_in_production

        refuse_in_production(hotline, "运行演示的实时受理（--live）")
    if hotline.settings.is_demo:
        _print_demo_users(hotline)
    supervisor = Supervisor(
        [
            hotline_child("server", "serve", "--host", host, "--port", str(port)),
            hotline_child("worker", "worker"),
        ],
        grace_seconds=STOP_GRACE_SECONDS,
    )
    supervisor.catch_signals()
    supervisor.start()
    pids = "，".join(f"{child.name} pid {child.pid}" for child in supervisor.children)
    log(f"hotline 运行中：http://{host}:{port}（{pids}）；Ctrl-C 同时停止服务与后台任务")
    with _live_feed(hotline, live_every) if live else nullcontext():
        outcome = supervisor.wait()
    if outcome.failed is not None:
        fail(f"{outcome.failed} 意外退出（退出码 {outcome.returncode}），已停止其余进程", 1)
    log("服务与后台任务均已停止")


@contextmanager
def _live_feed(hotline: Hotline, every_seconds: float) -> Iterator[None]:
    """The live feed in a thread of the supervising process, stopped before the children are."""
    import threading

    from hotline.entrypoints.cli.live import feed

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    stop = threading.Event()
    thread = threading.Thread(target=feed, args=(hotline, stop, every_seconds), daemon=True)
    thread.start()
    log(f"实时受理：每 {every_seconds:g} 秒一件（--live）")
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=STOP_GRACE_SECONDS)


def _print_demo_users(hotline: Hotline) -> None:
    """Demo mode only: the accounts and their shared password, right before the server starts,
    so that they are on the screen when the browser opens."""
    from hotline.services.accounts.demo_users import DEMO_PASSWORD, present_demo_users

    people = present_demo_users(hotline)
    if not people:
        return
    log(f"演示账户（HOTLINE_ENV=demo；密码均为 [bold]{DEMO_PASSWORD}[/]，仅供演示）：")
    for person in people:
        log(f"  {person.name:<8} {person.role:<11} {person.display_name}（{person.scope}）")
