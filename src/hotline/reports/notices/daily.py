"""The daily notice (当日通报) and the weekly summary (周汇报) as data.

Daily: the day's intake by district and channel, what was answered and closed, overdue cases at
the notice's moment, unsatisfied callbacks, media reports, problems at 3+ complaints and the day's
hotspots. Weekly: the same over an ISO week, with the daily trend and the week's indicators
(环比 against the week before, 同比 against the same dates a year earlier).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal

from sqlalchemy.orm import Session

from hotline.domain.indicators import IndicatorDef, Period
from hotline.reports.hotspots import Hotspot, HotspotParams, detect_in
from hotline.reports.indicator_counts import ReportMoment
from hotline.reports.indicator_results import IndicatorReport, Values
from hotline.reports.indicators import IndicatorQuery, indicator_report
from hotline.reports.notices import queries as q
from hotline.reports.notices import sections
from hotline.reports.notices.model import Chart, Column, Figure, Notice, Row, Table
from hotline.reports.notices.periods import day_period, span_period, week_period


@dataclass(frozen=True)
class NoticeSettings:
    """What a city may tune: who issues the notice, the priority threshold, hotspot settings."""

    issuer: str = "市城市管理服务热线指挥中心"
    city: str = ""
    problem_threshold: int = 3  # 3+ complaints: priority supervision (重点督办)
    hotspots: HotspotParams = field(default_factory=HotspotParams)


@dataclass(frozen=True)
class _Parts:
    tables: tuple[Table, ...]
    figures: tuple[Figure, ...]


def _common(session: Session, window: q.Window, settings: NoticeSettings) -> _Parts:
    unhappy = q.unsatisfied_counts(session, window)
    late = q.overdue(session, window)
    intake = q.intake(session, window)
    districts = sections.district_table(
        session, window, intake=intake, unhappy=unhappy, overdue=late.counts
    )
    channels, channel_totals = sections.channel_tables(session, window, intake)
    media_total = q.media_count(session, window)
    media = sections.media_table(session, window, media_total)
    problems, problem_total = sections.problems_table(
        session,
        window,
        settings.problem_threshold,
        f"多次投诉问题（{settings.problem_threshold} 次及以上）",
    )
    hotspots = sections.hotspot_table(hotspots_of(session, window, settings.hotspots))
    if window.district is not None:
        unhappy = Counter({window.district: unhappy.get(window.district, 0)})
    total = own_row(districts, window, q.district_names(session))
    figures = (
        Figure("受理", _int(total, "intake")),
        Figure("办结", _int(total, "answered")),
        Figure("结案", _int(total, "closed")),
        Figure("超期未办结", _int(total, "overdue")),
        Figure("不满意回访", sum(unhappy.values())),
        Figure("媒体曝光", media_total),
        Figure(f"{settings.problem_threshold} 次及以上投诉问题", problem_total, unit="个"),
        Figure("热点预警", len(hotspots.rows), unit="处"),
    )
    overdue = sections.overdue_table(session, window, late.first)
    unsatisfied = sections.unsatisfied_table(session, window, sum(unhappy.values()))
    supervisions = sections.supervision_table(session, window)
    tables = (districts, channels, channel_totals, overdue, unsatisfied, supervisions, media,
              problems, hotspots)  # fmt: skip
    return _Parts(tables, figures)


def hotspots_of(session: Session, window: q.Window, params: HotspotParams) -> list[Hotspot]:
    """The hotspots as of the period's last day (today while it runs); in a district's cut
    that district's own, looked for among all of the city's (not only the city's first
    ``limit``, which could all lie elsewhere)."""
    day = _hotspot_day(window)
    if window.district is None:
        return detect_in(session, day, params)
    every = detect_in(session, day, replace(params, limit=500))
    return [h for h in every if h.district_code == window.district][: params.limit]


def own_row(districts: Table, window: q.Window, names: dict[str, str]) -> Row:
    """The 合计 row, or in a district's cut that district's own row (zeros if it had none)."""
    if window.district is None:
        return districts.rows[-1]
    name = names.get(window.district, window.district)
    return next((row for row in districts.body if row.get("district") == name), {})


def _hotspot_day(window: q.Window) -> date:
    """The period's last day, or today while the period is still running."""
    today = window.local_day(window.now)
    if window.period.start <= today < window.period.end:
        return today
    return window.period.end


def _int(row: Row, key: str) -> int:
    value = row.get(key)
    return value if isinstance(value, int) else 0


COMMON_CHARTS = (
    Chart(
        "districts_bar", "各区县受理与办结", "bar", "districts", "district", ("intake", "answered")
    ),
    Chart("channels_bar", "受理渠道分布", "bar", "channel_totals", "channel", ("count",)),
)


def _title(settings: NoticeSettings, name: str, cut: str = "") -> str:
    return f"{settings.city}城市管理热线{name}{cut}"


def _cut_label(session: Session, district: str | None) -> str:
    """「（历下区版）」 for a district's cut; nothing for the city edition."""
    if district is None:
        return ""
    return f"（{q.district_names(session).get(district, district)}版）"


def daily_notice(
    session: Session,
    moment: ReportMoment,
    key: str,
    settings: NoticeSettings | None = None,
    district: str | None = None,
) -> Notice:
    """The day's notice; with ``district``, that district's cut (区县版): its own figures and
    named lists, beside every district's counts. Read in ``session``, one snapshot."""
    settings = settings or NoticeSettings()
    period = day_period(key)
    window = q.Window(period, moment.tz, moment.now, district)
    parts = _common(session, window, settings)
    title = _title(settings, "当日通报", _cut_label(session, district))
    return Notice(
        "daily",
        key,
        title,
        period.start,
        period.end,
        moment.now.astimezone(moment.tz),
        settings.issuer,
        parts.figures,
        parts.tables,
        COMMON_CHARTS,
        _remarks(window),
    )


def _remarks(window: q.Window) -> tuple[str, ...]:
    moment = window.as_of.astimezone(window.tz).strftime("%Y-%m-%d %H:%M")
    return (f"超期统计时点：{moment}（本地时间）。", "保密件计入数字，不列入明细。")


def indicator_table(
    definitions: Sequence[IndicatorDef], values: Values, key: str, title: str, notes: str = ""
) -> Table:
    """Indicator totals: value, numerator, denominator, 环比, 同比, formula."""
    rows = tuple(
        {
            "name": definition.name,
            "value": values[definition.key].value,
            "numerator": values[definition.key].numerator,
            "denominator": values[definition.key].denominator,
            "pop_pp": values[definition.key].pop_pp,
            "yoy_pp": values[definition.key].yoy_pp,
            "formula": definition.formula,
        }
        for definition in definitions
    )
    columns = (
        Column("name", "指标"),
        Column("value", "本期", "percent"),
        Column("numerator", "分子", "int"),
        Column("denominator", "分母", "int"),
        Column("pop_pp", "环比（百分点）", "pp"),
        Column("yoy_pp", "同比（百分点）", "pp"),
        Column("formula", "计算公式"),
    )
    note = "分母为 0 时无值（—）；环比、同比为百分点差。" + notes
    return Table(key, title, columns, rows, note)


def report_table(report: IndicatorReport, key: str, title: str) -> Table:
    """The report's totals as :func:`indicator_table`, with its notes on comparisons."""
    return indicator_table(report.definitions, report.total, key, title,
                           comparison_notes(report))  # fmt: skip


def comparison_notes(report: IndicatorReport) -> str:
    """The labels of a 环比 or 同比 across a change of indicator rules or definitions (a month
    settled under another version), once each: the change is shown, and said to be so."""
    return "".join(f"{note}。" for note in report.comparison_notes())


def weekly_notice(
    session: Session,
    moment: ReportMoment,
    key: str,
    settings: NoticeSettings | None = None,
    district: str | None = None,
) -> Notice:
    period = week_period(key)
    return _summary(
        session, moment, "weekly", key, period, settings, "周汇报", "本周热线指标", district
    )


def span_notice(
    session: Session,
    moment: ReportMoment,
    key: str,
    settings: NoticeSettings | None = None,
    district: str | None = None,
) -> Notice:
    """梳理通报 of any span of days (e.g. 1 January to today: 今年以来梳理通报): the weekly
    summary's figures, daily trend and indicators (环比 the span just before, 同比 a year
    earlier), for the dates asked."""
    period = span_period(key)
    label = f"{_cn(period.start)}至{_cn(period.end)}梳理通报"
    return _summary(
        session, moment, "period", key, period, settings, label, "本期热线指标", district
    )


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _summary(
    session: Session,
    moment: ReportMoment,
    kind: Literal["weekly", "period"],
    key: str,
    period: Period,
    settings: NoticeSettings | None,
    title: str,
    indicator_title: str,
    district: str | None = None,
) -> Notice:
    settings = settings or NoticeSettings()
    window = q.Window(period, moment.tz, moment.now, district)
    parts = _common(session, window, settings)
    trend = sections.trend_table(session, window)
    title += _cut_label(session, district)
    report = indicator_report(session, moment, IndicatorQuery(period))
    indicators = report_table(report, "indicators", indicator_title)
    charts = (
        *COMMON_CHARTS,
        Chart("trend_line", "每日受理与办结", "line", "trend", "day", ("intake", "answered")),
    )
    return Notice(
        kind,
        key,
        _title(settings, title),
        period.start,
        period.end,
        moment.now.astimezone(moment.tz),
        settings.issuer,
        parts.figures,
        (indicators, trend, *parts.tables),
        charts,
        _remarks(window),
    )
