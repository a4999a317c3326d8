from __future__ import annotations

from pathlib import Path

import pytest

from hotline.domain.errors import InvalidInput
from hotline.services.evaluation.schemes import load_scheme


def test_the_shipped_scheme_loads() -> None:
    scheme = load_scheme()
    assert sum(rule.weight for rule in scheme.indicators) == 100
    assert scheme.version == "2026.2"
    assert scheme.min_sample == 1
    assert [(b.count_from, b.first_rank, b.last_rank) for b in scheme.funding if b.amount < 0] == [
        ("bottom", 1, 3)
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "version: x\nname: y\nindicators:\n  - {code: reply_rate, weight: 50, baseline: 0.9}\n",
            "权重之和须为 100",
        ),
        (
            "version: x\nname: y\nindicators:\n  - {code: joy, weight: 100, baseline: 0.9}\n",
            "未知指标",
        ),
        (
            "version: x\nname: y\nindicators:\n"
            "  - {code: reply_rate, weight: lots, baseline: 0.9}\n",
            "indicators.0.weight",
        ),
        ("version: x\nindicators: [\n", "YAML"),
        ("name: y\nindicators:\n  - {code: reply_rate, weight: 100, baseline: 0.9}\n", "version"),
    ],
)
def test_a_scheme_with_an_error_is_refused_clearly(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "scheme.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput, match=message):
        load_scheme(str(path))


def test_missing_scheme_names_itself() -> None:
    with pytest.raises(InvalidInput, match="no-such"):
        load_scheme("no-such")


BASE = "version: x\nname: y\nindicators:\n  - {code: reply_rate, weight: 100, baseline: 0.9}\n"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("deductions:\n  - {code: bad_weather, label: 天气, points_each: 1}\n", "bad_weather"),
        ("red_topp: 3\n", "red_topp"),  # a misspelt key is refused, not defaulted
        ("black_if_failing: [result_satisfaction]\n", "黑榜规则引用了方案外的指标"),
        (
            "funding:\n  - {first_rank: 1, last_rank: 3, amount: 1}\n"
            "  - {first_rank: 3, last_rank: 4, amount: 1}\n",
            "互不重叠",
        ),
        # a penalty band in absolute ranks would penalise nobody when fewer are rated
        ("funding:\n  - {first_rank: 13, last_rank: 15, amount: -100000}\n", "count_from: bottom"),
        (
            "funding:\n  - {count_from: middle, first_rank: 1, last_rank: 1, amount: 1}\n",
            "count_from",
        ),
        ("min_sample: 0\n", "min_sample"),
    ],
)
def test_more_scheme_errors_are_refused_by_name(tmp_path: Path, extra: str, message: str) -> None:
    path = tmp_path / "scheme.yaml"
    path.write_text(BASE + extra, encoding="utf-8")
    with pytest.raises(InvalidInput, match=message):
        load_scheme(str(path))
