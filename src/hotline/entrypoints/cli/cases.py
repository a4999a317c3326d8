"""``hotline case show|verify-history``: read a case, check history hash chains."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from hotline.bootstrap import build_hotline, utc_now
from hotline.domain.roles import SYSTEM
from hotline.entrypoints.cli.groups import command_group
from hotline.entrypoints.cli.output import JsonOpt, emit_json, log

case_app = command_group()


@case_app.command("show")
def case_show(number: str) -> None:
    """Print one case (caller data masked) with its history as JSON."""
    from hotline.services.cases.views import get_case

    emit_json(get_case(build_hotline(), number, SYSTEM, utc_now()))


@case_app.command("verify-history")
def verify_history(
    number: Annotated[str | None, typer.Argument(help="工单编号；省略则校验全部")] = None,
    json_output: JsonOpt = False,
) -> None:
    """Check the hash chain of one case's history, or of every case; exit 1 on a break."""
    from hotline.services.cases.history_check import verify_histories

    result = verify_histories(build_hotline(), number)  # an unknown number is refused (exit 2)
    if json_output:
        emit_json({"checked": result.checked, "broken": [asdict(b) for b in result.broken]})
    else:
        log(f"已校验 {result.checked} 件工单的历史，{len(result.broken)} 件有断裂")
        for chain in result.broken:
            log(f"  {chain.number}: {chain.problem}")
    if result.broken:
        raise typer.Exit(code=1)
