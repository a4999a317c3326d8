from __future__ import annotations

from pathlib import Path

import pytest

from hotline.domain.errors import InvalidInput
from hotline.services.evaluation_schemes import load_scheme


def test_the_shipped_scheme_loads() -> None:
    scheme = load_scheme()
    assert sum(rule.weight for rule in scheme.indicators) == 100
    assert scheme.version == "2026.1"


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
