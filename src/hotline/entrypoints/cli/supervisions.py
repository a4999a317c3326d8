"""``hotline supervisions``: open a supervision (督办单) of a case and list them, naming whom
each reaches — and warning on stderr when a 一把手督办 targets a unit without a named head, so
that it is fixed rather than sent to nobody (issue 18 item 7).

``open --case N --level head --reason … --by USER`` opens one as that user (a supervisor);
``list --by USER [--level] [--unit] [--district] [--status open] [--json]`` lists them as that
user may see them.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from hotline.bootstrap import build_hotline
from hotline.entrypoints.cli.groups import command_group
from hotline.entrypoints.cli.output import JsonOpt, emit_json, emit_value, log

supervisions_app = command_group()

ByOpt = Annotated[str, typer.Option("--by", help="操作人（系统用户名，记入审计）")]
LEVELS = "urge 催办 | supervise 督办 | priority 重点督办 | head 一把手督办"


def _warn(item: dict[str, Any]) -> None:
    if item.get("warning"):
        log(f"警告：督办单 #{item['id']} {item['warning']}")


@supervisions_app.command("open")
def open_command(
    case: Annotated[str, typer.Option("--case", help="工单编号")],
    level: Annotated[str, typer.Option("--level", help=LEVELS)],
    reason: Annotated[str, typer.Option("--reason", help="督办原因")],
    by: ByOpt,
    json_output: JsonOpt = False,
) -> None:
    """Open a supervision of a dispatched case; says whom it reaches, and warns on stderr when
    a 一把手督办's unit has no named head."""
    from hotline.services.evaluation.adjustments import actor_by_name
    from hotline.services.ledger.supervision import supervise_case, supervision_view

    hotline = build_hotline()
    actor = actor_by_name(hotline, by)
    opened = supervise_case(hotline, case, level, reason, actor, hotline.now())
    item = supervision_view(hotline, opened)
    if json_output:
        emit_json(item)
    else:
        log(f"已发起{item['level_label']} #{opened}：{item['contact'] or '（无督办对象）'}")
    _warn(item)
    if not json_output:
        emit_value(opened)


@supervisions_app.command("list")
def list_command(
    by: ByOpt,
    level: Annotated[str | None, typer.Option("--level", help=LEVELS)] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="督办对象单位代码")] = None,
    district: Annotated[str | None, typer.Option("--district", help="区县代码")] = None,
    status: Annotated[str, typer.Option("--status", help="open | responded | closed")] = "open",
    json_output: JsonOpt = False,
) -> None:
    """Supervisions newest first, each with whom it reaches; warnings on stderr."""
    from hotline.services.evaluation.adjustments import actor_by_name
    from hotline.services.ledger.supervision import list_supervisions

    hotline = build_hotline()
    items = list_supervisions(
        hotline, actor_by_name(hotline, by), level=level, unit=unit, district=district,
        status=status,
    )  # fmt: skip
    if json_output:
        emit_json({"items": items})
    else:
        for item in items:
            log(f"#{item['id']} {item['level_label']} {item['case'] or ''} {item['status']} "
                f"→ {item['contact'] or item['unit'] or ''}")  # fmt: skip
        emit_value(len(items))
    for item in items:
        _warn(item)
