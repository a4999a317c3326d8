"""The one way the project writes xlsx cells: every xlsx file (notices, the problem ledger export,
taxonomy and organisation exports) goes through :func:`put` or :func:`write_only_row`.

openpyxl reads a string that starts with ``=`` as a formula, so a complaint text or a media
outlet typed as ``=HYPERLINK("http://…")`` would become a live formula in a leader's workbook.
Here text is always text (data type ``s``), control characters Excel cannot store are dropped
(openpyxl would refuse the whole file), numbers stay numbers (a NaN or infinity as text),
and datetimes are Excel dates in local wall-clock time — or, where a stored moment lies
outside what a local date or Excel can show (year 9999 plus eight hours), its ISO text rather
than an error that kills the report.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, WriteOnlyCell
from openpyxl.worksheet.worksheet import Worksheet

DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
EXCEL_FIRST_YEAR = 1900  # Excel's calendar starts in 1900; earlier dates are text


def _datetime(value: datetime, tz: tzinfo | None) -> datetime | str:
    """A naive local datetime for Excel, or ISO text where it cannot be one."""
    try:
        local = value.astimezone(tz) if value.tzinfo is not None and tz is not None else value
    except (OverflowError, ValueError):
        return value.astimezone(UTC).isoformat()
    if local.year < EXCEL_FIRST_YEAR:
        return local.isoformat()
    return local.replace(tzinfo=None)


def safe_value(value: Any, tz: tzinfo | None = None) -> tuple[Any, str | None]:
    """What to store for ``value`` and its number format (None: the cell's own)."""
    if value is None or isinstance(value, bool | int | Decimal):
        return value, None
    if isinstance(value, float):
        return (value, None) if math.isfinite(value) else (str(value), None)
    if isinstance(value, datetime):
        converted = _datetime(value, tz)
        return converted, DATETIME_FORMAT if isinstance(converted, datetime) else None
    if isinstance(value, date):
        if value.year < EXCEL_FIRST_YEAR:
            return value.isoformat(), None
        return value, DATE_FORMAT
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return (text or None), None


def _force_text(cell: Cell | WriteOnlyCell, value: Any) -> None:
    if isinstance(value, str) and cell.data_type != "s":  # e.g. "=…" read as a formula
        cell.data_type = "s"


def put(sheet: Worksheet, row: int, column: int, value: Any, tz: tzinfo | None = None) -> Cell:
    """Write one cell safely; the cell is returned for styling."""
    stored, number_format = safe_value(value, tz)
    cell = sheet.cell(row=row, column=column)
    cell.value = stored
    _force_text(cell, stored)
    if number_format is not None:
        cell.number_format = number_format
    return cell


def write_only_row(sheet: Any, values: list[Any], tz: tzinfo | None = None) -> None:
    """Append one row to a write-only sheet, each value made safe like :func:`put`."""
    cells = []
    for value in values:
        stored, number_format = safe_value(value, tz)
        cell = WriteOnlyCell(sheet, value=stored)
        _force_text(cell, stored)
        if number_format is not None:
            cell.number_format = number_format
        cells.append(cell)
    sheet.append(cells)


def workbook_bytes(book: Workbook) -> bytes:
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
