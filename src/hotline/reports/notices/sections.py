"""The tables every notice shares, built from :mod:`queries`: districts, channels, the named
lists (overdue, unsatisfied, media, problems), hotspots and the daily trend."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta, tzinfo

from sqlalchemy.orm import Session

from hotline.adapters.db.models import Case, Supervision
from hotline.domain.lifecycle import STATUS_LABELS, Status
from hotline.domain.supervision import head_warning
from hotline.reports.hotspots import Hotspot
from hotline.reports.notices import queries as q
from hotline.reports.notices.model import Column, Row, Table, Value

TOTAL = "合计"
UNKNOWN_DISTRICT = "（未定位）"
SATISFACTION = {"satisfied": "满意", "basically_satisfied": "基本满意", "unsatisfied": "不满意"}
SUPERVISION = {"urge": "催办", "supervise": "督办", "priority": "重点督办", "head": "一把手督办"}
SUPERVISION_STATUS = {"open": "待答复", "responded": "已答复", "closed": "已办结"}
TIME = "%Y-%m-%d %H:%M"


def local_time(moment: datetime | None, tz: tzinfo) -> str:
    """A stored moment as local wall-clock text. A value stored before any bound (a media
    publish time of 9999-12-31T23:59:59Z is past the last local date) is shown in UTC, marked,
    instead of failing the whole notice on one odd row."""
    if moment is None:
        return ""
    try:
        return moment.astimezone(tz).strftime(TIME)
    except (OverflowError, ValueError):
        return f"{moment.astimezone(UTC).strftime(TIME)} UTC"


def _district(names: dict[str, str], code: str | None) -> str:
    return names.get(code or "", code or UNKNOWN_DISTRICT)


def _with_total(
    rows: list[dict[str, Value]], columns: tuple[Column, ...]
) -> tuple[dict[str, Value], ...]:
    """Append a 合计 row summing every numeric column (the charts leave it out)."""
    total: dict[str, Value] = {columns[0].key: TOTAL}
    for column in columns[1:]:
        total[column.key] = sum(_count(row.get(column.key)) for row in rows)
    return (*rows, total)


def _count(value: Value) -> int:
    return value if isinstance(value, int) else 0


def district_table(
    session: Session,
    window: q.Window,
    *,
    intake: Counter[tuple[str, str]],
    unhappy: Counter[str],
    overdue: Counter[str],
) -> Table:
    """Per district; the counts read once by the notice are passed in (the channel tables and
    the figures use them too)."""
    handled = q.handled(session, window)
    per_district = Counter[str]()
    for (district, _channel), n in intake.items():
        per_district[district] += n
    codes = sorted(set(per_district) | set(handled) | set(overdue) | set(unhappy), key=_order)
    names = q.district_names(session)
    rows: list[dict[str, Value]] = [
        {
            "district": _district(names, code),
            "intake": per_district[code],
            "answered": handled.get(code, Counter())["answered"],
            "closed": handled.get(code, Counter())["closed"],
            "overdue": overdue[code],
            "unsatisfied": unhappy[code],
        }
        for code in codes
    ]
    columns = (
        Column("district", "区县"),
        Column("intake", "受理", "int"),
        Column("answered", "办结", "int"),
        Column("closed", "结案", "int"),
        Column("overdue", "超期未办结", "int"),
        Column("unsatisfied", "不满意", "int"),
    )
    note = (
        "受理：本期登记（作废件不计）；办结：本期有办结答复或直接答复的工单；结案：本期结案；"
        "超期未办结：截至通报时点已过办结期限仍未答复；不满意：本期回访接通且过程或结果不满意。"
    )
    rows_with_total = _with_total(rows, columns)
    return Table("districts", "各区县办理情况", columns, rows_with_total, note, total_row=True)


def _order(code: str) -> tuple[int, str]:
    return (code == "", code)  # unlocated last


def channel_tables(
    session: Session, window: q.Window, intake: Counter[tuple[str, str]]
) -> tuple[Table, Table]:
    """The district × channel matrix, and the channel totals (for the chart)."""
    channels = q.channel_names(session)
    used = [code for code in channels if any(c == code for _, c in intake)]
    used += sorted({c for _, c in intake} - set(used))
    districts = q.district_names(session)
    rows: list[dict[str, Value]] = []
    for district in sorted({d for d, _ in intake}, key=_order):
        row: dict[str, Value] = {"district": _district(districts, district)}
        row.update({code: intake[district, code] for code in used})
        row["total"] = sum(intake[district, code] for code in used)
        rows.append(row)
    columns = (
        Column("district", "区县"),
        *(Column(code, channels.get(code, code), "int") for code in used),
        Column("total", TOTAL, "int"),
    )
    matrix = Table(
        "channels", "受理渠道分布（按区县）", columns, _with_total(rows, columns), total_row=True
    )
    totals: tuple[Row, ...] = tuple(
        {
            "channel": channels.get(code, code),
            "count": sum(n for (_, c), n in intake.items() if c == code),
        }
        for code in used
    )
    by_channel = Table(
        "channel_totals",
        "受理渠道合计",
        (Column("channel", "渠道"), Column("count", "受理件数", "int")),
        totals,
    )
    return matrix, by_channel


def overdue_table(session: Session, window: q.Window, cases: list[Case]) -> Table:
    units = q.unit_names(session, [c.lead_unit_id for c in cases])
    heads = q.unit_heads(session, [c.lead_unit_id for c in cases])
    categories = q.category_names(session, [c.category_code for c in cases])
    districts = q.district_names(session)
    rows: tuple[Row, ...] = tuple(
        {
            "number": c.number,
            "district": _district(districts, c.district_code),
            "unit": units.get(c.lead_unit_id or 0),
            "head": heads.get(c.lead_unit_id or 0),
            "category": categories.get(c.category_code or ""),
            "due": local_time(c.reply_due_at, window.tz),
            "days_over": _days(window, c),
        }
        for c in cases
    )
    columns = (
        Column("number", "工单编号"),
        Column("district", "区县"),
        Column("unit", "承办单位"),
        Column("head", "负责人"),
        Column("category", "类别"),
        Column("due", "办结期限"),
        Column("days_over", "超期天数", "int"),
    )
    note = f"按办结期限排序，至多列 {q.LIST_LIMIT} 件；保密件只计数不列明细。"
    return Table("overdue", "超期未办结工单", columns, rows, note)


def _days(window: q.Window, case: Case) -> int:
    due = case.reply_due_at
    return 0 if due is None else max((window.as_of - due) // timedelta(days=1), 0)


def _solved(value: bool | None) -> str | None:
    return None if value is None else ("已解决" if value else "未解决")


def unsatisfied_table(session: Session, window: q.Window, total: int) -> Table:
    found = q.unsatisfied_list(session, window)
    answering = [cb.unit_id or case.lead_unit_id for cb, case in found]
    units, heads = q.unit_names(session, answering), q.unit_heads(session, answering)
    districts = q.district_names(session)
    rows = tuple(
        {
            "number": case.number,
            "district": _district(districts, case.district_code),
            "unit": units.get(cb.unit_id or case.lead_unit_id or 0),
            "head": heads.get(cb.unit_id or case.lead_unit_id or 0),
            "process": SATISFACTION.get(cb.process_satisfaction or ""),
            "result": SATISFACTION.get(cb.result_satisfaction or ""),
            "solved": _solved(cb.solved),
            "at": local_time(cb.at, window.tz),
        }
        for cb, case in found
    )
    columns = (
        Column("number", "工单编号"),
        Column("district", "区县"),
        Column("unit", "承办单位"),
        Column("head", "负责人"),
        Column("process", "过程满意度"),
        Column("result", "结果满意度"),
        Column("solved", "是否解决"),
        Column("at", "回访时间"),
    )
    note = f"共 {total} 件，按回访时间列前 {q.LIST_LIMIT} 件；保密件只计数不列明细。"
    return Table("unsatisfied", "不满意回访", columns, rows, note)


def media_table(session: Session, window: q.Window, total: int) -> Table:
    cases = q.media_cases(session, window)
    categories = q.category_names(session, [c.category_code for c in cases])
    districts = q.district_names(session)
    rows = tuple(
        {
            "number": c.number,
            "district": _district(districts, c.district_code),
            "category": categories.get(c.category_code or ""),
            "outlet": c.media_outlet or None,
            "published": local_time(c.media_published_at, window.tz),
            "link": c.media_link or "",
            "status": STATUS_LABELS.get(Status(c.status), c.status),
        }
        for c in cases
    )
    columns = (
        Column("number", "工单编号"),
        Column("district", "区县"),
        Column("category", "类别"),
        Column("outlet", "媒体"),
        Column("published", "发布时间"),
        Column("link", "链接"),
        Column("status", "当前状态"),
    )
    note = f"共 {total} 件，按受理时间列前 {q.LIST_LIMIT} 件；保密件只计数不列明细。"
    return Table("media", "媒体曝光问题", columns, rows, note)


def problems_table(
    session: Session, window: q.Window, threshold: int, title: str, limit: int | None = None
) -> tuple[Table, int]:
    """The table of the first ``limit`` (default: the list limit) problems, and how many
    problems qualify."""
    limit = limit or q.LIST_LIMIT
    found, total = q.problems_with_many(session, window, threshold, limit)
    districts = q.district_names(session)
    leads = [c.problem.lead_unit_id for c in found]
    units, heads = q.unit_names(session, leads), q.unit_heads(session, leads)
    rows = tuple(
        {
            "problem": f"#{c.problem.id}",
            "title": c.problem.title,
            "district": _district(districts, c.problem.district_code),
            "unit": units.get(c.problem.lead_unit_id or 0),
            "head": heads.get(c.problem.lead_unit_id or 0),
            "total": c.total,
            "in_period": c.in_period,
            "supervision": SUPERVISION.get(c.problem.supervision_level or ""),
            "status": "已销账" if c.problem.status == "written_off" else "在账",
        }
        for c in found
    )
    columns = (
        Column("problem", "问题编号"),
        Column("title", "问题"),
        Column("district", "区县"),
        Column("unit", "责任单位"),
        Column("head", "负责人"),
        Column("total", "累计投诉", "int"),
        Column("in_period", "本期投诉", "int"),
        Column("supervision", "督办级别"),
        Column("status", "台账状态"),
    )
    note = (
        f"截至期末累计投诉 ≥ {threshold} 次且本期有新投诉的问题共 {total} 个，"
        f"按本期投诉数排序，列前 {limit} 个。"
    )
    return Table("problems", title, columns, rows, note), total


def _answerable(record: Supervision, heads: dict[int, str]) -> str | None:
    """The target unit's named head, or for a 一把手督办 of a unit without one the warning."""
    return heads.get(record.target_unit_id or 0) or head_warning(record.level, None)


def supervision_table(session: Session, window: q.Window) -> Table:
    """The supervisions opened in the period from 督办 up, each naming whom it reaches: the
    target unit's head and phone, or a warning where a 一把手督办 names nobody."""
    found = q.supervisions_opened(session, window)
    targets = [record.target_unit_id for record, _number in found.first]
    units, heads = q.unit_names(session, targets), q.unit_heads(session, targets)
    districts = q.district_names(session)
    rows = tuple(
        {
            "level": SUPERVISION.get(record.level, record.level),
            "number": number,
            "problem": f"#{record.problem_id}" if record.problem_id else None,
            "district": _district(districts, record.district_code),
            "unit": units.get(record.target_unit_id or 0),
            "head": _answerable(record, heads),
            "due": local_time(record.due_at, window.tz),
            "status": SUPERVISION_STATUS.get(record.status, record.status),
        }
        for record, number in found.first
    )
    columns = (
        Column("level", "督办级别"),
        Column("number", "工单编号"),
        Column("problem", "问题编号"),
        Column("district", "区县"),
        Column("unit", "督办对象"),
        Column("head", "负责人"),
        Column("due", "答复期限"),
        Column("status", "状态"),
    )
    counted = "，".join(
        f"{label} {found.counts[level]} 件"
        for level, label in SUPERVISION.items()
        if found.counts[level]
    )
    note = (
        f"本期发起{counted or '督办 0 件'}；列督办及以上，按发起时间排序，"
        f"至多列 {q.LIST_LIMIT} 件；保密件只计数不列明细。"
    )
    return Table("supervisions", "督办事项", columns, rows, note)


def hotspot_table(found: list[Hotspot]) -> Table:
    rows = tuple(
        {
            "rank": rank,
            "kind": "问题" if h.kind == "problem" else "街道×类别",
            "label": h.label,
            "district": h.district,
            "window": h.window_days,
            "observed": h.observed,
            "baseline_rate": h.baseline_rate,
            "expected": h.expected,
            "ratio": h.ratio,
            "score": h.score,
            "samples": "、".join(h.samples),
        }
        for rank, h in enumerate(found, start=1)
    )
    columns = (
        Column("rank", "排名", "int"),
        Column("kind", "类型"),
        Column("label", "热点"),
        Column("district", "区县"),
        Column("window", "近期窗口（天）", "int"),
        Column("observed", "近期件数", "int"),
        Column("baseline_rate", "基线日均", "score"),
        Column("expected", "预期件数", "score"),
        Column("ratio", "倍数", "score"),
        Column("score", "异常得分", "score"),
        Column("samples", "样例工单"),
    )
    note = "异常得分：泊松尾概率折算的 z 值，基线为近期窗口之前 12 周（见 docs/reports.md）。"
    return Table("hotspots", "热点预警", columns, rows, note)


def trend_table(session: Session, window: q.Window) -> Table:
    series = q.daily_series(session, window)
    rows: list[Row] = []
    for offset in range(window.period.days):
        day = window.period.start + timedelta(days=offset)
        counts = series.get(day, Counter())
        rows.append(
            {"day": day.isoformat(), "intake": counts["intake"], "answered": counts["answered"]}
        )
    columns = (
        Column("day", "日期"),
        Column("intake", "受理", "int"),
        Column("answered", "办结", "int"),
    )
    return Table("trend", "每日受理与办结", columns, tuple(rows))
