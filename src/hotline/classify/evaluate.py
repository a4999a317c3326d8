"""How good a classifier is: accuracy, macro-F1, top-3 accuracy, per-class figures, speed, and
stratified k-fold cross-validation of any fit-and-rank function (ours or a baseline)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from statistics import fmean, pstdev
from typing import Any

import numpy as np
from sklearn.metrics import precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold

# Every label, best first, for each text.
Ranker = Callable[[Sequence[str]], list[list[str]]]
# Fit on (train texts, train labels), then rank the test texts.
FitRank = Callable[[Sequence[str], Sequence[str], Sequence[str]], list[list[str]]]


@dataclass(frozen=True)
class ClassMetrics:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Evaluation:
    documents: int
    accuracy: float
    macro_f1: float
    top3_accuracy: float
    per_class: dict[str, ClassMetrics]
    docs_per_second: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "top3_accuracy": self.top3_accuracy,
            "docs_per_second": self.docs_per_second,
            "per_class": {label: vars(metrics) for label, metrics in self.per_class.items()},
        }


def score_rankings(
    truth: Sequence[str], rankings: Sequence[Sequence[str]], top: int = 3
) -> Evaluation:
    """Figures for ranked predictions (best first). Macro-F1 averages over every label seen in
    the truth or among the first choices, so a label never predicted right still counts."""
    if not truth or len(truth) != len(rankings):
        raise ValueError("need one ranking per true label, and at least one")
    first = [ranking[0] for ranking in rankings]
    labels = sorted(set(truth) | set(first))
    precision, recall, f1, support = precision_recall_fscore_support(
        list(truth), first, labels=labels, zero_division=0
    )
    per_class = {
        label: ClassMetrics(float(p), float(r), float(f), int(s))
        for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
    }
    hits = [label == guess for label, guess in zip(truth, first, strict=True)]
    in_top = [label in ranking[:top] for label, ranking in zip(truth, rankings, strict=True)]
    return Evaluation(
        documents=len(truth),
        accuracy=fmean(hits),
        macro_f1=float(np.mean(f1)),
        top3_accuracy=fmean(in_top),
        per_class=per_class,
    )


def evaluate_ranker(ranker: Ranker, texts: Sequence[str], labels: Sequence[str]) -> Evaluation:
    """Score a trained classifier on labelled texts, and time it (documents per second)."""
    started = time.perf_counter()
    rankings = ranker(texts)
    elapsed = time.perf_counter() - started
    evaluation = score_rankings(labels, rankings)
    speed = len(texts) / elapsed if elapsed > 0 else None
    return Evaluation(**{**vars(evaluation), "docs_per_second": speed})


@dataclass(frozen=True)
class CrossValidation:
    folds: int
    seed: int
    per_fold: list[Evaluation]
    pooled: Evaluation  # all out-of-fold predictions together
    fit_seconds: list[float]

    def as_dict(self) -> dict[str, Any]:
        def spread(name: str) -> dict[str, float]:
            values = [getattr(fold, name) for fold in self.per_fold]
            return {"mean": fmean(values), "std": pstdev(values)}

        return {
            "folds": self.folds,
            "seed": self.seed,
            "accuracy": spread("accuracy"),
            "macro_f1": spread("macro_f1"),
            "top3_accuracy": spread("top3_accuracy"),
            "fit_seconds_mean": fmean(self.fit_seconds),
            "pooled": self.pooled.as_dict(),
        }


def stratified_folds(
    labels: Sequence[str], folds: int, seed: int
) -> list[tuple[list[int], list[int]]]:
    """(train rows, test rows) per fold, each class spread evenly, shuffled with ``seed``."""
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    rows = np.zeros(len(labels))
    return [(train.tolist(), test.tolist()) for train, test in splitter.split(rows, list(labels))]


def cross_validate(
    texts: Sequence[str],
    labels: Sequence[str],
    fit_rank: FitRank,
    *,
    folds: int = 5,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> CrossValidation:
    """Stratified k-fold cross-validation: fit on k-1 folds, rank the held-out one."""
    rankings: list[list[str]] = [[] for _ in texts]
    per_fold: list[Evaluation] = []
    fit_seconds: list[float] = []
    for number, (train, test) in enumerate(stratified_folds(labels, folds, seed), start=1):
        started = time.perf_counter()
        train_texts, train_labels = [texts[i] for i in train], [labels[i] for i in train]
        ranked = fit_rank(train_texts, train_labels, [texts[i] for i in test])
        fit_seconds.append(time.perf_counter() - started)
        for row, ranking in zip(test, ranked, strict=True):
            rankings[row] = ranking
        per_fold.append(score_rankings([labels[i] for i in test], ranked))
        if progress is not None:
            progress(f"fold {number}/{folds}: macro-F1 {per_fold[-1].macro_f1:.4f}")
    return CrossValidation(folds, seed, per_fold, score_rankings(labels, rankings), fit_seconds)
