"""Response bodies of the leaders' cockpit (领导驾驶舱): today's tiles, the cases behind a tile,
the 13-month trend and the map. As in ``schemas``, the models document what the services
produce (``Open``: fields added later pass through); the routes answer their dicts unchanged."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from hotline.entrypoints.web.schemas import Open
from hotline.entrypoints.web.schemas_reports import HotspotOut


class TileOut(Open):
    key: str = Field(description="指标块代码，如 received、overdue")
    label: str = Field(description="中文名，如 受理")
    unit: str = Field(description="计量单位：件、个、处")
    hint: str = Field(description="口径说明（悬停显示）")


class DistrictOut(Open):
    code: str
    name: str


class CockpitHotspotOut(HotspotOut):
    hidden_samples: int = Field(default=0, description="本人范围外、不列出的样例件数")


class DayFiguresOut(Open):
    day: date = Field(description="本地日期")
    as_of: datetime = Field(description="数字所对应的时刻：当天为计算时刻，往日为当日结束")
    computed_at: datetime = Field(description="数字计算的时刻")
    age_seconds: int = Field(description="距计算时刻的秒数（缓存的新旧）")
    source: Literal["cache", "live"] = Field(
        description="cache：后台任务缓存；live：缓存缺失或过期，本次现算"
    )
    counts: dict[str, dict[str, int]] = Field(
        description="指标块 → 区县代码（'' 为未定区县）→ 数；全市为各区之和"
    )
    hotspots: list[CockpitHotspotOut] = Field(description="当日热点预警（仅 today 列出）")


class CockpitTodayOut(Open):
    tiles: list[TileOut]
    districts: list[DistrictOut] = Field(description="区县与功能区")
    own_district: str | None = Field(description="区级用户所属区县；市级为 null")
    stale_after_seconds: int = Field(description="当天缓存超过此秒数即现算")
    today: DayFiguresOut
    yesterday: DayFiguresOut
    last_year: DayFiguresOut = Field(description="去年同日")


class TileCaseOut(Open):
    number: str
    status: str
    received_on: date | None
    district: str | None
    category: str | None


class TileCasesOut(Open):
    tile: str
    label: str
    day: date
    district: str = Field(description="区县代码；'' 为全市")
    count: int = Field(description="计数，与驾驶舱上的数相同")
    visible: int = Field(description="其中本人范围内的件数")
    hidden: int = Field(description="其中本人范围外、不列出的件数")
    items: list[TileCaseOut] = Field(description="本人范围内的工单（分页，新的在前）")


class TrendIndicatorOut(Open):
    key: str
    name: str
    formula: str


class TrendPointOut(Open):
    month: str
    intake: int = Field(description="受理量")
    reply_rate: float | None = None
    on_time_rate: float | None = None
    overdue_rate: float | None = None
    result_satisfaction: float | None = None


class TrendOut(Open):
    months: list[str]
    indicators: list[TrendIndicatorOut]
    city: list[TrendPointOut] = Field(description="全市，每月一项（百分数）")
    district: str | None
    district_series: list[TrendPointOut] | None = Field(description="所选区县，每月一项")


class MarkerOut(Open):
    code: str
    name: str
    level: str
    lon: float
    lat: float


class LabelOut(Open):
    code: str
    name: str
    point: list[float] = Field(description="标注位置 [经度, 纬度]（GCJ-02）")


class UnplacedOut(Open):
    code: str
    name: str
    level: str


class CityMapOut(Open):
    crs: Literal["gcj02"] = Field(description="坐标系：GCJ-02（国测局坐标）")
    outlines: dict[str, Any] = Field(
        description="GeoJSON FeatureCollection：区县（及导入的街道）轮廓，"
        "properties 含 code、name、level"
    )
    labels: list[LabelOut]
    markers: list[MarkerOut] = Field(description="无轮廓的功能区：标注点")
    unplaced: list[UnplacedOut] = Field(description="既无轮廓也未配置标注点的区县或功能区")
    streets: bool = Field(description="是否有（导入的）街道轮廓")
    sources: list[str] = Field(description="轮廓数据来源文件")
    warnings: list[str]
