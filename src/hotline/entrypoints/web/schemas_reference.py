"""Response bodies of the reference data: categories, units and the routing suggestion.

As in ``schemas``, the models document what the services build (``Open``: fields added later
pass through); the routes answer the services' dicts unchanged.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from hotline.entrypoints.web.schemas import Open


class StageLimitsOut(Open):
    accept_working_hours: float = Field(description="签收时限（工作小时）")
    reply_working_days: float = Field(description="办结时限（工作日）")


class CategoryOut(Open):
    code: str = Field(description="类别代码", examples=["E0301"])
    name: str
    kind: Literal["facility", "event"] = Field(description="facility 部件 | event 事件")
    level: Literal["type", "major", "minor"] = Field(
        description="type 门类 | major 大类 | minor 小类"
    )
    parent: str | None = Field(description="上级类别代码")
    keywords: list[str] = Field(description="分类用关键词")
    limits: dict[str, StageLimitsOut] = Field(
        description="按紧急程度（normal、urgent、emergency）的时限；未列出的用城市默认值"
    )
    routing: Literal["owner", "territory"] = Field(description="owner 权属 | territory 属地")
    default_unit_kind: str | None = Field(description="默认承办单位类型")
    questions: list[str] = Field(description="立案条件：受理时须问清的问题")
    active: bool


class CategoryListOut(Open):
    items: list[CategoryOut] = Field(description="按代码排序")


class UnitOut(Open):
    code: str = Field(examples=["LX-CGJ"])
    name: str
    kind: str = Field(description="单位类型，如 city_bureau、district_bureau、street_office")
    parent: str | None = Field(description="上级单位代码")
    region: str | None = Field(description="所属区县或功能区代码")
    covers: str | None = Field(description="承办的街道或社区代码（派遣用）")
    head_name: str | None = Field(description="一把手姓名")
    head_title: str | None = Field(description="一把手职务，如 局长")
    head_phone: str | None = Field(default=None, description="一把手电话")
    deputy_name: str | None = Field(default=None, description="分管领导姓名")
    deputy_phone: str | None = Field(default=None, description="分管领导电话")
    duty_phone: str | None = Field(default=None, description="值班电话")
    phone: str | None
    active: bool


class UnitListOut(Open):
    items: list[UnitOut]


class PlaceCodesOut(Open):
    district_code: str | None = Field(description="区县或功能区代码")
    street_code: str | None
    community_code: str | None


class UnitRefOut(Open):
    code: str
    name: str | None = Field(description="单位名称；代码不在单位表中时为 null")
    kind: str | None


class RuleRefOut(Open):
    id: str = Field(description="派遣规则的标识")
    index: int = Field(description="规则在规则表中的序号（从 0 起）")
    note: str | None = Field(description="规则说明")


class PlaceRefOut(Open):
    code: str
    name: str


class PlaceCandidateOut(Open):
    code: str
    name: str
    level: Literal["district", "street", "community"]
    district_code: str
    street_code: str | None


class LocationOut(Open):
    """What the locator made of the draft's address and coordinates (as ``hotline locate``)."""

    input: dict[str, Any] = Field(description="定位所用的输入：text 地址文本，lon、lat、crs 坐标")
    resolved: bool = Field(description="是否定位到区县及以下")
    district: PlaceRefOut | None
    street: PlaceRefOut | None
    community: PlaceRefOut | None
    county: PlaceRefOut | None = Field(description="功能区代管时所在的行政区")
    method: Literal["coordinates", "coordinates+address", "address", "address_partial", "none"] = (
        Field(description="定位方式：坐标、坐标加地址、地址、地址部分匹配、未定位")
    )
    candidates: list[PlaceCandidateOut] = Field(description="地址有歧义时的候选地点，不作猜测")
    reasons: list[str]


class RouteOut(Open):
    category_code: str | None
    place: PlaceCodesOut = Field(description="派遣所依据的地点")
    routed: bool = Field(description="是否有规则命中")
    lead: UnitRefOut | None = Field(description="建议的主办单位")
    co_units: list[UnitRefOut] = Field(description="建议的协办单位")
    sub_dispatch: list[UnitRefOut] = Field(description="建议的下派链（由上而下）")
    rule: RuleRefOut | None = Field(description="命中的规则")
    principle: Literal["owner", "territory"] | None = Field(description="派遣原则：权属或属地")
    reasons: list[str] = Field(description="为何如此派遣（中文）")
    location: LocationOut | None = Field(
        description="未给区县或街道时，由地址或坐标定位的结果；否则为 null"
    )
