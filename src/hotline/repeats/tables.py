"""Reading the tables hotline offices keep: CSV (UTF-8 with or without BOM, or GB18030) and xlsx.

Cells come back as they were written: strings from CSV; from xlsx, strings, numbers and
datetimes as openpyxl reads them. :func:`cell_text` turns any of them into the text a person
sees in the cell, so an id typed as 360100 in Excel stays "360100", not "360100.0".
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path

from openpyxl import load_workbook

from hotline.repeats.scoring import RepeatDocument

Cell = str | int | float | datetime | date | None
ENCODINGS = ("utf-8-sig", "gb18030")  # utf-8-sig also reads UTF-8 without a BOM


class TableError(ValueError):
    """A file that cannot be read as a table; the message is for people, in Chinese."""


@dataclass(frozen=True, slots=True)
class Table:
    columns: list[str]
    rows: list[list[Cell]]

    def column(self, name: str) -> list[Cell]:
        position = self.columns.index(name)
        return [row[position] if position < len(row) else None for row in self.rows]


def cell_text(value: Cell) -> str:
    """The cell as a person reads it (integral floats without ".0", blanks as "")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value)


def _decode(data: bytes) -> str:
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError("无法识别文件编码：请使用 UTF-8（可带 BOM）或 GB18030")


def _read_csv(path: Path) -> Table:
    reader = csv.reader(io.StringIO(_decode(path.read_bytes()), newline=""))
    rows: list[list[Cell]] = [list(row) for row in reader if any(cell != "" for cell in row)]
    if not rows:
        raise TableError(f"文件是空的：{path}")
    return Table([cell_text(name).strip() for name in rows[0]], rows[1:])


def _read_xlsx(path: Path) -> Table:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise TableError(f"无法读取 xlsx 文件 {path}：{exc}") from exc
    try:
        sheet = workbook.worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    rows = [row for row in rows if any(cell not in (None, "") for cell in row)]
    if not rows:
        raise TableError(f"工作表是空的：{path}")
    return Table([cell_text(name).strip() for name in rows[0]], rows[1:])


def read_table(path: Path) -> Table:
    """The first sheet (xlsx) or the whole file (else read as CSV); row 1 is the header."""
    if not path.is_file():
        raise TableError(f"找不到文件：{path}")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    return _read_csv(path)


_TIME_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
)
_SHOWN = 10  # how many offending ids an error message lists


def parse_time(value: Cell, tz: tzinfo) -> datetime | None:
    """A cell as an aware datetime (a time without offset is local to ``tz``); blank: None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        moment = _parse_time_text(cell_text(value).strip())
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def _parse_time_text(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    for pattern in _TIME_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise ValueError(text)


def require_columns(table: Table, names: list[str]) -> None:
    missing = [name for name in names if name not in table.columns]
    if missing:
        present = "、".join(f"「{column}」" for column in table.columns)
        wanted = "、".join(f"「{name}」" for name in missing)
        raise TableError(f"文件中没有列 {wanted}；文件中的列：{present}")


def _ids(table: Table, id_column: str) -> list[str]:
    ids = [cell_text(value) for value in table.column(id_column)]
    blank = [str(row + 2) for row, value in enumerate(ids) if not value.strip()]
    if blank:
        raise TableError(f"第 {'、'.join(blank[:_SHOWN])} 行的编号为空")
    counts = Counter(ids)
    repeated = sorted(value for value, count in counts.items() if count > 1)
    if repeated:
        shown = "、".join(repeated[:_SHOWN]) + ("…" if len(repeated) > _SHOWN else "")
        raise TableError(f"编号重复（{len(repeated)} 个）：{shown}")
    return ids


def _times(table: Table, ids: list[str], time_column: str, tz: tzinfo) -> list[datetime | None]:
    times: list[datetime | None] = []
    unreadable: list[str] = []
    for doc_id, value in zip(ids, table.column(time_column), strict=True):
        try:
            times.append(parse_time(value, tz))
        except ValueError:
            unreadable.append(f"{doc_id}（{cell_text(value)}）")
            times.append(None)
    if unreadable:
        shown = "、".join(unreadable[:_SHOWN])
        raise TableError(f"列「{time_column}」有 {len(unreadable)} 个无法识别的时间：{shown}")
    return times


def table_documents(
    table: Table,
    *,
    id_column: str,
    text_columns: list[str],
    time_column: str | None = None,
    tz: tzinfo,
) -> list[RepeatDocument]:
    """One document per row; with several text columns the first is the title."""
    require_columns(table, [id_column, *text_columns, *([time_column] if time_column else [])])
    ids = _ids(table, id_column)
    texts = [[cell_text(value) for value in table.column(name)] for name in text_columns]
    times = _times(table, ids, time_column, tz) if time_column else [None] * len(ids)
    title_texts = texts[0] if len(texts) > 1 else [""] * len(ids)
    body_texts = texts[1:] if len(texts) > 1 else texts
    return [
        RepeatDocument(
            doc_id=doc_id,
            title=title_texts[row],
            text="\n".join(column[row] for column in body_texts),
            at=times[row],
        )
        for row, doc_id in enumerate(ids)
    ]
