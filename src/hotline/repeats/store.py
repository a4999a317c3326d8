"""Unit vectors of many documents, and the search for the nearest ones to a new vector.

Two segments, like a log-structured index: a large *main* segment with an inverted index over
each document's heaviest grams, and a small *recent* segment that is searched exhaustively.
Adding a document touches only the recent segment; when it reaches ``merge_at`` documents it is
merged into the main one (an O(n) rebuild, amortised over ``merge_at`` adds). Removing marks a
slot dead; dead slots are dropped at the next merge.

A search probes the inverted index with the query's heaviest grams (rare grams have short
postings, and carry most of a match), keeps the best ``shortlist`` documents by that partial
score, and then computes their exact cosine. The shortlist bounds the cost of a query, whatever
the number of documents.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import sparse

from hotline.repeats.vectors import FloatArray, IntArray, SparseRow, rows_to_csr, top_weighted

BoolArray = npt.NDArray[np.bool_]
TimeArray = npt.NDArray[np.float64]  # POSIX seconds; NaN when unknown


@dataclass(frozen=True, slots=True)
class SearchWindow:
    """Only documents within ``seconds`` of ``centre`` (unknown times always qualify)."""

    centre: float
    seconds: float

    def admits(self, times: TimeArray) -> BoolArray:
        return np.isnan(times) | (np.abs(times - self.centre) <= self.seconds)


def gather_rows(matrix: sparse.csr_matrix, rows: IntArray) -> sparse.csr_matrix:
    """``matrix[rows]`` in plain numpy: scipy's fancy indexing costs more in checks than work."""
    starts, ends = matrix.indptr[rows], matrix.indptr[rows + 1]
    lengths = ends - starts
    indptr = np.concatenate(([0], np.cumsum(lengths)))
    entries = np.repeat(starts - indptr[:-1], lengths) + np.arange(indptr[-1])
    return sparse.csr_matrix(
        (matrix.data[entries], matrix.indices[entries], indptr),
        shape=(len(rows), matrix.shape[1]),
    )


def row_dots(matrix: sparse.csr_matrix, query: SparseRow, scratch: FloatArray) -> FloatArray:
    """Dot product of every row of ``matrix`` with a sparse query.

    ``scratch`` is a zeroed dense array of all features: the query is scattered into it, the
    rows' entries gathered from it, and it is zeroed again, which beats any sparse product at
    this size.
    """
    features, weights = query
    if matrix.shape[0] == 0 or len(features) == 0:
        return np.zeros(matrix.shape[0], dtype=np.float32)
    scratch[features] = weights
    try:
        products = matrix.data * scratch[matrix.indices]
    finally:
        scratch[features] = 0.0
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    return np.bincount(rows, weights=products, minlength=matrix.shape[0]).astype(np.float32)


def _probe_rows(matrix: sparse.csr_matrix, limit: int) -> sparse.csr_matrix:
    """Each row's ``limit`` heaviest entries (the inverted index is their transpose)."""
    lengths = np.diff(matrix.indptr)
    rows = np.repeat(np.arange(matrix.shape[0]), lengths)
    order = np.lexsort((matrix.indices, -matrix.data, rows))  # by row, heaviest first
    rank = np.arange(matrix.nnz) - np.repeat(matrix.indptr[:-1], lengths)
    keep = order[rank < limit]
    pruned = sparse.csr_matrix(
        (matrix.data[keep], (rows[keep], matrix.indices[keep])), shape=matrix.shape
    )
    return pruned


@dataclass
class _Recent:
    rows: list[SparseRow] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    alive: list[bool] = field(default_factory=list)
    cached: sparse.csr_matrix | None = None


class VectorStore:
    """Search the nearest stored unit vectors; keys are document ids.

    Not thread-safe (it reuses one scratch array): callers serialise access, as
    :class:`hotline.repeats.index.RepeatIndex` does.
    """

    def __init__(
        self,
        n_features: int,
        *,
        probe_features: int = 64,
        shortlist: int = 60,
        merge_at: int = 2048,
    ) -> None:
        self.n_features = n_features
        self.probe_features = probe_features
        self.shortlist = shortlist
        self.merge_at = merge_at
        self._main = sparse.csr_matrix((0, n_features), dtype=np.float32)
        self._probe = sparse.csr_matrix((0, n_features), dtype=np.float32)  # see _probe_rows
        self._inverted = sparse.csr_matrix((n_features, 0), dtype=np.float32)
        self._main_keys: list[str] = []
        self._main_times: TimeArray = np.zeros(0)
        self._main_alive: BoolArray = np.zeros(0, dtype=bool)
        self._recent = _Recent()
        self._where: dict[str, tuple[bool, int]] = {}  # key → (in main?, position)
        self._scratch: FloatArray = np.zeros(n_features, dtype=np.float32)  # see row_dots

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, key: object) -> bool:
        return key in self._where

    def keys(self) -> Iterator[str]:
        return iter(self._where)

    def row(self, key: str) -> SparseRow:
        """A stored document's vector (views into the store; do not modify)."""
        in_main, position = self._where[key]
        if not in_main:
            return self._recent.rows[position]
        start, end = self._main.indptr[position], self._main.indptr[position + 1]
        return self._main.indices[start:end].astype(np.int64), self._main.data[start:end]

    def add(self, key: str, row: SparseRow, at_ts: float | None) -> None:
        """Store (or replace) a document's vector."""
        self.remove(key)
        recent = self._recent
        self._where[key] = (False, len(recent.rows))
        recent.rows.append(row)
        recent.keys.append(key)
        recent.times.append(np.nan if at_ts is None else at_ts)
        recent.alive.append(True)
        recent.cached = None
        if len(recent.rows) >= self.merge_at:
            self.merge()

    def remove(self, key: str) -> bool:
        place = self._where.pop(key, None)
        if place is None:
            return False
        in_main, position = place
        if in_main:
            self._main_alive[position] = False
        else:
            self._recent.alive[position] = False
        return True

    def merge(self) -> None:
        """Fold the recent segment into the main one, dropping dead slots.

        Only the recent documents are ranked for the inverted index; the main segment's probe
        rows are reused, so a merge costs copies and one transpose, not a sort of everything.
        """
        recent = self._recent
        keep = np.flatnonzero(self._main_alive)
        fresh = [i for i, alive in enumerate(recent.alive) if alive]
        added = rows_to_csr([recent.rows[i] for i in fresh], self.n_features)
        self._main = sparse.vstack([self._kept(self._main, keep), added], format="csr")
        probe = _probe_rows(added, self.probe_features)
        self._probe = sparse.vstack([self._kept(self._probe, keep), probe], format="csr")
        self._inverted = self._probe.T.tocsr()
        self._main_keys = [self._main_keys[i] for i in keep] + [recent.keys[i] for i in fresh]
        self._main_times = np.concatenate(
            [self._main_times[keep], np.array([recent.times[i] for i in fresh], dtype=float)]
        )
        self._main_alive = np.ones(len(self._main_keys), dtype=bool)
        self._where = {key: (True, position) for position, key in enumerate(self._main_keys)}
        self._recent = _Recent()

    def _kept(self, matrix: sparse.csr_matrix, keep: IntArray) -> sparse.csr_matrix:
        return matrix if len(keep) == matrix.shape[0] else gather_rows(matrix, keep)

    def nearest(
        self, query: SparseRow, limit: int, window: SearchWindow | None = None
    ) -> list[tuple[str, float]]:
        """The ``limit`` most similar stored documents, best first (ties: smaller key)."""
        found = self._search_main(query, window) + self._search_recent(query, window)
        found.sort(key=lambda pair: (-pair[1], pair[0]))
        return found[:limit]

    def _search_main(
        self, query: SparseRow, window: SearchWindow | None
    ) -> list[tuple[str, float]]:
        if not self._main_keys or len(query[0]) == 0:
            return []
        features, weights = top_weighted(*query, self.probe_features)
        postings = gather_rows(self._inverted, features)
        partial = np.bincount(
            postings.indices,
            weights=postings.data * np.repeat(weights, np.diff(postings.indptr)),
            minlength=len(self._main_keys),
        )
        slots = np.flatnonzero(partial)
        slots = slots[self._main_alive[slots]]
        if window is not None:
            slots = slots[window.admits(self._main_times[slots])]
        if len(slots) > self.shortlist:
            slots = np.sort(
                slots[np.argpartition(-partial[slots], self.shortlist)[: self.shortlist]]
            )
        exact = row_dots(gather_rows(self._main, slots), query, self._scratch)
        return [(self._main_keys[s], float(v)) for s, v in zip(slots, exact, strict=True) if v > 0]

    def _recent_matrix(self) -> sparse.csr_matrix:
        if self._recent.cached is None:
            self._recent.cached = rows_to_csr(self._recent.rows, self.n_features)
        return self._recent.cached

    def _search_recent(
        self, query: SparseRow, window: SearchWindow | None
    ) -> list[tuple[str, float]]:
        recent = self._recent
        if not recent.rows:
            return []
        usable = np.array(recent.alive)
        if window is not None:
            usable &= window.admits(np.array(recent.times, dtype=float))
        exact = row_dots(self._recent_matrix(), query, self._scratch)
        return [(recent.keys[i], float(exact[i])) for i in np.flatnonzero(usable & (exact > 0))]

    def bulk_load(self, keys: list[str], matrix: sparse.csr_matrix, times: TimeArray) -> None:
        """Replace everything with ``matrix`` (one row per key) as the main segment."""
        if len(set(keys)) != len(keys):
            raise ValueError("duplicate document ids")
        self._main = matrix.tocsr().astype(np.float32)
        self._main_keys = list(keys)
        self._main_times = np.asarray(times, dtype=float)
        self._main_alive = np.ones(len(keys), dtype=bool)
        self._probe = _probe_rows(self._main, self.probe_features)
        self._inverted = self._probe.T.tocsr()
        self._where = {key: (True, position) for position, key in enumerate(keys)}
        self._recent = _Recent()


__all__ = ["FloatArray", "IntArray", "SearchWindow", "VectorStore", "row_dots"]
