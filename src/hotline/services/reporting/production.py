"""Producing a notice edition: ``produce(hotline, kind, key, fmt, now) -> bytes``.

The one place that turns (daily | weekly | monthly, period key, html | xlsx) into a file: it checks
the request, opens one read-only snapshot (docs/decisions/0034), builds the notice in it
(hotline.reports.notices) with the monthly ranking evaluated in the same snapshot, and renders.
Storing and mailing editions is the editions service's business; this function writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from hotline.domain.errors import InvalidInput
from hotline.domain.scoring import EntityResult
from hotline.reports.indicator_counts import ReportMoment
from hotline.reports.notices import (
    KINDS,
    Notice,
    NoticeSettings,
    daily_notice,
    monthly_report,
    period_of,
    render_html,
    span_notice,
    weekly_notice,
)
from hotline.services.context import Hotline
from hotline.services.evaluation.monthly import evaluate_in

FORMATS = ("html", "xlsx")
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Edition:
    kind: str
    key: str
    fmt: str
    content: bytes
    notice: Notice

    @property
    def filename(self) -> str:
        return filename(self.kind, self.key, self.fmt)

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.fmt]


def check_request(kind: str, key: str, fmt: str) -> None:
    """Refuse an unknown kind or format and a malformed period key, naming which."""
    if kind not in KINDS:
        raise InvalidInput(f"通报类型须为 {'/'.join(KINDS)} 之一：{kind}", fields=("kind",))
    if fmt not in FORMATS:
        raise InvalidInput(f"格式须为 {'/'.join(FORMATS)} 之一：{fmt}", fields=("format",))
    period_of(kind, key)


def filename(kind: str, key: str, fmt: str) -> str:
    """``daily-2026-11-25.html``, ``weekly-2026-W48.xlsx``, ``monthly-2026-10.html``,
    ``period-2026-01-01--2026-12-07.xlsx``."""
    check_request(kind, key, fmt)
    return f"{kind}-{key}.{fmt}"


def notice_settings(hotline: Hotline) -> NoticeSettings:
    city = hotline.profile.name
    return NoticeSettings(issuer=f"{city}城市管理服务热线指挥中心", city=city)


def build_notice(
    hotline: Hotline,
    kind: str,
    key: str,
    now: datetime,
    ranking: Sequence[EntityResult] | None = None,
    district: str | None = None,
) -> Notice:
    """The notice as of ``now`` as data — with ``district``, that district's cut (区县版) —;
    for a monthly report the ranking is the city's evaluation of that month (computed here
    unless given). Evaluation, indicators and sections are read in one read-only snapshot."""
    check_request(kind, key, "html")
    with hotline.db.snapshot() as session:
        return notice_in(hotline, session, kind, key, now, ranking, district)


def notice_in(
    hotline: Hotline,
    session: Session,
    kind: str,
    key: str,
    now: datetime,
    ranking: Sequence[EntityResult] | None = None,
    district: str | None = None,
) -> Notice:
    """:func:`build_notice` read in ``session`` (a snapshot: docs/decisions/0034)."""
    moment = ReportMoment(hotline.settings.tz, now)
    settings = notice_settings(hotline)
    if kind == "daily":
        return daily_notice(session, moment, key, settings, district)
    if kind == "weekly":
        return weekly_notice(session, moment, key, settings, district)
    if kind == "period":
        return span_notice(session, moment, key, settings, district)
    if ranking is None:
        ranking = evaluate_in(hotline, session, key, now)
    return monthly_report(session, moment, key, ranking, settings, district)


def produce_edition(hotline: Hotline, kind: str, key: str, fmt: str, now: datetime) -> Edition:
    check_request(kind, key, fmt)
    notice = build_notice(hotline, kind, key, now)
    if fmt == "html":
        return Edition(kind, key, fmt, render_html(notice), notice)
    from hotline.reports.notices.xlsx import render_xlsx  # openpyxl only for a spreadsheet

    return Edition(kind, key, fmt, render_xlsx(notice), notice)


CITY = ""  # the scope of the city edition; a district's cut is keyed by its code


def produce_formats(
    hotline: Hotline, kind: str, key: str, districts: Sequence[str], now: datetime
) -> dict[str, dict[str, bytes]]:
    """The city edition and each district's cut (区县版) as of ``now``, each notice built once
    and rendered in every format: ``{"": {"html": …, "xlsx": …}, "370102": {…}}``. All of them
    are read in one snapshot, so the cuts agree with the city edition; a monthly report's
    ranking is the city's for every cut, so it is evaluated once."""
    from hotline.reports.notices.xlsx import render_xlsx

    check_request(kind, key, "html")
    notices: dict[str, Notice] = {}
    with hotline.db.snapshot() as session:
        ranking = evaluate_in(hotline, session, key, now) if kind == "monthly" else None
        for scope in dict.fromkeys((CITY, *districts)):
            notices[scope] = notice_in(hotline, session, kind, key, now, ranking, scope or None)
    return {scope: {"html": render_html(notice), "xlsx": render_xlsx(notice)}
            for scope, notice in notices.items()}  # fmt: skip


def produce(hotline: Hotline, kind: str, key: str, fmt: str, now: datetime) -> bytes:
    """The rendered notice of ``kind`` for period ``key`` in ``fmt`` as of ``now``."""
    return produce_edition(hotline, kind, key, fmt, now).content
