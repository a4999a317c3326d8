"""Daily notice, weekly summary and monthly report on a period built through the services, with
the numbers computed by hand; the xlsx reopened with openpyxl and checked cell by cell; the HTML
parsed (no script, inline SVG, the key numbers).

The story (local times, Asia/Shanghai; E0301 gives 2 working days to reply; the notice is made
on Wednesday 25 November 2026 at 18:00):

* a1 — Fri 20 Nov 09:00: dispatched to 历下区城管局, signed, never replied: 2 working days of
  7 hours run out on Mon 23 Nov at 17:30, so at the notice it is overdue by 2 days (历下).
* a3 — Mon 23 Nov: dispatched, signed, replied on the 24th; callback on the 25th: process 满意,
  result 不满意 → reopened (the day's one unsatisfied callback, 历下).
* a2 — Tue 24 Nov: dispatched, signed, replied on the 25th (answered today, 历下).
* 25 Nov: b1 (12345, dispatched → 历下), b2 (wechat, 市中, answered directly: answered and
  closed today), b3 (media, 济南日报, 历下), b4 (12345, 市中, confidential), b5 (历下, voided:
  counts nowhere).
* Problems: a1, a2, b1 on one problem (3 complaints, 1 of them today → listed); b2, b4 on
  another (2 → not listed).
"""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser
from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from hotline.adapters.db.models import Case, Problem
from hotline.domain.errors import InvalidInput
from hotline.domain.lifecycle import Action
from hotline.domain.roles import Actor
from hotline.services.context import Hotline
from hotline.services.evaluation.monthly import evaluate_month
from hotline.services.reporting.production import build_notice, filename, produce
from tests.conftest import FakeClock
from tests.integration.reporting.test_indicators import Story

SATISFIED, UNSATISFIED = "satisfied", "unsatisfied"

DISTRICT_ROWS = [
    # district, intake, answered, closed, overdue, unsatisfied
    ["历下区", 2, 1, 0, 1, 1],
    ["市中区", 2, 1, 1, 0, 0],
    ["合计", 4, 2, 1, 1, 1],
]
CHANNEL_ROWS = [
    # district, 12345, wechat, media, total
    ["历下区", 1, 0, 1, 2],
    ["市中区", 1, 1, 0, 2],
    ["合计", 2, 1, 1, 4],
]


def link(story: Story, title: str, district: str, *numbers: str) -> None:
    """Put cases on one problem ledger entry, as the repeat finder would."""
    with story.hotline.db.transaction() as session:
        cases = session.scalars(select(Case).where(Case.number.in_(numbers))).all()
        now = story.clock()
        problem = Problem(
            status="open",
            title=title,
            district_code=district,
            first_case_at=now,
            last_case_at=now,
            case_count=len(cases),
        )
        session.add(problem)
        session.flush()
        for case in cases:
            case.problem_id = problem.id


def november(s: Story) -> dict[str, str]:
    s.at("2026-11-20")
    a1 = s.dispatched()
    s.do(a1, Action.ACCEPT, "handler")
    s.at("2026-11-23")
    a3 = s.dispatched()
    s.do(a3, Action.ACCEPT, "handler")
    s.at("2026-11-24")
    a2 = s.dispatched()
    s.do(a2, Action.ACCEPT, "handler")
    s.at("2026-11-24", "15:00")
    s.reply(a3)
    s.at("2026-11-25", "09:00")
    b1 = s.dispatched()
    b2 = s.case(channel="wechat", district_code="370103", content="咨询：市中区垃圾清运时间")
    s.do(b2, Action.ANSWER_DIRECTLY, "operator", reply_text="每日两次")
    b3 = s.case(
        channel="media",
        district_code="370102",
        media_outlet="济南日报",
        media_link="https://example.org/news/1",
        content="泉城路人行道破损无人修",
    )
    b4 = s.case(district_code="370103", confidential=True)
    b5 = s.case(district_code="370102", content="误拨电话")
    s.do(b5, Action.VOID, "operator", "误拨")
    s.at("2026-11-25", "10:00")
    s.reply(a2)
    s.at("2026-11-25", "11:00")
    s.callback(a3, SATISFIED, UNSATISFIED, False)
    link(s, "泉城路夜间施工噪音", "370102", a1, a2, b1)
    link(s, "市中区垃圾清运", "370103", b2, b4)
    s.at("2026-11-25", "18:00")
    return {"a1": a1, "a2": a2, "a3": a3, "b1": b1, "b2": b2, "b3": b3, "b4": b4, "b5": b5}


@pytest.fixture
def story(hotline: Hotline, actors: dict[str, Actor], clock: FakeClock) -> Story:
    return Story(hotline, actors, clock)


def cells(rows: Any, keys: list[str]) -> list[list[Any]]:
    return [[row[key] for key in keys] for row in rows]


def test_daily_notice_has_the_hand_computed_numbers(story: Story) -> None:
    cases = november(story)
    notice = build_notice(story.hotline, "daily", "2026-11-25", story.hotline.now())
    districts = notice.table("districts")
    keys = ["district", "intake", "answered", "closed", "overdue", "unsatisfied"]
    assert cells(districts.rows, keys) == DISTRICT_ROWS
    channels = notice.table("channels")
    assert [c.label for c in channels.columns] == [
        "区县",
        "12345市民服务热线",
        "微信公众号",
        "媒体(报纸/电视/网络)",
        "合计",
    ]
    assert cells(channels.rows, [c.key for c in channels.columns]) == CHANNEL_ROWS
    totals = [(r["channel"], r["count"]) for r in notice.table("channel_totals").rows]
    assert totals == [("12345市民服务热线", 2), ("微信公众号", 1), ("媒体(报纸/电视/网络)", 1)]
    assert [r["number"] for r in notice.table("overdue").rows] == [cases["a1"]]
    overdue = notice.table("overdue").rows[0]
    assert (overdue["due"], overdue["days_over"], overdue["unit"]) == (
        "2026-11-23 17:30",
        2,
        "历下区城市管理局",
    )
    unsatisfied = notice.table("unsatisfied").rows
    assert [(r["number"], r["process"], r["result"], r["solved"]) for r in unsatisfied] == [
        (cases["a3"], "满意", "不满意", "未解决")
    ]
    media = notice.table("media").rows
    assert [(r["number"], r["outlet"], r["district"]) for r in media] == [
        (cases["b3"], "济南日报", "历下区")
    ]
    problems = notice.table("problems").rows
    assert [(r["title"], r["total"], r["in_period"]) for r in problems] == [
        ("泉城路夜间施工噪音", 3, 1)
    ]
    figures = {f.label: f.value for f in notice.figures}
    assert figures["受理"] == 4 and figures["办结"] == 2 and figures["超期未办结"] == 1
    assert figures["媒体曝光"] == 1 and figures["3 次及以上投诉问题"] == 1


def test_a_notice_made_days_later_counts_what_was_overdue_at_its_moment(story: Story) -> None:
    """a1 is replied two days after the notice day: the notice of the 25th, made on the 27th,
    still counts and names it (overdue at the end of the 25th); the 27th's own notice does not."""
    cases = november(story)
    story.at("2026-11-27", "10:00")
    story.reply(cases["a1"])
    story.at("2026-11-27", "18:00")
    late = build_notice(story.hotline, "daily", "2026-11-25", story.hotline.now())
    assert [r["number"] for r in late.table("overdue").rows] == [cases["a1"]]
    assert {f.label: f.value for f in late.figures}["超期未办结"] == 1
    overdue = [r["overdue"] for r in late.table("districts").rows]
    assert overdue == [row[4] for row in DISTRICT_ROWS]
    today = build_notice(
        story.hotline, "daily", "2026-11-27", story.hotline.now()
    )  # others have run out since
    assert cases["a1"] not in [r["number"] for r in today.table("overdue").rows]


def test_confidential_cases_count_but_are_never_named(story: Story) -> None:
    cases = november(story)
    html = produce(story.hotline, "daily", "2026-11-25", "html", story.hotline.now()).decode(
        "utf-8"
    )
    assert cases["b4"] not in html  # counted in 市中区's intake of 2, never listed
    assert cases["b5"] not in html  # void: nowhere


def test_daily_xlsx_cell_by_cell(story: Story) -> None:
    november(story)
    book = load_workbook(
        BytesIO(produce(story.hotline, "daily", "2026-11-25", "xlsx", story.hotline.now()))
    )
    assert book.sheetnames[:3] == ["概况", "各区县办理情况", "受理渠道分布（按区县）"]
    sheet = book["各区县办理情况"]
    assert sheet["A1"].value == "各区县办理情况"
    assert [c.value for c in sheet[2]][:6] == [
        "区县",
        "受理",
        "办结",
        "结案",
        "超期未办结",
        "不满意",
    ]
    for row_number, expected in enumerate(DISTRICT_ROWS, start=3):
        row = [c.value for c in sheet[row_number]][:6]
        assert row == expected
        assert all(isinstance(v, int) for v in row[1:])  # numbers stay numbers
        assert sheet.cell(row=row_number, column=2).number_format == "#,##0"
    assert sheet["A5"].font.bold  # the 合计 row
    assert sheet["A2"].font.bold and sheet["A2"].fill.fgColor.rgb.endswith("DCE6F1")
    assert len(sheet._charts) == 1  # a native bar chart beside the table
    channels = book["受理渠道分布（按区县）"]
    for row_number, expected in enumerate(CHANNEL_ROWS, start=3):
        assert [c.value for c in channels[row_number]][:5] == expected
    summary = book["概况"]
    figures = {
        summary.cell(row=r, column=1).value: summary.cell(row=r, column=2).value
        for r in range(5, 13)
    }
    assert figures["受理"] == 4 and figures["不满意回访"] == 1


class Page(HTMLParser):
    """Collects tags, inline figures and the cells of each table by id."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.figures: dict[str, str] = {}
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._figure: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        attributes = dict(attrs)
        if tag == "table" and attributes.get("id"):
            self._table = attributes["id"]
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []
        elif tag == "div" and attributes.get("data-figure"):
            self._figure = attributes["data-figure"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = None
        elif tag in ("td", "th") and self._table and self._cell is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "div":
            self._figure = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._figure:
            self.figures[self._figure] = self.figures.get(self._figure, "") + data.strip()


def parse(content: bytes) -> Page:
    page = Page()
    page.feed(content.decode("utf-8"))
    return page


def test_daily_html_is_scriptless_with_inline_svg_and_the_numbers(story: Story) -> None:
    november(story)
    content = produce(story.hotline, "daily", "2026-11-25", "html", story.hotline.now())
    page = parse(content)
    assert "script" not in page.tags and b"<script" not in content.lower()
    assert "svg" in page.tags and "rect" in page.tags
    assert b"javascript:" not in content and b" onload=" not in content
    assert page.figures["受理"] == "4" and page.figures["超期未办结"] == "1"
    assert page.tables["districts"][1:] == [[str(v) for v in row] for row in DISTRICT_ROWS]
    assert "当日通报" in content.decode() and "2026年11月25日" in content.decode()


def test_weekly_summary_trend_and_indicators(story: Story) -> None:
    november(story)
    notice = build_notice(story.hotline, "weekly", "2026-W48", story.hotline.now())
    assert (notice.start_on.isoformat(), notice.end_on.isoformat()) == ("2026-11-23", "2026-11-29")
    trend = {r["day"]: (r["intake"], r["answered"]) for r in notice.table("trend").rows}
    # Intake a3 (23rd), a2 (24th), b1–b4 (25th); answered a3 (24th), b2 and a2 (25th).
    assert trend["2026-11-23"] == (1, 0) and trend["2026-11-24"] == (1, 1)
    assert trend["2026-11-25"] == (4, 2) and trend["2026-11-26"] == (0, 0)
    assert notice.table("districts").rows[-1]["intake"] == 6
    indicators = {r["name"]: r for r in notice.table("indicators").rows}
    result = indicators["结果满意率"]
    assert (result["numerator"], result["denominator"], result["value"]) == (0, 1, 0.0)
    book = load_workbook(
        BytesIO(produce(story.hotline, "weekly", "2026-W48", "xlsx", story.hotline.now()))
    )
    sheet = book["本周热线指标"]
    row = next(r for r in sheet.iter_rows(min_row=3) if r[0].value == "结果满意率")
    assert row[1].value == 0 and row[1].number_format == "0.00%"
    assert len(book["每日受理与办结"]._charts) == 1


def test_monthly_report_shows_indicators_ranking_and_lists(story: Story) -> None:
    november(story)
    ranking = evaluate_month(story.hotline, "2026-11", story.hotline.now())
    content = produce(story.hotline, "monthly", "2026-11", "xlsx", story.hotline.now())
    book = load_workbook(BytesIO(content))
    sheet = book["考评排名"]
    assert [c.value for c in sheet[2]] == [
        "名次",
        "被考评单位",
        "负责人",
        "得分",
        "基准线",
        "榜单",
        "奖惩金额（元）",
    ]
    heads = {"历下区": "局长李建华 0531-80200201", "市中区": "局长王志刚 0531-80300301"}
    for row_number, result in enumerate(ranking, start=3):
        rank, name, head, score = (sheet.cell(row=row_number, column=c).value for c in (1, 2, 3, 4))
        assert (rank, name, score) == (result.rank, result.name, result.score)
        assert head == heads.get(name, head) and head  # every district names its bureau's head
    note = sheet.cell(row=4 + len(ranking), column=1).value
    unrated = [r for r in ranking if not r.rated]
    assert unrated and note == (
        f"说明：得分计算明细见考评结果（hotline evaluate）。{len(unrated)} 个单位无考核数据"
        "（样本不足），列于表末，不排名、不列红黑榜、不奖不扣。"
    )
    last = 2 + len(ranking)  # an unrated entity: blank cells, never 「—」 written as text
    assert [sheet.cell(row=last, column=c).value for c in (1, 2, 4, 5, 6, 7)] == [
        None, unrated[-1].name, None, "无考核数据（样本不足）", None, None
    ]  # fmt: skip
    red = [
        sheet.cell(row=r, column=2).value
        for r in range(3, 3 + len(ranking))
        if "红榜" in str(sheet.cell(row=r, column=6).value)
    ]
    assert red == [r.name for r in ranking if "red" in r.lists]
    assert [c.value for c in book["红榜"]["B"][2:]] == red
    by_district = book["各区县指标"]
    header = [c.value for c in by_district[2]]
    column = header.index("结果满意率") + 1
    lixia = next(
        r
        for r in range(3, by_district.max_row + 1)
        if by_district.cell(row=r, column=1).value == "历下区"
    )
    cell = by_district.cell(row=lixia, column=column)
    assert cell.value == 0 and cell.number_format == "0.00%"  # a3's 不满意: 0 of 1
    assert len(book["各区县指标"]._charts) == 1
    page = parse(produce(story.hotline, "monthly", "2026-11", "html", story.hotline.now()))
    assert "script" not in page.tags and page.tags.count("svg") >= 3
    assert [row[1] for row in page.tables["ranking"][1:]] == [r.name for r in ranking]


@pytest.mark.parametrize(
    ("kind", "key", "fmt", "says"),
    [
        ("monthly", "2026-13", "html", "2026-13"),
        ("weekly", "2026-W60", "xlsx", "2026-W60"),
        ("weekly", "2025-W53", "html", "2025 年没有第 53 周"),
        ("daily", "2026-02-30", "html", "2026-02-30"),
        ("daily", "25/11/2026", "html", "YYYY-MM-DD"),
        ("yearly", "2026", "html", "通报类型"),
        ("daily", "2026-11-25", "pdf", "格式"),
    ],
)
def test_bad_requests_are_refused_by_name(
    hotline: Hotline, kind: str, key: str, fmt: str, says: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        produce(hotline, kind, key, fmt, hotline.now())
    assert says in refused.value.detail


def test_filenames() -> None:
    assert filename("daily", "2026-11-25", "html") == "daily-2026-11-25.html"
    assert filename("weekly", "2026-W48", "xlsx") == "weekly-2026-W48.xlsx"
    with pytest.raises(InvalidInput):
        filename("monthly", "2026-1", "html")


def test_a_day_without_cases_still_makes_a_notice(hotline: Hotline, clock: FakeClock) -> None:
    clock.current = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    notice = build_notice(hotline, "daily", "2026-11-25", hotline.now())
    assert notice.table("districts").rows == (
        {
            "district": "合计",
            "intake": 0,
            "answered": 0,
            "closed": 0,
            "overdue": 0,
            "unsatisfied": 0,
        },
    )
    page = parse(produce(hotline, "daily", "2026-11-25", "html", hotline.now()))
    assert page.figures["受理"] == "0"
    load_workbook(BytesIO(produce(hotline, "daily", "2026-11-25", "xlsx", hotline.now())))


def test_long_lists_are_cut_but_their_counts_stay_whole(
    story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At city scale a day has hundreds of unsatisfied callbacks and media cases: the notice
    names the first LIST_LIMIT of each and says how many there are; the figures count all."""
    from hotline.reports.notices import queries

    cases = november(story)
    story.at("2026-11-25", "12:00")
    b6 = story.case(channel="media", district_code="370103", media_outlet="齐鲁晚报")
    more = [story.case(district_code="370102", content="经十路占道经营") for _ in range(2)]
    link(story, "经十路占道经营", "370102", b6, *more)  # 3 today: listed before the older one
    story.at("2026-11-25", "18:00")
    monkeypatch.setattr(queries, "LIST_LIMIT", 1)
    notice = build_notice(story.hotline, "daily", "2026-11-25", story.hotline.now())
    media = notice.table("media")
    assert [r["number"] for r in media.rows] == [cases["b3"]]  # first received, one listed
    assert "共 2 件" in (media.note or "")
    figures = {f.label: f.value for f in notice.figures}
    assert figures["媒体曝光"] == 2
    problems = notice.table("problems")
    assert [r["title"] for r in problems.rows] == ["经十路占道经营"]
    assert "共 2 个" in (problems.note or "")
    assert figures["3 次及以上投诉问题"] == 2


def test_a_notice_for_any_span_of_days(story: Story) -> None:
    """梳理通报 (e.g. 今年以来): any span of days; over exactly an ISO week it holds what the
    weekly summary holds, under its own title."""
    november(story)
    week = build_notice(story.hotline, "weekly", "2026-W48", story.hotline.now())
    span = build_notice(story.hotline, "period", "2026-11-23--2026-11-29", story.hotline.now())
    assert span.kind == "period" and "2026年11月23日至2026年11月29日梳理通报" in span.title
    assert span.tables[1:] == week.tables[1:] and span.figures == week.figures
    assert span.table("indicators").rows == week.table("indicators").rows
    longer = build_notice(story.hotline, "period", "2026-01-01--2026-11-25", story.hotline.now())
    # a1 (20 Nov), a3 (23 Nov), a2 (24 Nov) and the 25th's four (b5 voided counts nowhere)
    assert longer.table("districts").rows[-1]["intake"] == 3 + 4
    content = produce(
        story.hotline, "period", "2026-01-01--2026-11-25", "xlsx", story.hotline.now()
    )
    assert load_workbook(BytesIO(content))["概况"]["A1"].value == longer.title


@pytest.mark.parametrize(
    ("key", "field", "says"),
    [
        ("2026-11-25--2026-11-01", "from", "结束日期不能早于开始日期"),
        ("2026-02-30--2026-03-01", "from", "开始日期不存在的日期"),
        ("2026-01-01--2026-13-01", "to", "结束日期"),
        ("2020-01-01--2026-01-01", "from", "统计期不能超过"),
        ("2026-01-01", "from", "统计期须为"),
    ],
)
def test_a_bad_span_is_refused_naming_it(hotline: Hotline, key: str, field: str, says: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        produce(hotline, "period", key, "html", hotline.now())
    assert says in refused.value.detail and field in refused.value.fields


def test_a_district_cut_holds_its_own_cases_beside_the_city(story: Story) -> None:
    """区县版 for 市中: its own figures and named lists; every district's counts stay, so it
    sees itself beside the others (DISTRICT_ROWS)."""
    november(story)
    city = build_notice(story.hotline, "daily", "2026-11-25", story.hotline.now())
    cut = build_notice(story.hotline, "daily", "2026-11-25", story.hotline.now(), district="370103")
    assert cut.title.endswith("当日通报（市中区版）")
    assert cut.table("districts").rows == city.table("districts").rows  # the city beside it
    figures = {f.label: f.value for f in cut.figures}
    # 市中: b2 and b4 received, b2 answered and closed, nothing overdue or unsatisfied
    assert (figures["受理"], figures["办结"], figures["结案"]) == (2, 1, 1)
    assert (figures["超期未办结"], figures["不满意回访"], figures["媒体曝光"]) == (0, 0, 0)
    for key in ("overdue", "unsatisfied", "media"):  # 历下's cases are not in 市中's lists
        assert city.table(key).rows and not cut.table(key).rows
    lixia = build_notice(
        story.hotline, "daily", "2026-11-25", story.hotline.now(), district="370102"
    )
    assert lixia.table("overdue").rows == city.table("overdue").rows  # a1 is 历下's
    assert {f.label: f.value for f in lixia.figures}["受理"] == 2


def test_a_monthly_cut_holds_the_districts_own_figures_overdue_cases_and_indicators(
    story: Story,
) -> None:
    """区县版 of the monthly report (issue 18 item 8): 历下's own key figures, indicators and
    overdue list first, then the city's indicators, ranking and lists as in the city edition."""
    cases = november(story)
    ranking = evaluate_month(story.hotline, "2026-11", story.hotline.now())
    city = build_notice(story.hotline, "monthly", "2026-11", story.hotline.now(), ranking)
    cut = build_notice(
        story.hotline, "monthly", "2026-11", story.hotline.now(), ranking, district="370102"
    )
    assert cut.title.endswith("月度报告（历下区版）")
    keys = [t.key for t in cut.tables]
    assert keys[:3] == ["district_indicators", "overdue", "hotspots"]
    assert keys[3:] == [t.key for t in city.tables]  # the city's tables beside it, unchanged
    assert cut.table("ranking").rows == city.table("ranking").rows
    # 历下 received a1, a3, a2, b1, b3 in November (b5 void); a1 is still overdue
    figures = {f.label: f.value for f in cut.figures}
    assert figures["受理"] == 5
    assert {f.label: f.value for f in city.figures}["受理"] == 7
    assert [row["number"] for row in cut.table("overdue").rows] == [cases["a1"]]
    own = {row["name"]: row for row in cut.table("district_indicators").rows}
    assert (own["结果满意率"]["numerator"], own["结果满意率"]["denominator"]) == (0, 1)
    shizhong = build_notice(
        story.hotline, "monthly", "2026-11", story.hotline.now(), ranking, district="370103"
    )
    assert shizhong.table("overdue").rows == ()
