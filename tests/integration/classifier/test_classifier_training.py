"""Retraining from closed cases: labels are final categories, refusals are clear, and the new
model replaces the deployed one only when asked and not worse on macro-F1."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from hotline.classify.model import save, train
from hotline.domain.errors import InvalidInput
from hotline.domain.roles import Actor
from hotline.services.classifier.deployment import active_model, deploy_model, model_text
from hotline.services.classifier.training import (
    RetrainRequest,
    closed_case_examples,
    holdout_split,
    retrain_from_cases,
)
from hotline.services.context import Hotline
from tests.integration.classifier_cases import (
    closed_case,
    noise_cases,
    registered_case,
    topic_cases,
)

SMALL = RetrainRequest(min_cases=12)


def _close_all(hotline: Hotline, actors: dict[str, Actor], pairs: list[tuple[str, str]]) -> None:
    for text, category in pairs:
        closed_case(hotline, actors, text, category)


def _deploy_model_of(hotline: Hotline, pairs: list[tuple[str, str]], path: Path) -> str:
    """Train on exactly these texts (as intake gives them) and deploy; returns its version."""
    texts = [model_text(None, text) for text, _ in pairs]
    save(train(texts, [category for _, category in pairs], trained_at=hotline.now()), path)
    return str(deploy_model(hotline, path, {}, hotline.now())["version"])


def test_training_set_is_closed_cases_with_their_final_category(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    closed_case(hotline, actors, "工地夜间施工噪音扰民", "E0301")
    closed_case(hotline, actors, "路边堆着烧烤垃圾", "E0103", resort_to="E0101")
    registered_case(hotline, actors, "夜市烧烤摊烟熏火燎", "E0103")  # still open: left out
    examples = closed_case_examples(hotline, RetrainRequest())
    assert examples.labels == ["E0301", "E0101"]
    assert examples.texts == [" 工地夜间施工噪音扰民", " 路边堆着烧烤垃圾"]
    today = hotline.now().date()
    later = RetrainRequest(start_on=date(today.year + 1, 1, 1))
    assert closed_case_examples(hotline, later).labels == []


def test_refuses_too_few_cases_and_a_single_category(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    with pytest.raises(InvalidInput, match=r"只有 0 件.*至少需要 12 件"):
        retrain_from_cases(hotline, SMALL, hotline.now())
    _close_all(hotline, actors, [(text, "E0301") for text, _ in topic_cases(4)])
    with pytest.raises(InvalidInput, match="只有 1 个类别（E0301）"):
        retrain_from_cases(hotline, SMALL, hotline.now())
    with pytest.raises(InvalidInput, match="holdout"):
        retrain_from_cases(hotline, RetrainRequest(holdout=0.9), hotline.now())
    assert active_model(hotline) is None


def test_holdout_keeps_every_category_in_training() -> None:
    labels = ["a"] * 10 + ["b"] * 5 + ["c"]
    training, held = holdout_split(labels, 0.2, seed=0)
    assert sorted(training + held) == list(range(16))
    assert [labels[row] for row in held].count("a") == 2
    assert [labels[row] for row in held].count("b") == 1
    assert {labels[row] for row in training} == {"a", "b", "c"}
    assert holdout_split(labels, 0.2, seed=0) == (training, held)


def test_with_nothing_deployed_the_report_says_so_and_deploy_is_allowed(
    hotline: Hotline, actors: dict[str, Actor], tmp_path: Path
) -> None:
    _close_all(hotline, actors, topic_cases(6))
    request = RetrainRequest(min_cases=12, deploy=True, model_path=tmp_path / "new.npz")
    result = retrain_from_cases(hotline, request, hotline.now())
    assert result["cases"] == 18 and result["held_out_cases"] == 3
    assert result["current"] == {"status": "none", "version": None, "metrics": None}
    assert result["decision"]["deploy"] is True
    assert result["comparison"]["macro_f1"]["current"] is None
    deployed = active_model(hotline)
    assert deployed is not None and deployed[0].version == result["candidate"]["version"]
    assert set(deployed[0].labels) == {"E0101", "E0103", "E0301"}


def test_a_better_model_replaces_the_deployed_one_only_with_deploy(
    hotline: Hotline, actors: dict[str, Actor], tmp_path: Path
) -> None:
    pairs = topic_cases(6)
    _close_all(hotline, actors, pairs)
    # The deployed model learnt the categories the wrong way round: worse on every case.
    codes = sorted({category for _, category in pairs})
    swapped = {code: codes[(i + 1) % len(codes)] for i, code in enumerate(codes)}
    old = _deploy_model_of(hotline, [(t, swapped[c]) for t, c in pairs], tmp_path / "old.npz")
    kept = retrain_from_cases(hotline, SMALL, hotline.now())
    assert kept["decision"]["not_worse"] is True and kept["deployed"] is None
    assert active_model(hotline)[0].version == old  # type: ignore[index]
    asked = RetrainRequest(min_cases=12, deploy=True)
    result = retrain_from_cases(hotline, asked, hotline.now())
    macro_f1 = result["comparison"]["macro_f1"]
    assert macro_f1["candidate"] > macro_f1["current"]
    assert result["current"]["version"] == old
    assert result["deployed"]["version"] == result["candidate"]["version"]
    assert active_model(hotline)[0].version == result["candidate"]["version"]  # type: ignore[index]
    per_class = result["comparison"]["per_class"]
    assert set(per_class) == {"E0101", "E0103", "E0301"}
    assert all(row["current_f1"] == 0.0 for row in per_class.values())


def test_a_worse_model_is_kept_out_unless_forced(
    hotline: Hotline, actors: dict[str, Actor], tmp_path: Path
) -> None:
    pairs = noise_cases(30)
    _close_all(hotline, actors, pairs)
    # The deployed model has seen every case, held-out ones included; the new one has not.
    old = _deploy_model_of(hotline, pairs, tmp_path / "old.npz")
    asked = RetrainRequest(min_cases=12, deploy=True)
    refused = retrain_from_cases(hotline, asked, hotline.now())
    macro_f1 = refused["comparison"]["macro_f1"]
    assert macro_f1["candidate"] < macro_f1["current"]
    assert refused["decision"]["deploy"] is False and refused["deployed"] is None
    assert "保留当前模型" in refused["decision"]["reason"]
    assert active_model(hotline)[0].version == old  # type: ignore[index]
    forced = RetrainRequest(min_cases=12, deploy=True, force=True)
    result = retrain_from_cases(hotline, forced, hotline.now())
    assert result["decision"]["deploy"] is True
    assert active_model(hotline)[0].version == result["candidate"]["version"]  # type: ignore[index]
