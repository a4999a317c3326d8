"""``hotline search rebuild|check``: the case list's text-search index (docs/decisions/0018)."""

from __future__ import annotations

from typing import Annotated

import typer

from hotline.bootstrap import build_hotline
from hotline.entrypoints.cli.groups import command_group
from hotline.entrypoints.cli.output import JsonOpt, emit_json, fail, log

search_app = command_group()


@search_app.command("rebuild")
def rebuild_command(
    batch: Annotated[int, typer.Option(min=1, max=100_000, help="每批工单数")] = 2000,
    json_output: JsonOpt = False,
) -> None:
    """Recompute every case's search terms, batch by batch."""
    from hotline.services.cases.search_index import rebuild_search_index

    def progress(done: int) -> None:
        if done % (batch * 25) == 0:
            log(f"已重建 {done} 件")

    done = rebuild_search_index(build_hotline(), batch_size=batch, progress=progress)
    if json_output:
        emit_json({"cases": done})
    else:
        log(f"检索索引已重建：{done} 件工单")


@search_app.command("check")
def check_command(json_output: JsonOpt = False) -> None:
    """Compare every case's stored search terms with a recomputation; exit 1 if any differ."""
    from hotline.services.cases.search_index import check_search_index

    result = check_search_index(build_hotline())
    if json_output:
        emit_json({"stale_case_ids": result.stale_case_ids, "fts_intact": result.fts_intact})
    if not result.ok:
        shown = "、".join(map(str, result.stale_case_ids[:20]))
        count = len(result.stale_case_ids)
        fts = "" if result.fts_intact else "；FTS5 表不一致"
        fail(
            f"检索索引与工单内容不一致：{count} 件（{shown}）{fts}；请运行 hotline search rebuild",
            1,
        )
    if not json_output:
        log("检索索引与工单内容一致")
