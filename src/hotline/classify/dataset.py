"""Labelled texts from the files hotline offices have: CSV (UTF-8 with or without BOM, or
GB18030, as Excel on a Chinese Windows saves it) and xlsx.

Several text columns (e.g. subject and detail) are joined with a line break, subject first, so
the classifier sees the subject at the head of the text as it does at intake. Every problem is
reported as a ``DatasetError`` naming the file, the column or the rows; row numbers are as a
spreadsheet shows them (the header is row 1).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
SHOWN_ROWS = 5  # row numbers quoted in an error message
_UTF8_BOM = b"\xef\xbb\xbf"
csv.field_size_limit(16 * 1024 * 1024)  # a complaint's detail may run to many kilobytes


class DatasetError(ValueError):
    """The file cannot give labelled texts; ``code`` is stable for programs."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]
    format: str
    encoding: str | None = None


@dataclass(frozen=True)
class Dataset:
    texts: list[str]
    labels: list[str]
    source: dict[str, Any] = field(default_factory=dict)


# --- reading ---------------------------------------------------------------------------------


def decode(data: bytes, name: str) -> tuple[str, str]:
    """(text, encoding): UTF-8 (BOM or not) first, then GB18030; anything else is refused."""
    if data.startswith(_UTF8_BOM):
        candidates = ["utf-8-sig"]
    elif b"\x00" in data:
        raise DatasetError("undecodable", f"{name} 含有 NUL 字节:不是 UTF-8/GB18030 文本文件")
    else:
        candidates = ["utf-8", "gb18030"]
    problems = []
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as error:
            problems.append(f"{encoding}: 第 {error.start} 字节无法解码")
    raise DatasetError(
        "undecodable",
        f"{name} 的编码无法识别(支持 UTF-8、带 BOM 的 UTF-8 和 GB18030):" + ";".join(problems),
    )


def read_csv(path: Path) -> Table:
    text, encoding = decode(path.read_bytes(), path.name)
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise DatasetError("malformed", f"{path.name} 不是有效的 CSV:{error}") from None
    if not records:
        raise DatasetError("empty_file", f"{path.name} 是空文件")
    header = [name.strip() for name in records[0]]
    return Table(header, records[1:], "csv", encoding)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores 3 as 3.0
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def read_xlsx(path: Path) -> Table:
    """The first worksheet; its first row is the header."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as error:
        raise DatasetError("unreadable", f"{path.name} 不是有效的 xlsx 文件:{error}") from None
    try:
        cells = workbook.active.iter_rows(values_only=True)
        rows = [[_cell_text(value) for value in row] for row in cells]
    finally:
        workbook.close()
    if not rows:
        raise DatasetError("empty_file", f"{path.name} 的第一个工作表是空的")
    return Table([name.strip() for name in rows[0]], rows[1:], "xlsx")


def read_table(path: str | Path) -> Table:
    source = Path(path)
    if not source.is_file():
        raise DatasetError("not_found", f"找不到数据文件:{source}")
    if source.suffix.lower() in EXCEL_SUFFIXES:
        return read_xlsx(source)
    return read_csv(source)


# --- checking --------------------------------------------------------------------------------


def column_positions(table: Table, names: Iterable[str], path: Path) -> list[int]:
    positions = []
    for name in names:
        if name not in table.header:
            present = "、".join(repr(column) for column in table.header if column) or "(无)"
            raise DatasetError(
                "missing_column", f"{path.name} 中没有列 {name!r};文件中的列:{present}"
            )
        positions.append(table.header.index(name))
    return positions


def _cell(row: Sequence[str], position: int) -> str:
    return row[position].strip() if position < len(row) else ""


def _row_numbers(rows: Sequence[int]) -> str:
    shown = "、".join(str(row) for row in rows[:SHOWN_ROWS])
    return shown + (" 等" if len(rows) > SHOWN_ROWS else "")


def _refuse_blank(kind: str, column: str, blank_rows: list[int], path: Path) -> None:
    if blank_rows:
        raise DatasetError(
            f"empty_{kind}",
            f"{path.name} 有 {len(blank_rows)} 行的{column}为空,"
            f"第 {_row_numbers(blank_rows)} 行(第 1 行是表头)",
        )


def _check_classes(labels: list[str], min_classes: int, path: Path) -> None:
    classes = Counter(labels)
    if len(classes) < min_classes:
        found = "、".join(classes) or "(无)"
        raise DatasetError(
            "too_few_classes",
            f"{path.name} 只有 {len(classes)} 个类别({found}),训练至少需要 {min_classes} 个",
        )


def _labelled_rows(
    table: Table, texts_at: list[int], label_at: int
) -> Iterator[tuple[int, str, str]]:
    """(spreadsheet row number, joined text, label) of every row that is not wholly empty."""
    for number, row in enumerate(table.rows, start=2):
        if not any(cell.strip() for cell in row):
            continue  # trailing blank lines are common in exports
        text = "\n".join(cell for cell in (_cell(row, at) for at in texts_at) if cell)
        yield number, text, _cell(row, label_at)


def load_dataset(
    path: str | Path, text_columns: Sequence[str], label_column: str, *, min_classes: int = 2
) -> Dataset:
    """Labelled texts from a CSV or xlsx file. ``min_classes=1`` suits evaluation sets."""
    source = Path(path)
    if not text_columns:
        raise DatasetError("missing_column", "至少要指定一个文本列")
    table = read_table(source)
    texts_at = column_positions(table, text_columns, source)
    (label_at,) = column_positions(table, [label_column], source)
    rows = list(_labelled_rows(table, texts_at, label_at))
    if not rows:
        raise DatasetError("no_rows", f"{source.name} 除表头外没有数据行")
    unlabelled = [number for number, _, label in rows if not label]
    _refuse_blank("labels", f"类别列 {label_column!r}", unlabelled, source)
    _refuse_blank("texts", "文本列", [number for number, text, _ in rows if not text], source)
    labels = [label for _, _, label in rows]
    _check_classes(labels, min_classes, source)
    summary = {
        "file": source.name,
        "format": table.format,
        "encoding": table.encoding,
        "rows": len(rows),
        "text_columns": list(text_columns),
        "label_column": label_column,
    }
    return Dataset([text for _, text, _ in rows], labels, summary)
