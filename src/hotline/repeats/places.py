"""Named places and organisations in a complaint, and whether two complaints share one.

Complaints are often written from one template: the same wording about oil fumes from
ground-floor restaurants reached the hotline for two estates kilometres apart (魅力之城,
润芳园). Text similarity cannot tell them apart; the place names can. This module pulls out
names that end in a place or organisation word (…小区, …路, …村, …学院, …有限公司, …苑) and
district codes (A3区, A7县), without a gazetteer: a heuristic, so it only ever adjusts a score,
it never decides alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from hotline.repeats.normalize import fold_width

# Longer kinds first, so that "有限公司" wins over "公司" and "街道" over "街".
_KINDS = (
    "有限公司|幼儿园|小区|社区|花园|家园|新城|新村|公寓|大厦|广场|公园|学院|大学|中学|小学|学校|"
    "医院|公司|集团|街道|大道|项目|工地|夜市|市场|村|组(?![织成建长合团委员件装])|路|街|巷|镇|乡|"
    "苑|园|府|郡|湾|庭(?![院审])|"
    r"城(?![市际管区乡镇])"
)
_PLACE = re.compile(r"([\u4e00-\u9fff]{2,8}?)(" + _KINDS + ")")
_DISTRICT = re.compile(r"[a-z]\d*(?:区|县)")
_ADMIN = re.compile(r"[a-z]\d*(?:市|区|县)|[\u4e00-\u9fff]{2}省")
ADMIN_CODE = re.compile(r"[a-z]\d*(?:市|区|县)")  # pseudonymised: a市, a3区, a7县
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
# Function words end a name: "小区的门口" must not yield "的门口".
_NAME_BREAK = re.compile(
    r"关于|位于|地处|知道|难道|以及|还有|[的了在和与及是到从向对给为由把被将我你他她它们这那该此本其各每而跟何]"
)
# Words that show the "name" is a phrase, not a name ("餐馆导致大量油烟排入小区").
_NOT_A_NAME = re.compile(
    r"政府|导致|严重|甚至|整个|影响|请|希望|要求|没有|已经|时候|问题|进行|经营|管理|投诉|反映|举报|"
    r"建设|规划|修建|目前|配套|附近|周边|不能|不是|线$"
)
_GENERIC_START = (
    "其他", "其它", "一个", "所在", "同一", "居民", "老旧", "安置", "新建", "高档", "全", "两",
    "几", "多", "沿", "小", "大", "老", "新", "原", "现", "城", "区", "县", "市", "省", "镇",
    "乡", "村",
)  # fmt: skip
_GENERIC = frozenset((
    "住宅小区", "农村", "城市", "马路", "道路", "公路", "铁路", "高速公路", "国道", "快速路",
    "水泥路", "必经之路", "过马路", "断头路", "人行道", "商品房", "物业公司", "开发公司",
    "房地产公司", "地产公司", "投资有限公司", "科技有限公司", "发展有限公司", "建设有限公司",
    "管理有限公司", "集团公司", "停车场", "菜市场", "农贸市场", "批发市场", "建筑工地",
    "公交公司", "自来水公司", "电力公司", "人民政府", "外国语学校", "实验学校", "实验中学",
    "职业学院", "理工大学", "师范大学", "公交线路", "文明城", "幼儿园", "有限公司", "十字路",
    "家庭", "法庭",
))  # fmt: skip
_LEADING_KIND = re.compile(r"^(?:社区|街道|小区|村|镇|组|市|区|县|省)+")


# The longest name (without its kind) each kind takes; longer is a phrase ("电动车都看不清路").
_PER_KIND_MAX = {
    "组": 4, "村": 5, "镇": 4, "乡": 4, "街": 4, "巷": 4, "庭": 5, "湾": 5, "路": 5, "大道": 5,
}  # fmt: skip
_ROAD_KINDS = ("路", "街", "巷", "道")
# Towns, streets and roads are areas: many problems share one, so sharing it proves less.
_AREA_KINDS = (*_ROAD_KINDS, "镇", "乡", "社区")
_MAX_NAMES = 6  # a letter's first names are its place; later ones are the way there
_FUZZY_MIN_LENGTH = 5
_FUZZY_MIN_RATIO = 75.0


@dataclass(frozen=True, slots=True)
class Places:
    """The places one complaint names.

    Names found anywhere can show that two complaints share a place; only names in the titles
    can show that they differ: titles name the place of the problem, bodies ramble past others,
    and the extractor's mistakes are rarer in a title.
    """

    names: frozenset[str]
    title_names: frozenset[str]
    title_districts: frozenset[str]

    @property
    def empty(self) -> bool:
        return not self.names


NO_PLACES = Places(frozenset(), frozenset(), frozenset())


def _clean_name(name: str, kind: str) -> str | None:
    name = _LEADING_KIND.sub("", name)
    if len(name) < 2 or len(name) > _PER_KIND_MAX.get(kind, 8):
        return None
    if name.startswith(_GENERIC_START) or _NOT_A_NAME.search(name):
        return None
    key = name + kind
    return None if key in _GENERIC or key.endswith("政府") else key


def place_names(text: str) -> frozenset[str]:
    """Names ending in a place or organisation word, e.g. {"劳动东路", "魅力之城"}."""
    folded = _ADMIN.sub(" ", fold_width(text))
    names: dict[str, None] = {}  # ordered: the first names are the ones that matter
    for run in _CJK_RUN.findall(folded):
        for part in _NAME_BREAK.split(run):
            for match in _PLACE.finditer(part):
                key = _clean_name(match.group(1), match.group(2))
                if key:
                    names[key] = None
    return frozenset(list(names)[:_MAX_NAMES])


def extract_places(title: str, body: str = "") -> Places:
    """The names a complaint mentions, and the districts (a3区, a7县) its title names."""
    title_names = place_names(title)
    names = title_names | place_names(body)
    districts = frozenset(_DISTRICT.findall(fold_width(title)))
    return Places(names, title_names, districts)


def is_area(name: str) -> bool:
    return name.endswith(_AREA_KINDS)


def _same_name(one: str, other: str) -> bool:
    """One name inside the other ("魅力之城", "万科魅力之城"), or a variant of it
    ("国王陵考古遗址公园", "汉王陵考古公园"); roads must match exactly (人民东路 ≠ 人民中路)."""
    if one in other or other in one:
        return min(len(one), len(other)) >= 3
    return (
        min(len(one), len(other)) >= _FUZZY_MIN_LENGTH
        and one[-1] == other[-1]
        and not one.endswith(_ROAD_KINDS)
        and fuzz.ratio(one, other) >= _FUZZY_MIN_RATIO
    )


def shared_name(first: Places, second: Places) -> str | None:
    """A place both complaints name; of several, the longest (then the first in order)."""
    exact = first.names & second.names
    if exact:
        return max(sorted(exact), key=len)
    common = [
        one if len(one) <= len(other) else other
        for one in first.names
        for other in second.names
        if _same_name(one, other)
    ]
    return max(sorted(common), key=len) if common else None


@dataclass(frozen=True, slots=True)
class PlaceComparison:
    shared: str | None = None  # a place named in both texts
    other_district: bool = False  # both titles name districts (a3区, a7县), none in common
    other_place: bool = False  # both titles name places, and no name of either text agrees


def compare_places(first: Places, second: Places) -> PlaceComparison:
    """Do two complaints name the same place, different places, or can't we tell?

    Different districts in the titles win over a shared name: "实验小学" and "人民医院" exist in
    every district.
    """
    districts_a, districts_b = first.title_districts, second.title_districts
    if districts_a and districts_b and not districts_a & districts_b:
        return PlaceComparison(other_district=True, other_place=_both_titled(first, second))
    name = shared_name(first, second)
    if name:
        return PlaceComparison(shared=name)
    return PlaceComparison(other_place=_both_titled(first, second))


def _both_titled(first: Places, second: Places) -> bool:
    return bool(first.title_names and second.title_names)
