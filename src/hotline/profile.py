"""The city profile: everything city-specific (name, adcode, channels, organisation, taxonomy,
case-number format, closing rules), loaded from YAML. Jinan is shipped in ``profiles/jinan.yaml``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field

from hotline.domain.rules import ClosingRules


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


class UnitSpec(BaseModel):
    code: str
    name: str
    kind: Literal[
        "city_bureau",
        "district_bureau",
        "zone_bureau",
        "street_office",
        "enforcement_squad",
        "community_station",
        "direct_unit",
        "department",
    ]
    parent: str | None = None
    region: str | None = None
    head_name: str | None = None
    head_title: str | None = None
    phone: str | None = None


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


def load_profile(name_or_path: str) -> CityProfile:
    """A shipped profile by name (``jinan``) or a YAML file by path."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") and path.exists():
        text = path.read_text(encoding="utf-8")
    else:
        shipped = resources.files("hotline.profiles").joinpath(f"{name_or_path}.yaml")
        if not shipped.is_file():
            raise ValueError(f"找不到城市配置「{name_or_path}」")
        text = shipped.read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return CityProfile.model_validate(data)
