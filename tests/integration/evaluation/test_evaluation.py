"""The monthly evaluation (考评) on a hand-built October, through the services, real database.

The month (local times; E0301 gives 1 working hour to sign and 2 working days to reply):

* 历下 (370102): cases A and B dispatched 12 October, signed, replied in time the next day;
  callbacks on 29 October: A 满意/满意, B 满意/不满意 (B reopens; its new round is due in
  November). A media case (媒体曝光) comes in on 20 October.
* 市中 (370103): case C dispatched, signed, replied in time, callback 满意/满意; an urge (催办)
  opened on 12 October is never answered: one overdue supervision.
* 槐荫 (370104): case D dispatched, signed, replied in time; no callback yet.
* The other 12 districts, counties and zones: no case at all.

Test scheme: reply_rate 40 points at baseline 90 %, result_satisfaction 60 at 80 %; +0.5 per
point above (cap 5), −1 per point below; minimum sample 1; media −2, overdue supervision −1;
red: the best one, black: the worst one or result satisfaction below baseline; funding rank 1
+100,000, the last one rated −50,000. By hand:

* 槐荫: reply 1/1 = 100 % (+10 pp → +5) 45 of 40; result n=0: too few, so scored on reply alone,
  45 × 100 ÷ 40 = 112.50, rank 1, red, +100,000.
* 市中: reply 100 % (+10 pp → +5, capped) 45; result 100 % (+20 pp → +10, capped at 5) 65;
  −1 overdue supervision → 109.00, rank 2, no list, 0.
* 历下: reply 2/2 → 45; result 1/2 = 50 % (−30 pp) → 30; −2 media → 73.00, rank 3 (the last
  rated), black, −50,000.
* the 12 without cases: 无考核数据 — no score, rank, list or amount.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hotline.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from hotline.domain.lifecycle import Action
from hotline.domain.roles import SYSTEM, Actor, Role
from hotline.services.context import Hotline
from hotline.services.evaluation.adjustments import (
    AdjustmentRequest,
    decide_adjustment,
    list_adjustments,
    request_adjustment,
)
from hotline.services.evaluation.monthly import NO_CASES_NOTE, evaluate_month, evaluation_report
from hotline.services.evaluation.settlement import settle_month
from hotline.services.ledger.supervision import supervise_case
from hotline.services.reporting.production import build_notice
from tests.conftest import FakeClock, unit_id
from tests.integration.helpers import act, new_case

SCHEME = """\
version: "test-1"
name: 测试考评方案
indicators:
  - {code: reply_rate, weight: 40, baseline: 0.90, points_per_pp_above: 0.5,
     points_per_pp_below: 1.0, bonus_cap: 5}
  - {code: result_satisfaction, weight: 60, baseline: 0.80, points_per_pp_above: 0.5,
     points_per_pp_below: 1.0, bonus_cap: 5}
deductions:
  - {code: media_exposure, label: 媒体曝光, points_each: 2}
  - {code: overdue_supervision, label: 督办超期未回复, points_each: 1}
red_top: 1
black_bottom: 1
black_if_failing: [result_satisfaction]
funding:
  - {first_rank: 1, last_rank: 1, amount: 100000}
  - {count_from: bottom, first_rank: 1, last_rank: 1, amount: -50000}
"""
LIXIA, SHIZHONG, HUAIYIN = "370102", "370103", "370104"


class October:
    def __init__(self, hotline: Hotline, actors: dict[str, Actor], clock: FakeClock) -> None:
        self.hotline, self.clock = hotline, clock
        self.actors = {
            **actors,
            "sz": Actor("sz-h", Role.HANDLER, unit_id=unit_id(hotline, "SZ-CGJ")),
            "hy": Actor("hy-h", Role.HANDLER, unit_id=unit_id(hotline, "HY-CGJ")),
        }
        self.numbers: dict[str, str] = {}

    def at(self, day: str, hhmm: str = "09:00") -> None:
        local = datetime.fromisoformat(f"{day}T{hhmm}").replace(tzinfo=self.hotline.settings.tz)
        self.clock.current = local.astimezone(UTC)

    def do(self, number: str, action: Action, who: str, **fields: Any) -> None:
        act(self.hotline, number, action, self.actors[who], **fields)

    def dispatched(self, name: str, unit: str, district: str) -> str:
        number = new_case(self.hotline, self.actors["operator"], district_code=district)
        self.do(number, Action.REGISTER, "operator", category_code="E0301")
        self.do(number, Action.DISPATCH, "dispatcher", unit=unit)
        self.numbers[name] = number
        return number

    def handled(self, number: str, handler: str) -> None:
        self.do(number, Action.ACCEPT, handler)

    def callback(self, number: str, result: str) -> None:
        self.do(number, Action.RECORD_CALLBACK, "operator", outcome="reached", solved=True,
                process_satisfaction="satisfied", result_satisfaction=result)  # fmt: skip

    def build(self) -> None:
        self.at("2026-10-12", "09:00")
        a, b = self.dispatched("A", "LX-CGJ", LIXIA), self.dispatched("B", "LX-CGJ", LIXIA)
        c = self.dispatched("C", "SZ-CGJ", SHIZHONG)
        d = self.dispatched("D", "HY-CGJ", HUAIYIN)
        self.at("2026-10-12", "09:30")
        for number, who in ((a, "handler"), (b, "handler"), (c, "sz"), (d, "hy")):
            self.handled(number, who)
        self.at("2026-10-12", "10:00")
        supervise_case(self.hotline, c, "urge", "请加快办理", self.actors["supervisor"],
                       self.clock())  # fmt: skip
        self.at("2026-10-13", "10:00")
        for number, who in ((a, "handler"), (b, "handler"), (c, "sz"), (d, "hy")):
            self.do(number, Action.REPLY, who, result_type="solved", reply_text="已处理")
        self.at("2026-10-14", "10:00")
        self.callback(c, "satisfied")
        self.at("2026-10-20", "10:00")
        self.numbers["M"] = new_case(
            self.hotline, self.actors["operator"], channel="media", district_code=LIXIA,
            media_outlet="济南日报", content="泉城路人行道破损，见报",
        )  # fmt: skip
        self.at("2026-10-29", "14:00")
        self.callback(a, "satisfied")
        self.callback(b, "unsatisfied")
        self.at("2026-10-30", "12:00")


@pytest.fixture
def october(hotline: Hotline, actors: dict[str, Actor], clock: FakeClock) -> October:
    story = October(hotline, actors, clock)
    story.build()
    return story


@pytest.fixture
def scheme(tmp_path: Path) -> str:
    path = tmp_path / "test-scheme.yaml"
    path.write_text(SCHEME, encoding="utf-8")
    return str(path)


def by_code(results: list[Any]) -> dict[str, Any]:
    return {result.entity: result for result in results}


def test_every_district_is_scored_ranked_listed_and_funded_by_hand(
    october: October, scheme: str
) -> None:
    results = evaluate_month(october.hotline, "2026-10", october.hotline.now(), scheme)
    assert len(results) == 15  # 12 districts and counties + 3 functional zones: no blind spot
    got = by_code(results)
    summary = {code: (r.score, r.rank, r.lists, r.amount) for code, r in got.items()}
    assert summary[HUAIYIN] == (112.5, 1, ["red"], 100000)
    assert summary[SHIZHONG] == (109.0, 2, [], 0.0)
    assert summary[LIXIA] == (73.0, 3, ["black"], -50000)
    assert got[LIXIA].baseline_passed == {"reply_rate": True, "result_satisfaction": False}
    others = [r for code, r in got.items() if code not in (SHIZHONG, LIXIA, HUAIYIN)]
    assert len(others) == 12
    assert {(r.score, r.rank, tuple(r.lists), r.amount, r.rated) for r in others} == {
        (None, None, (), None, False)
    }
    assert [r.entity for r in results][:3] == [HUAIYIN, SHIZHONG, LIXIA]  # the unrated after


def test_the_explanation_shows_every_step(october: October, scheme: str) -> None:
    got = by_code(evaluate_month(october.hotline, "2026-10", october.hotline.now(), scheme))
    lines = got[LIXIA].explanation
    assert "结果满意率 = 结果满意与基本满意件数 ÷ 回访接通件数 × 100%：1/2" in lines
    assert ("结果满意率：50.00%（n=2，95% 置信区间 9.45%–90.55%），低于基准线 80.00% "
            "30.00 个百分点，60 -30.00 = 30.00 分") in lines  # fmt: skip
    assert f"媒体曝光：1 次 × 2 分 = -2 分（{october.numbers['M']}）" in lines
    assert lines[-2:] == ["合计 73.00 分", "第 3 名（倒数第 1 名），资金 -50,000 元"]
    supervised = got[SHIZHONG].explanation
    assert f"督办超期未回复：1 次 × 1 分 = -1 分（{october.numbers['C']}）" in supervised
    renormalised = got[HUAIYIN].explanation
    assert "结果满意率：无值（n=0），样本不足（至少须 1 件），不计分（权重 60 分不计入）" in (
        renormalised
    )
    assert "结果满意率样本不足，按其余指标计分，权重按比例折算：45.00 × 100 ÷ 40 = 112.50 分" in (
        renormalised
    )
    quiet = got["370176"].explanation  # 高新区: no case this month, listed, not rated
    assert quiet[0] == NO_CASES_NOTE
    assert "回复率：无值（n=0），样本不足（至少须 1 件），不计分（权重 40 分不计入）" in quiet
    assert quiet[-1].startswith("无考核数据（样本不足）")


def test_the_document_gives_null_rank_lists_and_amount_to_the_unrated(
    october: October, scheme: str
) -> None:
    document = evaluation_report(
        october.hotline, "2026-10", october.hotline.now(), scheme
    ).as_data()
    rows = {row["entity"]: row for row in document["results"]}
    assert document["rated_count"] == 3
    quiet = rows["370176"]
    assert (quiet["score"], quiet["rank"], quiet["lists"], quiet["amount"]) == (
        None, None, None, None
    )  # fmt: skip
    assert (quiet["rated"], quiet["status_label"]) == (False, "无考核数据（样本不足）")
    assert (rows[LIXIA]["rank"], rows[LIXIA]["lists"], rows[LIXIA]["status_label"]) == (
        3, ["black"], "参评"
    )  # fmt: skip


def test_a_points_adjustment_does_not_rate_an_entity_without_data(
    october: October, scheme: str
) -> None:
    hotline, now = october.hotline, october.clock()
    points = request_adjustment(hotline, october.actors["dispatcher"], AdjustmentRequest(
        "2026-10", "points", "承担全市重大活动保障任务", entity_kind="district",
        entity_code="370176", points=5), now)  # fmt: skip
    decide_adjustment(hotline, october.actors["admin"], points["id"], True, "同意", now)
    quiet = by_code(evaluate_month(hotline, "2026-10", hotline.now(), scheme))["370176"]
    assert (quiet.rated, quiet.rank, quiet.amount) == (False, None, None)
    assert any("经批准的调整" in line and "+5 分" in line for line in quiet.explanation)


def test_what_if_under_the_shipped_scheme_lists_the_differences(
    october: October, scheme: str
) -> None:
    document = evaluation_report(
        october.hotline, "2026-10", october.hotline.now(), scheme, "district", "jinan-2026"
    ).as_data()
    diff = {d["entity"]: d for d in document["what_if"]["differences"]}
    # jinan-2026: 市中 reply +5 pp → 30+2.5; process and result capped at +3 → 38 + 38; −1;
    # rank 2 of 3 rated: a reward band and (2nd from the bottom) a penalty band, red → rewarded
    assert (diff[SHIZHONG]["score_before"], diff[SHIZHONG]["score_after"]) == (109.0, 107.5)
    assert (diff[SHIZHONG]["amount_before"], diff[SHIZHONG]["amount_after"]) == (0, 200000)
    # 历下: result 50 % is 35 pp under 85 % at 1.5 a point → floored at 0; 32.5 + 38 + 0 − 2;
    # the last of 3 rated and black: penalised, never rewarded
    assert (diff[LIXIA]["score_after"], diff[LIXIA]["rank_after"]) == (68.5, 3)
    assert diff[LIXIA]["amount_change"] == -50000
    # 槐荫 on reply alone: 32.5 × 100 ÷ 30
    assert diff[HUAIYIN]["score_after"] == 108.33
    assert diff["370176"]["score_change"] is None and diff["370176"]["rank_after"] is None
    assert document["what_if"]["scheme"]["version"] == "2026.2"


def test_units_and_street_offices_get_their_own_tables(october: October, scheme: str) -> None:
    units = evaluate_month(
        october.hotline, "2026-10", october.hotline.now(), scheme, entity_kind="unit"
    )
    assert units and all(r.explanation[0] == NO_CASES_NOTE for r in units)
    streets = by_code(
        evaluate_month(
            october.hotline, "2026-10", october.hotline.now(), scheme, entity_kind="street"
        )
    )
    assert {"LX-JFL", "LX-QCL"} <= streets.keys()
    with pytest.raises(InvalidInput, match="考评对象"):
        evaluate_month(
            october.hotline, "2026-10", october.hotline.now(), scheme, entity_kind="community"
        )


def test_a_scheme_with_an_error_is_refused_before_anything_is_read(
    hotline: Hotline, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(SCHEME.replace("weight: 60", "weight: 50"), encoding="utf-8")
    with pytest.raises(InvalidInput, match="权重之和须为 100，实为 90"):
        evaluate_month(hotline, "2026-10", hotline.now(), str(bad))
    bad.write_text(SCHEME.replace("code: result_satisfaction", "code: happiness"), "utf-8")
    with pytest.raises(InvalidInput, match="未知指标：happiness"):
        evaluate_month(hotline, "2026-10", hotline.now(), str(bad))
    with pytest.raises(InvalidInput, match="月份须为 YYYY-MM"):
        evaluate_month(hotline, "2026-13", hotline.now())


# -- exclusions and appeals (剔除/申诉) ----------------------------------------------------------


def _exclude_b(october: October, who: str = "lixia_dispatcher") -> dict[str, Any]:
    reason = "市民误评：回访时称对另一件工单不满意"
    request = AdjustmentRequest("2026-10", "exclude", reason, case=october.numbers["B"],
                                target="result_satisfaction")  # fmt: skip
    return request_adjustment(october.hotline, october.actors[who], request, october.clock())


def test_an_exclusion_counts_only_once_approved(october: October, scheme: str) -> None:
    pending = _exclude_b(october)
    assert pending["status"] == "pending"
    assert (
        by_code(evaluate_month(october.hotline, "2026-10", october.hotline.now(), scheme))[
            LIXIA
        ].score
        == 73.0
    )
    decided = decide_adjustment(october.hotline, october.actors["leader"], pending["id"], True,
                                "核实属实，同意剔除", october.clock())  # fmt: skip
    assert decided["status"] == "approved" and decided["decided_by"] == "lead"
    lixia = by_code(evaluate_month(october.hotline, "2026-10", october.hotline.now(), scheme))[
        LIXIA
    ]
    # result 1/1 = 100 % → 65; reply 45; −2 media → 108: third behind 槐荫 and 市中's 109
    assert (lixia.score, lixia.rank) == (108.0, 3)
    assert any("已剔除经批准的 1 件" in line and october.numbers["B"] in line
               for line in lixia.explanation)  # fmt: skip
    assert [e["action"] for e in decided["audit"]] == ["request", "approve"]
    assert [e["actor"] for e in decided["audit"]] == ["lx-disp", "lead"]


def test_a_rejected_adjustment_never_counts_and_is_decided_once(
    october: October, scheme: str
) -> None:
    pending = _exclude_b(october)
    decide_adjustment(october.hotline, october.actors["admin"], pending["id"], False,
                      "理由不成立", october.clock())  # fmt: skip
    assert (
        by_code(evaluate_month(october.hotline, "2026-10", october.hotline.now(), scheme))[
            LIXIA
        ].score
        == 73.0
    )
    with pytest.raises(Conflict, match="已驳回"):
        decide_adjustment(october.hotline, october.actors["leader"], pending["id"], True,
                          "改为同意", october.clock())  # fmt: skip
    rows = list_adjustments(october.hotline, october.actors["lixia_dispatcher"], "2026-10")
    assert [(r["status"], r["decided_by"]) for r in rows] == [("rejected", "adm")]


def test_who_may_decide(october: October) -> None:
    own = _exclude_b(october, who="leader")
    with pytest.raises(Forbidden, match="申请人不能审批自己的申请"):
        decide_adjustment(october.hotline, october.actors["leader"], own["id"], True, "同意",
                          october.clock())  # fmt: skip
    lixia_leader = Actor("lx-lead", Role.LEADER, district_code=LIXIA)
    with pytest.raises(Forbidden, match="市级领导或管理员"):
        decide_adjustment(october.hotline, lixia_leader, own["id"], True, "同意", october.clock())
    with pytest.raises(Forbidden):
        _exclude_b(october, who="handler")


def test_points_and_deduction_exclusions(october: October, scheme: str) -> None:
    hotline, now, admin = october.hotline, october.clock(), october.actors["admin"]
    points = request_adjustment(hotline, october.actors["dispatcher"], AdjustmentRequest(
        "2026-10", "points", "承担全市重大活动保障任务", entity_kind="district",
        entity_code=LIXIA, points=3), now)  # fmt: skip
    media = request_adjustment(hotline, october.actors["dispatcher"], AdjustmentRequest(
        "2026-10", "exclude", "报道失实，已更正", case=october.numbers["M"],
        target="media_exposure"), now)  # fmt: skip
    for row in (points, media):
        decide_adjustment(hotline, admin, row["id"], True, "同意", now)
    lixia = by_code(evaluate_month(hotline, "2026-10", hotline.now(), scheme))[LIXIA]
    assert lixia.score == 78.0  # 73 + 3 points, and the media deduction of 2 is gone
    assert not any(line.startswith("媒体曝光") for line in lixia.explanation)
    assert any("经批准的调整" in line and "+3 分" in line for line in lixia.explanation)


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"target": "happiness"}, InvalidInput, "剔除对象须为指标或扣分项之一"),
        ({"case": "20991231-000001"}, NotFound, "没有工单"),
        ({"reason": "  "}, InvalidInput, "须说明理由"),
        ({"month": "2026-1"}, InvalidInput, "月份须为 YYYY-MM"),
        ({"kind": "points", "entity_kind": "district", "entity_code": "999999", "points": 1},
         InvalidInput, "没有这个考评对象"),
        ({"kind": "points", "entity_kind": "district", "entity_code": LIXIA, "points": 0},
         InvalidInput, "调整分值须为非零"),
    ],
)  # fmt: skip
def test_bad_adjustment_requests_are_refused_and_nothing_is_recorded(
    october: October, changes: dict[str, Any], error: type[Exception], message: str
) -> None:
    fields: dict[str, Any] = {"month": "2026-10", "kind": "exclude", "reason": "理由",
                              "case": october.numbers["B"]}  # fmt: skip
    fields["target"] = "result_satisfaction"
    fields.update(changes)
    with pytest.raises(error, match=message):
        request_adjustment(october.hotline, october.actors["dispatcher"],
                           AdjustmentRequest(**fields), october.clock())  # fmt: skip
    assert list_adjustments(october.hotline, october.actors["admin"]) == []


def test_a_settled_month_is_evaluated_on_its_frozen_figures(october: October, scheme: str) -> None:
    october.at("2026-11-02", "09:00")
    settle_month(october.hotline, "2026-10", SYSTEM, october.clock())
    october.at("2026-11-03", "10:00")  # a late event: the reopened B is replied again
    october.do(october.numbers["B"], Action.ACCEPT, "handler")
    october.do(october.numbers["B"], Action.REPLY, "handler", result_type="solved",
               reply_text="已整改")  # fmt: skip
    lixia = by_code(evaluate_month(october.hotline, "2026-10", october.hotline.now(), scheme))[
        LIXIA
    ]
    assert lixia.score == 73.0
    assert lixia.explanation[0] == "2026-10 已于 2026-11-02 结算，采用结算时冻结的数据"
    pending = _exclude_b(october)  # an appeal after settlement still counts once approved
    decide_adjustment(october.hotline, october.actors["leader"], pending["id"], True, "同意",
                      october.clock())  # fmt: skip
    assert (
        by_code(evaluate_month(october.hotline, "2026-10", october.hotline.now(), scheme))[
            LIXIA
        ].score
        == 108.0
    )


# -- baselines per district (issue 18, item 2) -----------------------------------------------

BASELINES = SCHEME.replace(
    """  - {code: result_satisfaction, weight: 60, baseline: 0.80, points_per_pp_above: 0.5,
     points_per_pp_below: 1.0, bonus_cap: 5}""",
    """  - {code: result_satisfaction, weight: 60, baseline: 0.80, points_per_pp_above: 0.5,
     points_per_pp_below: 1.0, bonus_cap: 5, baselines: {"370103": 0.95},
     derived_baseline: {plus_pp: 2, cap: 0.90}}""",
)


def test_per_district_baselines_literal_and_derived_from_last_years_settlement(
    hotline: Hotline, actors: dict[str, Actor], clock: FakeClock, tmp_path: Path
) -> None:
    """October 2025, settled: 历下 1 of 2 callbacks satisfied with the result (50 %). Its 2026
    baseline is derived from that frozen figure: 50 % + 2 points = 52 % (cap 90 %); 市中 has a
    literal 95 %; the others keep the scheme's 80 %. By hand, October 2026:
    历下 result 1/2 = 50 %, 2 points under 52 % → 60 − 2 = 58; reply 45; media −2 → 101.00.
    市中 result 100 %, 5 points over 95 % → 60 + 2.5 = 62.5; reply 45; −1 → 106.50."""
    story = October(hotline, actors, clock)
    story.at("2025-10-13", "09:00")
    first = story.dispatched("Y1", "LX-CGJ", LIXIA)
    second = story.dispatched("Y2", "LX-CGJ", LIXIA)
    story.at("2025-10-13", "09:30")
    for number in (first, second):
        story.handled(number, "handler")
    story.at("2025-10-14", "10:00")
    for number in (first, second):
        story.do(number, Action.REPLY, "handler", result_type="solved", reply_text="已处理")
    story.at("2025-10-20", "10:00")
    story.callback(first, "satisfied")
    story.callback(second, "unsatisfied")
    story.at("2025-11-03", "09:00")
    settle_month(hotline, "2025-10", SYSTEM, clock())
    story.build()
    path = tmp_path / "baselines.yaml"
    path.write_text(BASELINES, encoding="utf-8")
    results = evaluate_month(hotline, "2026-10", hotline.now(), str(path))
    got = by_code(results)
    assert (got[LIXIA].score, got[SHIZHONG].score) == (101.0, 106.5)
    assert got[LIXIA].baselines["result_satisfaction"] == 0.52
    assert (
        "结果满意率：50.00%（n=2，95% 置信区间 9.45%–90.55%），低于基准线 52.00%（去年同期结算 "
        "50.00% 改进 2 个百分点，封顶 90.00%） 2.00 个百分点，60 -2.00 = 58.00 分"
    ) in got[LIXIA].explanation
    assert any("基准线 95.00%（本单位基准线）" in line for line in got[SHIZHONG].explanation)
    assert got["370176"].baselines["result_satisfaction"] == 0.80  # no settled year: the scheme's
    notice = build_notice(hotline, "monthly", "2026-10", hotline.now(), ranking=results)
    rows = {row["name"]: row for row in notice.table("baselines").rows}
    assert rows["历下区"]["result_satisfaction"] == 0.52
    assert rows["市中区"]["result_satisfaction"] == 0.95
    assert rows["济南高新技术产业开发区"]["reply_rate"] == 0.90
