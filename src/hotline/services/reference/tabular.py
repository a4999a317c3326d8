"""Flat tables in YAML or Excel (xlsx) files: what the taxonomy and organisation import and
export share. A document is {sheet key: [row dicts]}; in xlsx each key is one sheet whose first
row holds the column names. Hotline offices live in Excel, administrators in YAML; both round-trip.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook, load_workbook

from hotline.adapters.spreadsheet import write_only_row
from hotline.domain.errors import InvalidInput

Rows = list[dict[str, Any]]
FORMATS = (".yaml", ".yml", ".xlsx")


def file_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InvalidInput(f"文件须为 YAML 或 xlsx：{path.name}", fields=("file",))
    return "xlsx" if suffix == ".xlsx" else "yaml"


def _clean(value: Any) -> Any:
    """Excel hands back '' or None for an empty cell and floats for whole numbers."""
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _sheet_rows(rows: list[tuple[Any, ...]]) -> Rows:
    if not rows:
        return []
    header = [str(name).strip() for name in rows[0] if name is not None]
    return [
        {name: _clean(value) for name, value in zip(header, row, strict=False)}
        for row in rows[1:]
        if any(value not in (None, "") for value in row)
    ]


def read_tables(path: Path, sheets: Mapping[str, str]) -> dict[str, Rows]:
    """``sheets`` maps each document key to its xlsx sheet title."""
    if not path.exists():
        raise InvalidInput(f"文件不存在：{path}", fields=("file",))
    if file_format(path) == "yaml":
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(document, dict):
            raise InvalidInput("YAML 文件顶层须为映射", fields=("file",))
        return {key: list(document.get(key) or []) for key in sheets}
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        return {
            key: _sheet_rows(list(workbook[title].iter_rows(values_only=True)))
            if title in workbook.sheetnames
            else []
            for key, title in sheets.items()
        }
    finally:
        workbook.close()


def write_tables(
    path: Path,
    tables: Mapping[str, Rows],
    sheets: Mapping[str, str],
    columns: Mapping[str, Sequence[str]],
) -> None:
    """YAML keeps nested values; xlsx gets one sheet per key with the given columns."""
    if file_format(path) == "yaml":
        text = yaml.safe_dump(dict(tables), allow_unicode=True, sort_keys=False, width=100)
        path.write_text(text, encoding="utf-8")
        return
    workbook = Workbook(write_only=True)
    for key, title in sheets.items():
        sheet = workbook.create_sheet(title)
        write_only_row(sheet, list(columns[key]))
        for row in tables.get(key, []):
            write_only_row(sheet, [row.get(name) for name in columns[key]])
    workbook.save(path)
