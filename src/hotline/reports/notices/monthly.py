"""The monthly report (月大报) as data: the indicators for the city and by district with
同比 in percentage points, the evaluation ranking with its red and black lists (passed in as
:class:`~hotline.domain.scoring.EntityResult`, computed by the evaluation service), the problems
with most complaints, the district handling table and the daily trend, with their charts."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from hotline.domain.scoring import INDICATOR_NAMES, NOT_RATED, EntityResult, ListRule
from hotline.reports.indicator_counts import ReportMoment
from hotline.reports.indicator_results import IndicatorReport, IndicatorValue, Values
from hotline.reports.indicators import IndicatorQuery, indicator_report
from hotline.reports.notices import queries as q
from hotline.reports.notices import sections
from hotline.reports.notices.daily import (
    NoticeSettings,
    comparison_notes,
    hotspots_of,
    indicator_table,
    own_row,
    report_table,
)
from hotline.reports.notices.model import (
    Chart,
    Column,
    ColumnKind,
    Figure,
    Notice,
    Row,
    Table,
    Value,
)
from hotline.reports.notices.periods import month_of

TOP_PROBLEMS = 10
LIST_LABELS = {ListRule.RED.value: "红榜", ListRule.BLACK.value: "黑榜"}


def _by_district(
    report: IndicatorReport, figure: Callable[[IndicatorValue], Value], key: str, title: str,
    kind: ColumnKind,
) -> Table:  # fmt: skip
    """One figure of each indicator (its value, or its 同比 in points) per district."""
    definitions = report.definitions
    rows = tuple(
        {"district": group.label, **{d.key: figure(group.indicators[d.key]) for d in definitions}}
        for group in report.groups
    )
    columns = (Column("district", "区县"), *(Column(d.key, d.name, kind) for d in definitions))
    note = comparison_notes(report) if kind == "pp" else None
    return Table(key, title, columns, rows, note or None)


def _value(value: IndicatorValue) -> Value:
    return value.value


def _yoy(value: IndicatorValue) -> Value:
    return value.yoy_pp


def _baseline(result: EntityResult) -> str:
    if not result.rated:
        return NOT_RATED
    return "达标" if all(result.baseline_passed.values()) else "未达标"


def ranking_table(ranking: Sequence[EntityResult], heads: dict[str, str] | None = None) -> Table:
    """The rated entities by rank, then those without enough cases (无考核数据) apart: their
    rank, score, lists and amount are empty cells — blank, not a dash written as text. Each
    names its responsible person (``heads``: the district's bureau head) where recorded."""
    heads = heads or {}
    ordered = sorted(ranking, key=lambda r: (not r.rated, r.rank or 0, r.entity))
    rows = tuple(
        {
            "rank": r.rank,
            "name": r.name,
            "head": heads.get(r.entity),
            "score": r.score,
            "baseline": _baseline(r),
            "lists": "、".join(LIST_LABELS.get(x, x) for x in r.lists) or None,
            "amount": r.amount,
        }
        for r in ordered
    )
    columns = (
        Column("rank", "名次", "int"),
        Column("name", "被考评单位"),
        Column("head", "负责人"),
        Column("score", "得分", "score"),
        Column("baseline", "基准线"),
        Column("lists", "榜单"),
        Column("amount", "奖惩金额（元）", "money"),
    )
    unrated = sum(1 for r in ranking if not r.rated)
    note = "得分计算明细见考评结果（hotline evaluate）。"
    if unrated:
        note += f"{unrated} 个单位{NOT_RATED}，列于表末，不排名、不列红黑榜、不奖不扣。"
    return Table("ranking", "考评排名", columns, rows, note)


def baseline_table(ranking: Sequence[EntityResult]) -> Table:
    """Each entity's baseline per indicator: the scheme's, its own literal one, or one derived
    from its settled figure last year — the line it was measured against."""
    codes = list(dict.fromkeys(code for r in ranking for code in r.baselines))
    rows = tuple(
        {"name": r.name, **{code: r.baselines.get(code) for code in codes}}
        for r in sorted(ranking, key=lambda r: r.entity)
    )
    columns = (
        Column("name", "被考评单位"),
        *(Column(code, INDICATOR_NAMES.get(code, code), "percent") for code in codes),
    )
    note = "基准线依考评方案：方案统一值、本单位约定值，或去年同期结算值加改进要求（封顶）。"
    return Table("baselines", "考评基准线", columns, rows, note)


def list_table(ranking: Sequence[EntityResult], which: str) -> Table:
    label = LIST_LABELS[which]
    rows: tuple[Row, ...] = tuple(
        {"rank": r.rank, "name": r.name, "score": r.score}
        for r in sorted(ranking, key=lambda r: (r.rank or 0, r.entity))
        if r.rated and which in r.lists
    )
    columns = (
        Column("rank", "名次", "int"),
        Column("name", "被考评单位"),
        Column("score", "得分", "score"),
    )
    return Table(which, label, columns, rows)


def _figures(values: Values, total: Row, ranking: Sequence[EntityResult]) -> tuple[Figure, ...]:
    """The key figures: the city's, or in a district's cut the district's own."""

    def value(key: str) -> Value:
        return values[key].value if key in values else None

    return (
        Figure("受理", total.get("intake")),
        Figure("办结", total.get("answered")),
        Figure("结果满意率", value("result_satisfaction"), "percent", ""),
        Figure("解决率", value("solved_rate"), "percent", ""),
        Figure("按期办结率", value("on_time_rate"), "percent", ""),
        Figure("参加考评单位", sum(1 for r in ranking if r.rated), unit="个"),
    )


def _own_group(report: IndicatorReport, district: str) -> Values:
    """The district's own indicators from the report by district (none: no facts at all)."""
    group = report.group(district)
    return group.indicators if group else {}


def _cut_tables(
    session: Session,
    window: q.Window,
    settings: NoticeSettings,
    late: q.Overdue,
    report: IndicatorReport,
) -> tuple[Table, ...]:
    """What only a district's cut holds, first: its own indicators, its overdue cases and its
    hotspots (its problems are the problems table, narrowed by the window)."""
    assert window.district is not None
    own = _own_group(report, window.district)
    own_indicators = (
        indicator_table(report.definitions, own, "district_indicators", "本区县热线指标")
        if own
        else None
    )
    found = hotspots_of(session, window, settings.hotspots)
    tables = (
        own_indicators,
        sections.overdue_table(session, window, late.first),
        sections.hotspot_table(found),
    )
    return tuple(t for t in tables if t is not None)


CHARTS = (
    Chart(
        "satisfaction_bar",
        "各区县结果满意率",
        "bar",
        "indicators_district",
        "district",
        ("result_satisfaction",),
    ),
    Chart("ranking_bar", "考评得分", "bar", "ranking", "name", ("score",)),
    Chart("trend_line", "每日受理与办结", "line", "trend", "day", ("intake", "answered")),
    Chart(
        "districts_bar", "各区县受理与办结", "bar", "districts", "district", ("intake", "answered")
    ),
)


def monthly_report(
    session: Session,
    moment: ReportMoment,
    key: str,
    ranking: Sequence[EntityResult],
    settings: NoticeSettings | None = None,
    district: str | None = None,
) -> Notice:
    """The monthly report; with ``district``, its cut: the district's own problems, with the
    city's indicators by district, ranking and lists beside them. Read in ``session``, the
    snapshot the ranking was evaluated in (docs/decisions/0034)."""
    settings = settings or NoticeSettings()
    period = month_of(key)
    window = q.Window(period, moment.tz, moment.now, district)
    report = indicator_report(session, moment, IndicatorQuery(period, "district"))
    late = q.overdue(session, window, named=district is not None)
    districts = sections.district_table(
        session,
        window,
        intake=q.intake(session, window),
        unhappy=q.unsatisfied_counts(session, window),
        overdue=late.counts,
    )
    problems, _ = sections.problems_table(
        session, window, 2, "本月突出问题（投诉最多）", TOP_PROBLEMS
    )
    trend = sections.trend_table(session, window)
    names = q.district_names(session)
    heads = q.district_heads(session)
    cut = _cut_tables(session, window, settings, late, report) if district else ()
    values, total = report.total, districts.rows[-1]
    if district is not None:
        values = _own_group(report, district)
        total = own_row(districts, window, names)
    tables = (
        *cut,
        report_table(report, "indicators", "全市热线指标"),
        _by_district(report, _value, "indicators_district", "各区县指标", "percent"),
        _by_district(report, _yoy, "yoy_district", "各区县指标同比（百分点）", "pp"),
        ranking_table(ranking, heads),
        baseline_table(ranking),
        list_table(ranking, ListRule.RED.value),
        list_table(ranking, ListRule.BLACK.value),
        problems,
        districts,
        trend,
    )
    title = f"{settings.city}城市管理热线月度报告"
    if district is not None:
        title += f"（{names.get(district, district)}版）"
    remarks = (
        "指标口径见 docs/indicators.md；已结算月份按结算数据出具。",
        "保密件计入数字，不列入明细。",
    )
    return Notice(
        "monthly",
        key,
        title,
        period.start,
        period.end,
        moment.now.astimezone(moment.tz),
        settings.issuer,
        _figures(values, total, ranking),
        tables,
        CHARTS,
        remarks,
    )
