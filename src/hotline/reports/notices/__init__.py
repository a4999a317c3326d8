"""Notices as data (当日通报, 周汇报, 月大报, 梳理通报 of any span) and their renderers (HTML
with inline SVG, xlsx).

Builders: :func:`daily_notice`, :func:`weekly_notice`, :func:`monthly_report` (read-only);
renderers: :func:`render_html` here, ``render_xlsx`` in :mod:`.xlsx`, imported only where a
spreadsheet is asked for (openpyxl, and numpy with it, cost a command that writes HTML about half
a second). The services decide when and for whom (hotline.services.reporting.production).
"""

from hotline.reports.notices.daily import (
    NoticeSettings,
    daily_notice,
    span_notice,
    weekly_notice,
)
from hotline.reports.notices.html import render_html
from hotline.reports.notices.model import Chart, Column, Figure, Notice, Table
from hotline.reports.notices.monthly import monthly_report
from hotline.reports.notices.periods import KINDS, period_of, span_key

__all__ = [
    "KINDS",
    "Chart",
    "Column",
    "Figure",
    "Notice",
    "NoticeSettings",
    "Table",
    "daily_notice",
    "monthly_report",
    "period_of",
    "render_html",
    "span_key",
    "span_notice",
    "weekly_notice",
]
