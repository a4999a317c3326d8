"""Response bodies of the reports: indicators and their drill-down, the classifier's accuracy,
the evaluation and its adjustments, the stored editions and the hotspots.

As in ``schemas``, the models document what the report builders produce (``Open``: fields added
later pass through); the routes answer the builders' dicts unchanged.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from hotline.entrypoints.web.schemas import Open

EntityKind = Literal["district", "unit", "street"]


class PeriodOut(Open):
    from_: date = Field(alias="from", description="开始日期（本地日期，含）")
    to: date = Field(description="结束日期（本地日期，含）")


# -- indicators ----------------------------------------------------------------------------------


class ComparisonsOut(Open):
    pop: PeriodOut = Field(description="环比所用的上一期")
    yoy: PeriodOut = Field(description="同比所用的去年同期")


class SettlementOut(Open):
    month: str = Field(description="已结算（冻结）的月份 YYYY-MM")
    settled_at: datetime
    settled_by: str


class IndicatorDefinitionOut(Open):
    key: str = Field(description="指标代码，如 reply_rate")
    name: str = Field(description="指标名称，如 回复率")
    numerator: list[str] = Field(description="分子所计的事实类型")
    denominator: list[str] = Field(description="分母所计的事实类型")
    numerator_label: str
    denominator_label: str
    period_event: str = Field(description="决定事实归入哪一期的事件（机器名）")
    period_label: str = Field(description="同上，中文")
    bounded: bool = Field(description="分子必为分母的一部分，值在 0–1 之间")
    formula: str = Field(description="中文公式")
    formula_machine: str = Field(description="机器可读的公式")


class RatioBriefOut(Open):
    numerator: int
    denominator: int
    value: float | None = Field(description="分子 ÷ 分母；分母为 0 时为 null")


class IndicatorValueOut(Open):
    numerator: int
    denominator: int
    value: float | None = Field(description="分子 ÷ 分母（6 位小数）；分母为 0 时为 null")
    percent: float | None = Field(description="百分数（2 位小数）")
    reason: str | None = Field(description="无值的原因")
    formula: str
    formula_machine: str
    yoy_pp: float | None = Field(description="同比变化（百分点）")
    yoy_reason: str | None = Field(description="无同比的原因")
    pop_pp: float | None = Field(description="环比变化（百分点）")
    pop_reason: str | None = Field(description="无环比的原因")
    previous: RatioBriefOut = Field(description="上一期")
    year_before: RatioBriefOut = Field(description="去年同期")
    pop_note: str | None = Field(description="环比跨越指标口径变更时的提示（比较仅供参考）")
    yoy_note: str | None = Field(description="同比跨越指标口径变更时的提示（比较仅供参考）")
    not_yet_due: int | None = Field(
        default=None,
        description="在办未到期：本期到期、尚未回复也未过期限的轮次（不计入分子分母）；"
        "只用于回复率与超期率，其他指标为 null",
    )


class IndicatorGroupOut(Open):
    key: str = Field(description="分组键（代码，按日分组时为日期；未知为空串）")
    label: str = Field(description="分组名称")
    indicators: dict[str, IndicatorValueOut] = Field(description="按指标代码")


class IndicatorReportOut(Open):
    period: PeriodOut
    timezone: str = Field(description="本地日期所用的时区", examples=["Asia/Shanghai"])
    as_of: datetime = Field(description="统计时刻")
    group_by: Literal["district", "unit", "street", "category", "channel", "day"] | None
    group_label: str | None = Field(description="分组维度的中文名")
    comparisons: ComparisonsOut
    settlements: list[SettlementOut] = Field(description="统计期内已结算的月份")
    definitions: list[IndicatorDefinitionOut]
    total: dict[str, IndicatorValueOut] = Field(description="合计，按指标代码")
    indicator_version: int = Field(
        description="本期所用的指标口径版本（已结算的月份按结算时的版本）"
    )
    groups: list[IndicatorGroupOut] = Field(description="各分组；未分组时为空")


class DrillItemOut(Open):
    number: str = Field(description="工单编号")
    kind: str = Field(description="计入的事实类型")
    at: datetime = Field(description="事实发生的时间")


class DrillDownOut(Open):
    indicator: str
    name: str
    part: Literal["numerator", "denominator"]
    label: str = Field(description="分子或分母的中文名")
    kinds: list[str] = Field(description="这一部分所计的事实类型")
    period: PeriodOut
    group_by: Literal["district", "unit", "street", "category", "channel", "day"] | None
    group: str
    count: int = Field(description="计数，与指标报表中的数相同")
    visible: int = Field(description="其中本人范围内的件数")
    hidden: int = Field(description="其中本人范围外、不列出的件数")
    items: list[DrillItemOut] = Field(description="本人范围内的事实（分页）")


# -- classifier ----------------------------------------------------------------------------------


class FractionOut(Open):
    numerator: int
    denominator: int
    value: float | None = Field(description="分子 ÷ 分母；分母为 0 时为 null")


class ClassifierFiguresOut(Open):
    cases: int = Field(description="受理工单数")
    suggested: int = Field(description="有模型建议的工单数")
    coverage: FractionOut = Field(description="建议覆盖率")
    top1_agreement: FractionOut = Field(description="首选采纳率")
    top3_agreement: FractionOut = Field(description="前三命中率（立案类别）")
    override_rate: FractionOut = Field(description="改判率")
    resort_rate: FractionOut = Field(description="重新分类率")
    accuracy: FractionOut = Field(description="准确率（最终类别）")
    top3_accuracy: FractionOut = Field(description="前三准确率（最终类别）")


class ClassifierVersionOut(ClassifierFiguresOut):
    model_version: str = Field(description="模型版本")


class ClassifierCategoryOut(Open):
    code: str = Field(description="最终类别代码")
    name: str
    cases: int
    suggested: int
    accuracy: FractionOut
    top3_accuracy: FractionOut
    override_rate: FractionOut
    precision: FractionOut = Field(description="精确率：模型首选为该类且最终为该类的比例")


class FormulaOut(Open):
    name: str = Field(description="指标名称")
    formula: str = Field(description="中文公式")


class ClassifierReportOut(Open):
    period: PeriodOut
    total: ClassifierFiguresOut
    per_model_version: list[ClassifierVersionOut]
    per_category: list[ClassifierCategoryOut]
    definitions: dict[str, FormulaOut] = Field(description="各项数字的名称与公式，按代码")


# -- evaluation ----------------------------------------------------------------------------------


class SchemeRefOut(Open):
    version: str = Field(description="考评方案版本")
    name: str


class EntityResultOut(Open):
    entity: str = Field(description="对象代码（区县、单位或街道）")
    name: str
    score: float | None = Field(description="得分；无考核数据时为 null")
    rank: int | None = Field(description="名次（只在参评对象中排，从首位数）")
    baseline_passed: dict[str, bool] = Field(description="各计分指标是否达到基准线")
    baselines: dict[str, float] = Field(
        default_factory=dict, description="各计分指标所用的基准线（0–1），按指标代码"
    )
    lists: list[Literal["red", "black"]] | None = Field(description="red 红榜 | black 黑榜")
    amount: float | None = Field(description="奖惩资金（负数为扣减）；不参评为 null")
    explanation: list[str] = Field(description="逐行说明得分的由来")
    rated: bool = Field(description="是否参评")
    rank_from_bottom: int | None = Field(description="倒数名次")
    unscored: list[str] = Field(description="样本不足、未计分的指标")
    baseline_passed_all: bool | None = Field(description="是否达到全部基准线；不参评为 null")
    status_label: str = Field(description="参评，或不参评的原因")


class DifferenceOut(Open):
    entity: str
    score_before: float | None
    score_after: float | None
    rank_before: int | None
    rank_after: int | None
    amount_before: float | None
    amount_after: float | None
    score_change: float | None = Field(description="得分变化；任一方不参评为 null")
    rank_change: int | None = Field(description="名次变化，正数为上升")
    amount_change: float | None


class WhatIfOut(Open):
    scheme: SchemeRefOut = Field(description="对比方案")
    results: list[EntityResultOut] = Field(description="对比方案下的结果")
    differences: list[DifferenceOut]


class EvaluationOut(Open):
    month: str = Field(examples=["2026-10"])
    entity: EntityKind
    entity_label: str
    scheme: SchemeRefOut
    settled: bool = Field(description="该月是否已结算（数字冻结）")
    rated_count: int = Field(description="参评对象数")
    results: list[EntityResultOut] = Field(description="按名次，不参评的在后")
    what_if: WhatIfOut | SkipJsonSchema[None] = Field(
        default=None, description="给了 compare 时：对比方案下的结果与差异"
    )


class AdjustmentAuditOut(Open):
    action: Literal["request", "approve", "reject"]
    actor: str
    at: datetime
    note: str | None


class AdjustmentOut(Open):
    id: int
    version: int = Field(description="审批时放在 version 中；已被他人改动则 409")
    month: str
    kind: Literal["exclude", "points"] = Field(description="exclude 剔除工单 | points 加减分")
    case: str | None = Field(description="剔除：工单编号")
    case_district: str | None = Field(description="剔除：工单所在区县")
    target: str | None = Field(description="剔除：指标或扣分项代码")
    target_label: str | None
    entity_kind: EntityKind | None = Field(description="加减分：对象类型")
    entity_code: str | None = Field(description="加减分：对象代码")
    points: float | None = Field(description="加减分：分值（负数为减）")
    reason: str
    status: Literal["pending", "approved", "rejected"]
    status_label: str
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    audit: list[AdjustmentAuditOut] = Field(description="申请与审批的记录，最早的在前")


class AdjustmentListOut(Open):
    items: list[AdjustmentOut]


# -- editions and hotspots -----------------------------------------------------------------------


class DeliveryOut(Open):
    id: int
    recipient: str = Field(description="收件人")
    district: str | None = Field(description="只收本区县内容的收件人的区县代码")
    status: Literal["pending", "retrying", "sent", "failed", "skipped"]
    attempts: int
    last_error: str | None
    sent_at: datetime | None
    next_attempt_at: datetime | None = Field(description="下次重试的时间（重试中时）")


class EditionOut(Open):
    id: int
    kind: Literal["daily", "weekly", "monthly"]
    kind_label: str
    period_key: str = Field(description="期次：2026-11-25、2026-W48 或 2026-10")
    district: str | None = Field(description="区县版的区县代码；全市版为 null")
    format: Literal["html", "xlsx"]
    size: int = Field(description="字节数")
    sha256: str
    produced_at: datetime
    deliveries: list[DeliveryOut]


class EditionListOut(Open):
    items: list[EditionOut] = Field(description="最新的在前")


class HotspotParamsOut(Open):
    windows: list[int] = Field(description="观察窗口（天）")
    baseline_days: int = Field(description="基线期（天）")
    min_count: int
    min_ratio: float
    min_score: float
    prior_cases: float
    limit: int
    samples: int = Field(description="每个热点列出的样例工单数")


class HotspotOut(Open):
    kind: Literal["problem", "cell"] = Field(description="problem 台账问题 | cell 街道×类别")
    key: str = Field(description="问题编号，或 街道代码:类别代码")
    label: str
    district_code: str
    district: str
    window_days: int
    observed: int = Field(description="窗口内的投诉数")
    baseline_count: int
    baseline_days: int
    baseline_rate: float = Field(description="基线期每日投诉数")
    expected: float = Field(description="按基线预期的投诉数")
    ratio: float = Field(description="实际 ÷ 预期")
    score: float = Field(description="异常得分")
    samples: list[str] = Field(description="样例工单编号，最新的在前")


class HotspotReportOut(Open):
    day: date = Field(alias="date")
    params: HotspotParamsOut
    count: int
    hotspots: list[HotspotOut] = Field(description="得分最高的在前")
