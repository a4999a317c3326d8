"""Deploying a trained classifier and using it at intake.

Models are loaded only from the configured model directory (``HOTLINE_MODEL_DIR``, default
``var/models``), once per process per deployed file, verified by their sha256 manifest.
``active.json`` in that directory names the deployed model and maps its labels to taxonomy codes
(labels that already are codes need no mapping). With nothing deployed, intake simply offers no
model suggestion.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from hotline.adapters.db.models import Category
from hotline.classify.model import ModelError, manifest_path
from hotline.classify.predict import Classifier, load_model
from hotline.domain.errors import InvalidInput
from hotline.services.context import Hotline

ACTIVE_FILE = "active.json"
NO_SUGGESTION = "（无建议）"  # a ranking whose every label maps to no category
_loaded: dict[tuple[str, str], Classifier] = {}
Deployed = tuple[Classifier, dict[str, str]]  # the classifier and its label → code map


@dataclass(frozen=True)
class ModelGuess:
    """One of the model's first labels for a text; ``code`` is None where the label maps to no
    active category (intake then offers it to nobody)."""

    rank: int
    label: str
    code: str | None
    probability: float


def model_text(title: str | None, content: str) -> str:
    """What the model reads of a case: the subject line, then the message. Intake and
    retraining both use this, so the model is trained on what it is later asked."""
    return f"{title or ''} {content}"


def code_for(label: str, label_map: dict[str, str], codes: set[str]) -> str | None:
    code = label if label in codes else label_map.get(label)
    return code if code in codes else None


def model_guesses(deployed: Deployed, codes: set[str], text: str, k: int = 3) -> list[ModelGuess]:
    classifier, label_map = deployed
    return [
        ModelGuess(rank, label, code_for(label, label_map, codes), probability)
        for rank, (label, probability) in enumerate(classifier.predict_top(text, k), start=1)
    ]


def ranked_codes(deployed: Deployed, codes: set[str], texts: Sequence[str]) -> list[list[str]]:
    """Every text's categories best first, as intake would offer them: labels mapped to codes,
    unmapped ones left out (``NO_SUGGESTION`` when nothing is left)."""
    classifier, label_map = deployed
    rankings = []
    for labels in classifier.rank_batch(texts):
        mapped = (code_for(label, label_map, codes) for label in labels)
        ranking = list(dict.fromkeys(code for code in mapped if code is not None))
        rankings.append(ranking or [NO_SUGGESTION])
    return rankings


def model_dir(hotline: Hotline) -> Path:
    return hotline.settings.model_dir or hotline.settings.var_dir / "models"


def known_codes(hotline: Hotline) -> set[str]:
    """The codes of the active categories: the only ones a model may suggest."""
    with hotline.db.transaction() as session:
        return set(session.scalars(select(Category.code).where(Category.active.is_(True))))


def _check_mapping(classifier: Classifier, label_map: dict[str, str], codes: set[str]) -> list[str]:
    """Refuse a mapping to unknown codes; return the labels that map to nothing."""
    unknown = sorted({code for code in label_map.values() if code not in codes})
    if unknown:
        raise InvalidInput(
            f"标签映射指向不存在的类别代码：{'、'.join(unknown)}", fields=("label_map",)
        )
    return [label for label in classifier.labels if label not in codes and label not in label_map]


def deploy_model(
    hotline: Hotline, source: Path, label_map: dict[str, str], now: datetime
) -> dict[str, Any]:
    """Verify ``source``, copy it (and its manifest) into the model directory, make it active."""
    try:
        classifier = load_model(source)
    except ModelError as exc:
        raise InvalidInput(f"模型无法部署：{exc}", fields=("model",)) from exc
    unmapped = _check_mapping(classifier, label_map, known_codes(hotline))
    target = model_dir(hotline)
    target.mkdir(parents=True, exist_ok=True)
    destination = target / f"{classifier.version}.npz"
    if source.resolve() != destination.resolve():
        shutil.copyfile(source, destination)
        shutil.copyfile(manifest_path(source), manifest_path(destination))
    active = {
        "file": destination.name,
        "sha256": classifier.sha256,
        "version": classifier.version,
        "deployed_at": now.isoformat(),
        "label_map": label_map,
        "unmapped_labels": unmapped,
    }
    (target / ACTIVE_FILE).write_text(
        json.dumps(active, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return active


def active_model(hotline: Hotline) -> Deployed | None:
    """The deployed classifier and its label map, loaded once per process; None if none."""
    pointer = model_dir(hotline) / ACTIVE_FILE
    if not pointer.is_file():
        return None
    active = json.loads(pointer.read_text(encoding="utf-8"))
    key = (str(pointer.parent / active["file"]), str(active["sha256"]))
    if key not in _loaded:
        classifier = load_model(key[0])
        if classifier.sha256 != key[1]:
            raise ModelError("checksum_mismatch", "部署的模型与 active.json 记录的 sha256 不符")
        _loaded[key] = classifier
    return _loaded[key], dict(active.get("label_map") or {})
