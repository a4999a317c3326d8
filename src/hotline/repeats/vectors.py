"""TF-IDF vectors of character n-grams, with hashed features and a frozen IDF table.

Character 2–3-grams survive rewording in Chinese far better than words: no segmenter has to
agree with itself, and a changed particle only touches two or three grams. Features are hashed
(no vocabulary to share), so the only state is the IDF table: fitted once, stored, and loaded by
every process, two processes score a pair identically (see :attr:`TextModel.fingerprint`).
Document frequencies are not updated online on purpose: a drifting IDF would make yesterday's
stored vectors disagree with today's query vectors.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from hotline.repeats.normalize import normalise_text

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]
SparseRow = tuple[IntArray, FloatArray]  # ascending feature numbers, their weights


@dataclass(frozen=True, slots=True)
class TextConfig:
    """How a text becomes a vector; part of the model's fingerprint."""

    ngram_min: int = 2
    ngram_max: int = 3
    feature_bits: int = 20
    title_weight: int = 2  # titles are dense summaries: count their grams twice
    max_chars: int = 1500  # long letters ramble; the problem is stated early
    max_features_per_doc: int = 256  # the heaviest grams carry the match; bounds memory

    @property
    def n_features(self) -> int:
        return 1 << self.feature_bits


def compose_text(title: str, body: str, title_weight: int) -> str:
    """The text a complaint is compared on: the title repeated, then the body."""
    return " ".join([title] * title_weight + [body]) if title else body


# Feature hashing (Fibonacci hashing of the gram's code points): fast, vectorised in numpy, and
# the same on every platform and library version, which a stored IDF table needs.
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_CODE_SPACE = np.uint64(0x110000)  # one more than the largest Unicode code point
_TRIGRAM_OFFSET = np.uint64(1 << 62)  # keeps trigram keys apart from bigram keys
_SPACE = 32


def _gram_keys(codes: npt.NDArray[np.uint64], size: int) -> npt.NDArray[np.uint64]:
    windows = np.lib.stride_tricks.sliding_window_view(codes, size)
    key = np.zeros(len(windows), dtype=np.uint64)
    for column in range(size):
        key = key * _CODE_SPACE + windows[:, column]
    usable = ~(windows == _SPACE).any(axis=1)
    offset = _TRIGRAM_OFFSET if size >= 3 else np.uint64(0)
    keys: npt.NDArray[np.uint64] = key[usable] + offset
    return keys


def gram_features(normalised: str, config: TextConfig) -> IntArray:
    """Feature numbers of the character n-grams of a normalised text (none spans a space)."""
    codes = np.frombuffer(normalised.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    sizes = range(config.ngram_min, min(config.ngram_max, len(codes)) + 1)
    keys = [_gram_keys(codes, size) for size in sizes]
    if not keys:
        return np.zeros(0, dtype=np.int64)
    shift = np.uint64(64 - config.feature_bits)
    return ((np.concatenate(keys) * _GOLDEN) >> shift).astype(np.int64)


def prepared_text(text: str, config: TextConfig) -> str:
    """The normalised form of a text's first ``max_chars`` characters: what gets vectorised."""
    return normalise_text(text[: config.max_chars])


def gram_counts(prepared: str, config: TextConfig) -> tuple[IntArray, FloatArray]:
    """Distinct feature numbers of a prepared text, ascending, with their counts."""
    features, counts = np.unique(gram_features(prepared, config), return_counts=True)
    return features, counts.astype(np.float32)


def top_weighted(features: IntArray, weights: FloatArray, limit: int) -> SparseRow:
    """The ``limit`` heaviest entries (ties: the lower feature number), ascending by feature."""
    if len(features) <= limit:
        return features, weights
    order = np.lexsort((features, -weights))[:limit]
    order.sort()
    return features[order], weights[order]


def rows_to_csr(rows: Sequence[SparseRow], n_features: int) -> sparse.csr_matrix:
    """Stack sparse rows into one CSR matrix, without a scipy call per row."""
    lengths = [len(features) for features, _ in rows]
    indptr = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
    if not rows:
        return sparse.csr_matrix((0, n_features), dtype=np.float32)
    indices = np.concatenate([features for features, _ in rows]).astype(np.int32)
    data = np.concatenate([weights for _, weights in rows]).astype(np.float32)
    return sparse.csr_matrix((data, indices, indptr), shape=(len(rows), n_features))


class TextModel:
    """A fitted IDF table over hashed character n-grams."""

    def __init__(self, idf: FloatArray, n_docs: int, config: TextConfig | None = None) -> None:
        self.config = config or TextConfig()
        if idf.shape != (self.config.n_features,):
            raise ValueError("IDF table does not match the number of features")
        self.idf = idf.astype(np.float32)
        self.n_docs = n_docs
        self.fingerprint = self._fingerprint()

    @staticmethod
    def default_config() -> TextConfig:
        return TextConfig()

    @classmethod
    def fit(cls, texts: Iterable[str], config: TextConfig | None = None) -> TextModel:
        """Document frequencies over ``texts`` (smoothed like scikit-learn's TfidfTransformer)."""
        config = config or TextConfig()
        df = np.zeros(config.n_features, dtype=np.float64)
        n_docs = 0
        for text in texts:
            df[gram_counts(prepared_text(text, config), config)[0]] += 1
            n_docs += 1
        idf = np.log((1.0 + n_docs) / (1.0 + df)) + 1.0
        return cls(idf.astype(np.float32), n_docs, config)

    def vector_row(self, text: str) -> SparseRow:
        """A text's unit vector: sublinear TF × IDF over its heaviest grams."""
        return self.prepared_row(prepared_text(text, self.config))

    def prepared_row(self, prepared: str) -> SparseRow:
        """The unit vector of an already prepared text (:func:`prepared_text`)."""
        features, counts = gram_counts(prepared, self.config)
        weights: FloatArray = ((1.0 + np.log(counts)) * self.idf[features]).astype(np.float32)
        features, weights = top_weighted(features, weights, self.config.max_features_per_doc)
        norm = float(np.sqrt(np.dot(weights, weights)))
        return features, (weights / norm if norm else weights).astype(np.float32)

    def vectorize(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """One unit row per text."""
        return rows_to_csr([self.vector_row(text) for text in texts], self.config.n_features)

    def _fingerprint(self) -> str:
        digest = hashlib.sha256(json.dumps(asdict(self.config), sort_keys=True).encode())
        digest.update(self.idf.tobytes())
        return digest.hexdigest()[:16]

    def to_bytes(self) -> bytes:
        """Serialise (npz) so every process can load the very same table."""
        buffer = io.BytesIO()
        meta = json.dumps({"config": asdict(self.config), "n_docs": self.n_docs})
        np.savez_compressed(buffer, idf=self.idf, meta=np.array(meta))
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> TextModel:
        with np.load(io.BytesIO(data), allow_pickle=False) as stored:
            meta: dict[str, Any] = json.loads(str(stored["meta"]))
            return cls(stored["idf"], int(meta["n_docs"]), TextConfig(**meta["config"]))
