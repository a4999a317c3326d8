"""Retraining the classifier from the hotline's own closed cases (``hotline classifier train
--from-db``), comparing it with the deployed model on the same held-out cases, and deploying it
only when asked and not worse on macro-F1 (decision 0007).

Label = the case's final category code (after any re-sorting); text = what intake gives the
model (``model_text``). The deployed candidate is exactly the model that was compared: it is
trained on the training part only, never refitted on the held-out cases afterwards.

The cases are read in one short transaction and training runs outside any, since it takes
seconds to minutes; ``deploy_model`` then checks the codes and switches ``active.json``.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from hotline.adapters.db.models import Case
from hotline.classify.evaluate import Evaluation, score_rankings
from hotline.classify.model import (
    ModelError,
    TrainedModel,
    TrainingConfig,
    TrainingError,
    save,
    train,
)
from hotline.classify.predict import load_model
from hotline.domain.errors import InvalidInput
from hotline.domain.lifecycle import Status
from hotline.services.classifier.deployment import (
    Deployed,
    active_model,
    deploy_model,
    known_codes,
    model_dir,
    model_text,
    ranked_codes,
)
from hotline.services.context import Hotline

MIN_CASES = 30
Progress = Callable[[str], None]


@dataclass(frozen=True)
class RetrainRequest:
    start_on: date | None = None  # received (local date), both ends inclusive
    end_on: date | None = None
    holdout: float = 0.2
    model_path: Path | None = None  # where the candidate is saved; default under the model dir
    deploy: bool = False
    force: bool = False  # deploy even if worse on macro-F1
    min_cases: int = MIN_CASES
    config: TrainingConfig | None = None
    seed: int = 0


@dataclass(frozen=True)
class Examples:
    texts: list[str]
    labels: list[str]


def _check_request(request: RetrainRequest) -> None:
    if not 0 < request.holdout <= 0.5:
        raise InvalidInput("留出比例 holdout 须在 0 与 0.5 之间（不含 0）", fields=("holdout",))
    if request.start_on and request.end_on and request.end_on < request.start_on:
        raise InvalidInput("结束日期不能早于开始日期", fields=("from", "to"))
    if request.min_cases < 2:
        raise InvalidInput("最少工单数 min_cases 不能小于 2", fields=("min_cases",))


def closed_case_examples(hotline: Hotline, request: RetrainRequest) -> Examples:
    """Text and final category of every closed case received in the period, oldest first."""
    stmt = select(Case.title, Case.content, Case.category_code).where(
        Case.status == Status.CLOSED.value, Case.category_code.is_not(None)
    )
    if request.start_on:
        stmt = stmt.where(Case.received_on >= request.start_on)
    if request.end_on:
        stmt = stmt.where(Case.received_on <= request.end_on)
    with hotline.db.transaction() as session:
        rows = session.execute(stmt.order_by(Case.id)).all()
    return Examples(
        [model_text(title, content) for title, content, _ in rows],
        [str(code) for _, _, code in rows],
    )


def _period_text(request: RetrainRequest) -> str:
    start = request.start_on.isoformat() if request.start_on else "最早"
    end = request.end_on.isoformat() if request.end_on else "最新"
    return f"受理日期 {start} 至 {end}"


def check_enough(examples: Examples, request: RetrainRequest) -> None:
    """Refuse, naming the numbers, a training set too small or of a single category."""
    found = len(examples.labels)
    if found < request.min_cases:
        raise InvalidInput(
            f"{_period_text(request)} 内有类别的已结案工单只有 {found} 件，"
            f"重新训练至少需要 {request.min_cases} 件",
            fields=("from", "to"),
        )
    classes = Counter(examples.labels)
    if len(classes) < 2:
        only = "、".join(classes)
        raise InvalidInput(
            f"{_period_text(request)} 内的已结案工单只有 1 个类别（{only}），训练至少需要 2 个",
            fields=("from", "to"),
        )


def holdout_split(labels: Sequence[str], share: float, seed: int) -> tuple[list[int], list[int]]:
    """(training rows, held-out rows), stratified: about ``share`` of each category is held
    out, but every category keeps at least one training case (a category of one is never held
    out). Deterministic for a seed."""
    by_label: dict[str, list[int]] = defaultdict(list)
    for row, label in enumerate(labels):
        by_label[label].append(row)
    shuffler = random.Random(seed)
    training: list[int] = []
    held: list[int] = []
    for label in sorted(by_label):
        rows = by_label[label]
        shuffler.shuffle(rows)
        count = min(round(len(rows) * share), len(rows) - 1)
        held += rows[:count]
        training += rows[count:]
    return sorted(training), sorted(held)


def _pick(values: Sequence[str], rows: Sequence[int]) -> list[str]:
    return [values[row] for row in rows]


def _current_model(hotline: Hotline) -> tuple[Deployed | None, str]:
    """The deployed model and a word on it: ``none``, ``ok`` or why it cannot be used."""
    try:
        deployed = active_model(hotline)
    except (ModelError, OSError, ValueError, KeyError) as exc:
        return None, f"unusable: {exc}"
    return deployed, "ok" if deployed else "none"


def _class_f1(evaluation: Evaluation | None, code: str) -> float | None:
    figures = evaluation.per_class.get(code) if evaluation else None
    return figures.f1 if figures else None


def _comparison(candidate: Evaluation, current: Evaluation | None) -> dict[str, Any]:
    """Both models' figures side by side, with the change (candidate − current)."""
    comparison: dict[str, Any] = {}
    for name in ("accuracy", "macro_f1", "top3_accuracy"):
        mine, theirs = getattr(candidate, name), getattr(current, name) if current else None
        change = None if theirs is None else mine - theirs
        comparison[name] = {"candidate": mine, "current": theirs, "change": change}
    # Support is the held-out truth, the same for both; only the candidate's label set is sure
    # to hold every true category.
    comparison["per_class"] = {
        code: {
            "support": figures.support,
            "candidate_f1": figures.f1,
            "current_f1": _class_f1(current, code),
        }
        for code, figures in candidate.per_class.items()
        if figures.support > 0
    }
    return comparison


def _decision(
    request: RetrainRequest, candidate: Evaluation, current: Evaluation | None, status: str
) -> dict[str, Any]:
    not_worse = current is None or candidate.macro_f1 >= current.macro_f1
    if not request.deploy:
        deploy, why = False, "未要求部署（--deploy）"
    elif current is None:
        deploy, why = True, "当前没有可用的已部署模型" if status != "none" else "当前没有已部署模型"
    elif not_worse:
        deploy, why = True, "新模型的宏平均 F1 不低于当前模型"
    elif request.force:
        deploy, why = True, "新模型的宏平均 F1 低于当前模型，但指定了 --force"
    else:
        deploy, why = False, "新模型的宏平均 F1 低于当前模型，保留当前模型（可用 --force）"
    return {
        "deploy_requested": request.deploy,
        "forced": request.force,
        "not_worse": not_worse,
        "deploy": deploy,
        "reason": why,
    }


def _candidate_path(hotline: Hotline, request: RetrainRequest, now: datetime) -> Path:
    if request.model_path is not None:
        return request.model_path
    return model_dir(hotline) / "candidates" / f"from-db-{now:%Y%m%dT%H%M%SZ}.npz"


def _train(
    examples: Examples, rows: list[int], request: RetrainRequest, now: datetime,
    progress: Progress | None,
) -> TrainedModel:  # fmt: skip
    source = {
        "table": "cases",
        "status": Status.CLOSED.value,
        "label": "final category_code",
        "from": request.start_on.isoformat() if request.start_on else None,
        "to": request.end_on.isoformat() if request.end_on else None,
        "holdout": request.holdout,
        "seed": request.seed,
    }
    try:
        return train(
            _pick(examples.texts, rows),
            _pick(examples.labels, rows),
            request.config,
            trained_at=now,
            source=source,
            progress=progress,
        )
    except TrainingError as exc:
        raise InvalidInput(f"无法训练：{exc}", fields=("from", "to")) from exc


def _held_out_figures(
    hotline: Hotline, path: Path, texts: list[str], truth: list[str]
) -> tuple[Evaluation, Evaluation | None, Deployed | None, str]:
    """The candidate's and the deployed model's figures on the same held-out cases, both
    ranked as intake would offer them (labels mapped to active categories)."""
    codes = known_codes(hotline)
    candidate = score_rankings(truth, ranked_codes((load_model(path), {}), codes, texts))
    deployed, status = _current_model(hotline)
    current = score_rankings(truth, ranked_codes(deployed, codes, texts)) if deployed else None
    return candidate, current, deployed, status


def retrain_from_cases(
    hotline: Hotline, request: RetrainRequest, now: datetime, progress: Progress | None = None
) -> dict[str, Any]:
    """Train on the closed cases, compare with the deployed model on the same held-out cases,
    deploy the new one if asked and allowed; the report says what was found and done."""
    _check_request(request)
    examples = closed_case_examples(hotline, request)
    check_enough(examples, request)
    training, held = holdout_split(examples.labels, request.holdout, request.seed)
    if not held:
        raise InvalidInput("留出集为空：每个类别的工单都太少，无法比较", fields=("holdout",))
    if progress:
        progress(f"训练 {len(training)} 件，留出 {len(held)} 件用于比较")
    path = _candidate_path(hotline, request, now)
    manifest = save(_train(examples, training, request, now, progress), path)
    texts, truth = _pick(examples.texts, held), _pick(examples.labels, held)
    candidate, current, deployed, status = _held_out_figures(hotline, path, texts, truth)
    decision = _decision(request, candidate, current, status)
    active = deploy_model(hotline, path, {}, now) if decision["deploy"] else None
    return {
        "period": {"from": request.start_on, "to": request.end_on},
        "cases": len(examples.labels),
        "classes": dict(sorted(Counter(examples.labels).items())),
        "training_cases": len(training),
        "held_out_cases": len(held),
        "candidate": {
            "model": str(path),
            "version": manifest["version"],
            "sha256": manifest["sha256"],
            "metrics": candidate.as_dict(),
        },
        "current": {
            "status": status,
            "version": deployed[0].version if deployed else None,
            "metrics": current.as_dict() if current else None,
        },
        "comparison": _comparison(candidate, current),
        "decision": decision,
        "deployed": active,
    }
