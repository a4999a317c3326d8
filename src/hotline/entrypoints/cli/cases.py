"""``hotline case show|verify-history``: read a case, check history hash chains."""

from __future__ import annotations

from typing import Annotated

import typer

from hotline.bootstrap import build_hotline
from hotline.domain.roles import SYSTEM
from hotline.entrypoints.cli.groups import command_group
from hotline.entrypoints.cli.output import JsonOpt, emit_json, fail, log

case_app = command_group()


@case_app.command("show")
def case_show(number: str) -> None:
    """Print one case (caller data masked) with its history as JSON."""
    from hotline.services.cases.views import get_case

    emit_json(get_case(build_hotline(), number, SYSTEM))


@case_app.command("verify-history")
def verify_history(
    number: Annotated[str | None, typer.Argument(help="工单编号；省略则校验全部")] = None,
    json_output: JsonOpt = False,
) -> None:
    """Check the hash chain of one case's history, or of every case; exit 1 on a break."""
    from sqlalchemy import select

    from hotline.adapters.db.models import Case
    from hotline.services.cases.history import verify_case_history

    hotline = build_hotline()
    broken: list[dict[str, object]] = []
    checked = 0
    with hotline.db.transaction() as session:
        stmt = select(Case).order_by(Case.id)
        if number:
            stmt = stmt.where(Case.number == number)
        for case in session.scalars(stmt):
            report = verify_case_history(session, case)
            checked += 1
            if not report.ok:
                broken.append(
                    {"number": case.number, "problem": report.problem, "seq": report.bad_seq}
                )
    if number and checked == 0:
        fail(f"未找到工单 {number}")
    if json_output:
        emit_json({"checked": checked, "broken": broken})
    else:
        log(f"已校验 {checked} 件工单的历史，{len(broken)} 件有断裂")
        for item in broken:
            log(f"  {item['number']}: {item['problem']}")
    if broken:
        raise typer.Exit(code=1)
