"""Turning SVM decision scores into probabilities people can read as confidences.

Scores from a model that saw the text are over-confident, so the temperature is fitted on
out-of-fold scores: each text scored by a model trained without it. Dividing every score by
one T keeps the ranking, so top-K labels are unchanged; only the probabilities move.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax

from hotline.classify.evaluate import stratified_folds

FloatArray = npt.NDArray[np.float64]


class Scorer(Protocol):
    @property
    def labels(self) -> tuple[str, ...]: ...

    def scores(self, texts: Sequence[str]) -> FloatArray: ...


@dataclass(frozen=True)
class OutOfFold:
    """Decision scores of every training text from a model that did not see it."""

    scores: FloatArray  # (texts, labels)
    labels: tuple[str, ...]  # the columns: all labels, since every fold holds every class
    folds: int

    def rankings(self) -> list[list[str]]:
        order = np.argsort(-self.scores, axis=1, kind="stable")
        return [[self.labels[column] for column in row] for row in order]


def out_of_fold_scores(
    texts: Sequence[str],
    labels: Sequence[str],
    fit: Callable[[Sequence[str], Sequence[str]], Scorer],
    *,
    folds: int,
    seed: int,
    progress: Callable[[str], None] | None = None,
) -> OutOfFold:
    """Stratified folds; ``folds`` must not exceed the smallest class's size."""
    parts = []
    for number, (train, test) in enumerate(stratified_folds(labels, folds, seed), start=1):
        model = fit([texts[i] for i in train], [labels[i] for i in train])
        parts.append((test, model.scores([texts[i] for i in test]), model.labels))
        if progress is not None:
            progress(f"校准折 {number}/{folds} 完成")
    columns = parts[0][2]
    scores = np.zeros((len(texts), len(columns)))
    for test, fold_scores, fold_labels in parts:
        if fold_labels != columns:
            raise ValueError("a fold lacked a class: use fewer folds than the smallest class")
        scores[test] = fold_scores
    return OutOfFold(scores, columns, folds)


def fit_temperature(scores: FloatArray, truth: npt.NDArray[np.int64]) -> float:
    """The T minimising the log-loss of softmax(scores / T) on held-out scores, within
    [0.05, 20]: perfectly separated scores (a tiny data set) would drive T towards zero and
    every probability to 1."""

    def log_loss(log_t: float) -> float:
        log_p = log_softmax(scores / np.exp(log_t), axis=1)
        return float(-np.mean(log_p[np.arange(truth.shape[0]), truth]))

    best = minimize_scalar(log_loss, bounds=(-3.0, 3.0), method="bounded")
    return float(np.exp(best.x))
