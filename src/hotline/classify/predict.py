"""Suggest categories at intake: the top-K labels of a text with calibrated probabilities.

``load_model`` is the entry point for services. Predictions are pure arithmetic on the loaded
arrays (no randomness, no threads), so a given model always gives the same answer for the same
text; ties are broken by label order.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from hotline.classify.model import SavedModel, TrainedModel, load

# Long batches are cut so the n-gram arrays stay a few hundred MB at most.
CHUNK = 2048


def top_k(
    probabilities: npt.NDArray[np.float64], labels: Sequence[str], k: int
) -> list[list[tuple[str, float]]]:
    """The k most probable labels of each row, best first (ties: label order)."""
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    order = np.argsort(-probabilities, axis=1, kind="stable")[:, :k]
    return [
        [(labels[column], float(row[column])) for column in columns]
        for row, columns in zip(probabilities, order, strict=True)
    ]


class Classifier:
    """A loaded, verified model: ``labels``, ``version``, ``sha256``, ``predict_top``."""

    def __init__(self, saved: SavedModel) -> None:
        self._saved = saved
        self._warm_up()

    def _warm_up(self) -> None:
        """Build the lookup tables now, not during the first citizen's message."""
        self.model.probabilities(["预热"])

    @property
    def model(self) -> TrainedModel:
        return self._saved.model

    @property
    def manifest(self) -> dict[str, Any]:
        return self._saved.manifest

    @property
    def labels(self) -> tuple[str, ...]:
        return self.model.labels

    @property
    def version(self) -> str:
        """Training time and the start of the file's sha256, e.g. ``20261125T101500Z-3f2a9c1e``."""
        return self._saved.version

    @property
    def sha256(self) -> str:
        return self._saved.sha256

    def probabilities(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        if not texts:
            return np.zeros((0, len(self.labels)))
        parts = [
            self.model.probabilities(texts[start : start + CHUNK])
            for start in range(0, len(texts), CHUNK)
        ]
        return np.vstack(parts)

    def predict_top_batch(self, texts: Sequence[str], k: int = 3) -> list[list[tuple[str, float]]]:
        """For each text, up to k (label, probability) pairs, most probable first."""
        return top_k(self.probabilities(texts), self.labels, k)

    def predict_top(self, text: str, k: int = 3) -> list[tuple[str, float]]:
        return self.predict_top_batch([text], k)[0]

    def rank_batch(self, texts: Sequence[str]) -> list[list[str]]:
        """Every label of each text, best first (for evaluation)."""
        ranked = self.predict_top_batch(texts, len(self.labels))
        return [[label for label, _ in row] for row in ranked]


def load_model(path: str | os.PathLike[str]) -> Classifier:
    """Load and verify a model saved by ``model.save``; raises ``ModelError`` if refused."""
    return Classifier(load(path))
