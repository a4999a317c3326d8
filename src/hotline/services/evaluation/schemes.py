"""Loading and checking evaluation schemes (考评方案) from versioned YAML.

A scheme with an error — weights not summing to 100, an unknown indicator, a malformed field — is
refused with a message naming what is wrong, before any month is evaluated with it.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hotline.domain.errors import InvalidInput
from hotline.domain.scoring import (
    Deduction,
    DerivedBaseline,
    FundingBand,
    IndicatorRule,
    Scheme,
    validate_scheme,
)

DEFAULT_SCHEME = "jinan-2026"


class _Derived(BaseModel):
    model_config = ConfigDict(extra="forbid")

    plus_pp: float = Field(default=0.0, ge=0)
    cap: float | None = Field(default=None, ge=0, le=1)


class _Indicator(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt key is an error, not a default

    code: str
    weight: float = Field(ge=0)
    baseline: float
    points_per_pp_above: float = Field(default=0.5, ge=0)
    points_per_pp_below: float = Field(default=1.0, ge=0)
    bonus_cap: float = Field(default=5.0, ge=0)
    min_sample: int | None = Field(default=None, ge=1)
    baselines: dict[str, float] = Field(default_factory=dict)  # entity code → baseline
    derived_baseline: _Derived | None = None


class _Deduction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str
    label: str
    points_each: float = Field(ge=0)


class _Band(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first_rank: int
    last_rank: int
    amount: float
    count_from: Literal["top", "bottom"] = "top"


class _SchemeFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: str
    name: str
    indicators: list[_Indicator] = Field(min_length=1)
    deductions: list[_Deduction] = Field(default_factory=list)
    funding: list[_Band] = Field(default_factory=list)
    red_top: int = Field(default=3, ge=0)
    black_bottom: int = Field(default=3, ge=0)
    black_if_failing: list[str] = Field(default_factory=list)
    min_sample: int = Field(default=1, ge=1)

    def to_domain(self) -> Scheme:
        return Scheme(
            version=self.version,
            name=self.name,
            indicators=tuple(_rule(i) for i in self.indicators),
            deductions=tuple(Deduction(**d.model_dump()) for d in self.deductions),
            funding=tuple(FundingBand(**b.model_dump()) for b in self.funding),
            red_top=self.red_top,
            black_bottom=self.black_bottom,
            black_if_failing=tuple(self.black_if_failing),
            min_sample=self.min_sample,
        )


def _rule(indicator: _Indicator) -> IndicatorRule:
    fields = indicator.model_dump(exclude={"derived_baseline"})
    derived = indicator.derived_baseline
    return IndicatorRule(
        **fields,
        derived_baseline=DerivedBaseline(**derived.model_dump()) if derived else None,
    )


def _read(name_or_path: str) -> str:
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml"):
        if not path.is_file():
            raise InvalidInput(f"找不到考评方案文件 {path}", fields=("scheme",))
        return path.read_text(encoding="utf-8")
    shipped = resources.files("hotline.schemes").joinpath(f"{name_or_path}.yaml")
    if not shipped.is_file():
        raise InvalidInput(f"没有名为「{name_or_path}」的考评方案", fields=("scheme",))
    return shipped.read_text(encoding="utf-8")


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:5]:
        where = ".".join(str(part) for part in item["loc"])
        parts.append(f"{where}：{item['msg']}")
    return "；".join(parts)


def load_scheme(name_or_path: str = DEFAULT_SCHEME) -> Scheme:
    """A shipped scheme by name or a YAML file by path, validated in full."""
    try:
        data: Any = yaml.safe_load(_read(name_or_path))
    except yaml.YAMLError as exc:
        raise InvalidInput(f"考评方案不是有效的 YAML：{exc}", fields=("scheme",)) from exc
    try:
        scheme = _SchemeFile.model_validate(data).to_domain()
    except ValidationError as exc:
        raise InvalidInput(f"考评方案有误：{_describe(exc)}", fields=("scheme",)) from exc
    validate_scheme(scheme)
    return scheme
