"""``hotline repeats``: group historical complaints that are about the same problem.

``cluster`` reads a CSV (UTF-8 with or without BOM, or GB18030) or xlsx file and writes
``message_id,group_id``, one row per input row, ids exactly as given; a message that repeats
nothing gets a group of its own. Progress goes to stderr; stdout holds the output path, or with
``--json`` one summary document.
"""

from __future__ import annotations

import csv
import os
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from hotline.entrypoints.cli.groups import command_group
from hotline.entrypoints.cli.output import JsonOpt, emit_json, emit_value, fail, log, stderr

if TYPE_CHECKING:
    from hotline.repeats.scoring import RepeatDocument
    from hotline.repeats.tables import Table

repeats_app = command_group()


@repeats_app.callback()
def repeats() -> None:
    """重复投诉（挂号销账）：历史数据分组。"""  # a callback keeps ``cluster`` a subcommand


DEFAULT_TIMEZONE = "Asia/Shanghai"
LARGEST_SHOWN = 10


def _local_zone() -> ZoneInfo:
    name = os.environ.get("HOTLINE_TIMEZONE", DEFAULT_TIMEZONE)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        fail(f"未知时区 HOTLINE_TIMEZONE={escape(name)}")


@contextmanager
def _progress(total: int) -> Iterator[Any]:
    """A progress bar on stderr; yields the callback the grouping reports to."""
    columns = (TextColumn("比对中"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=stderr, transient=True) as progress:
        task = progress.add_task("cluster", total=total)
        yield lambda done: progress.advance(task, done)


def _documents(
    data: Path, id_column: str, text_columns: list[str], time_column: str | None
) -> list[RepeatDocument]:
    from hotline.repeats.tables import TableError, table_documents

    table = _read(data)
    try:
        return table_documents(
            table,
            id_column=id_column,
            text_columns=text_columns,
            time_column=time_column,
            tz=_local_zone(),
        )
    except TableError as exc:
        fail(escape(str(exc)))


def _write_groups(out: Path, docs: list[RepeatDocument], labels: list[int]) -> None:
    try:
        with out.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["message_id", "group_id"])
            writer.writerows(
                (doc.doc_id, label + 1) for doc, label in zip(docs, labels, strict=True)
            )
    except OSError as exc:
        fail(f"无法写入 {escape(str(out))}：{escape(exc.strerror or str(exc))}")


def _summary(docs: list[RepeatDocument], labels: list[int], seconds: float) -> dict[str, Any]:
    sizes = Counter(labels)
    members: dict[int, list[str]] = {}
    for doc, label in zip(docs, labels, strict=True):
        members.setdefault(label, []).append(doc.doc_id)
    largest = sorted(sizes.items(), key=lambda item: (-item[1], item[0]))[:LARGEST_SHOWN]
    return {
        "rows": len(docs),
        "groups": len(sizes),
        "groups_with_repeats": sum(1 for size in sizes.values() if size > 1),
        "rows_in_repeat_groups": sum(size for size in sizes.values() if size > 1),
        "largest_groups": [
            {"group_id": label + 1, "size": size, "message_ids": members[label][:LARGEST_SHOWN]}
            for label, size in largest
            if size > 1
        ],
        "seconds": round(seconds, 2),
    }


@repeats_app.command("cluster")
def cluster(
    data: Annotated[Path, typer.Option("--data", help="CSV（UTF-8/GB18030）或 xlsx 文件")],
    id_column: Annotated[str, typer.Option("--id-column", help="编号列")],
    text_column: Annotated[
        list[str], typer.Option("--text-column", help="文本列，可重复；多于一列时第一列视为标题")
    ],
    out: Annotated[Path, typer.Option("--out", help="输出 CSV：message_id,group_id")],
    time_column: Annotated[str | None, typer.Option("--time-column", help="时间列")] = None,
    window_days: Annotated[
        float | None, typer.Option("--window-days", min=0, help="只把相隔不超过 N 天的诉求分到一组")
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(
            "--threshold",
            min=0.001,
            max=1.0,
            help="合并两组所需的平均相似度（默认见 docs/repeats.md）",
        ),
    ] = None,
    json_output: JsonOpt = False,
) -> None:
    """Group the rows of a file by the problem they are about (no time window unless asked)."""
    from hotline.repeats.grouping import GroupingOptions, group_documents

    if window_days is not None and time_column is None:
        fail("--window-days 需要同时给出 --time-column")
    started = time.perf_counter()
    docs = _documents(data, id_column, text_column, time_column)
    options = GroupingOptions(window_days=window_days)
    if threshold is not None:  # left out: the default of docs/repeats.md
        options = replace(options, threshold=threshold)
    with _progress(len(docs)) as advance:
        labels = group_documents(docs, options, progress=advance)
    _write_groups(out, docs, labels)
    summary = _summary(docs, labels, time.perf_counter() - started)
    log(
        f"{summary['rows']} 行分为 {summary['groups']} 组，"
        f"其中 {summary['groups_with_repeats']} 组有重复（{summary['rows_in_repeat_groups']} 行），"
        f"用时 {summary['seconds']} 秒"
    )
    if json_output:
        emit_json(
            {**summary, "out": str(out), "threshold": options.threshold, "window_days": window_days}
        )
    else:
        emit_value(out)


GROUP_HEADER = ["message_id", "group_id"]


def _read(path: Path) -> Table:
    """A CSV or xlsx file as a table; one it cannot read ends the command with the reason."""
    from hotline.repeats.tables import TableError, read_table

    try:
        return read_table(path)
    except TableError as exc:
        fail(escape(str(exc)))


SHOWN_UNKNOWN = 20


def _read_groups(path: Path) -> list[tuple[str, str]]:
    """``message_id,group_id`` rows; duplicate or blank ids are refused, naming them."""
    from hotline.repeats.tables import cell_text

    table = _read(path)
    if table.columns[:2] != GROUP_HEADER:
        found = escape(",".join(table.columns))
        fail(f"{escape(str(path))} 的表头须为 message_id,group_id（实际：{found}）")
    rows = [(cell_text(message).strip(), cell_text(group).strip())
            for message, group in zip(table.column("message_id"), table.column("group_id"),
                                      strict=True)]  # fmt: skip
    blank = [
        str(line) for line, (message, group) in enumerate(rows, start=2) if not message or not group
    ]
    if blank:
        fail(f"第 {'、'.join(blank[:10])} 行的 message_id 或 group_id 为空")
    repeated = [message for message, count in Counter(m for m, _ in rows).items() if count > 1]
    if repeated:
        fail(f"message_id 重复：{escape('、'.join(repeated[:10]))}")
    return rows


def _case_numbers(data: Path, id_column: str, case_column: str) -> dict[str, str]:
    """Message id → case number, from the data file the groups were made of."""
    from hotline.repeats.tables import cell_text

    table = _read(data)
    missing = [name for name in (id_column, case_column) if name not in table.columns]
    if missing:
        present = escape("、".join(table.columns))
        fail(f"{escape(str(data))} 中没有列 {escape('、'.join(missing))}（现有列：{present}）")
    pairs = zip(table.column(id_column), table.column(case_column), strict=True)
    return {cell_text(m).strip(): cell_text(c).strip() for m, c in pairs if cell_text(c).strip()}


def _grouped_numbers(
    rows: list[tuple[str, str]], numbers: dict[str, str] | None
) -> tuple[dict[str, list[str]], list[str]]:
    groups: dict[str, list[str]] = {}
    unmapped = []
    for message, group in rows:
        number = message if numbers is None else numbers.get(message)
        if number is None:
            unmapped.append(message)
            continue
        groups.setdefault(group, []).append(number)
    return groups, unmapped


@repeats_app.command("import")
def import_command(
    groups: Annotated[
        Path, typer.Option("--groups", help="repeats cluster 输出的 message_id,group_id 文件")
    ],
    data: Annotated[
        Path | None, typer.Option("--data", help="分组所用的数据文件（message_id 不是工单编号时）")
    ] = None,
    id_column: Annotated[
        str | None, typer.Option("--id-column", help="数据文件中的 message_id 列")
    ] = None,
    case_column: Annotated[
        str, typer.Option("--case-column", help="数据文件中的工单编号列")
    ] = "case_number",
    json_output: JsonOpt = False,
) -> None:
    """Load groups into the problem ledger: each group becomes (or merges into) one problem."""
    from hotline.bootstrap import build_hotline  # the only subcommand that needs a database
    from hotline.services.ledger.edits import import_groups

    if (data is None) != (id_column is None):
        fail("--data 与 --id-column 须同时给出")
    rows = _read_groups(groups)
    numbers = _case_numbers(data, id_column, case_column) if data and id_column else None
    grouped, unmapped = _grouped_numbers(rows, numbers)
    hotline = build_hotline()
    report = import_groups(hotline, grouped, groups.name, hotline.now())
    unknown = unmapped + report.unknown_ids
    summary = {**report.as_dict(), "rows": len(rows), "unknown_ids": unknown}
    log(f"{len(rows)} 行、{report.groups} 组：归并 {report.cases_moved} 件，新挂号 "
        f"{report.problems_created} 个，合并问题 {report.problems_merged} 个，"
        f"已在同一问题 {report.unchanged} 件")  # fmt: skip
    if unknown:
        shown = escape("、".join(unknown[:SHOWN_UNKNOWN]))
        log(f"[yellow]未找到的编号 {len(unknown)} 个：{shown}[/]")
    if json_output:
        emit_json(summary)
    else:
        emit_value(report.cases_moved)
