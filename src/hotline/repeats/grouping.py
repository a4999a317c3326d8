"""Batch grouping: which of many complaints are about the same problem.

1. A candidate graph: every document is linked to its ``neighbours`` nearest documents (the same
   search as the online index), each edge weighted by the pair score (text, places and the
   other signals of :mod:`hotline.repeats.scoring`); edges outside the time window or below
   ``min_edge`` are dropped.
2. Average-linkage agglomeration over that sparse graph: repeatedly merge the two groups with the
   highest *average* pair score (a missing edge counts as 0) until it falls below ``threshold``.
   Unlike connected components, one stray similar pair cannot chain two problems together, and
   a large group must be similar on the whole to absorb another.

Deterministic: ties break on the smallest document positions, and group numbers follow the
first document of each group in input order.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from hotline.repeats.scoring import (
    RepeatDocument,
    RepeatPolicy,
    Scored,
    document_text,
    profile,
    score_pair,
    within_window,
)
from hotline.repeats.store import VectorStore
from hotline.repeats.vectors import TextModel, rows_to_csr

Edge = tuple[int, int, float]  # positions i < j, weight
Progress = Callable[[int], None]  # told how many more documents are done


def _batch_policy() -> RepeatPolicy:
    """The online pair factors; the window is the grouping's own (``window_days`` below)."""
    return RepeatPolicy(window_days=None)


@dataclass(frozen=True, slots=True)
class GroupingOptions:
    threshold: float = 0.08  # the average pair score at which two groups still merge
    window_days: float | None = None  # None: no time window
    neighbours: int = 30
    min_edge: float = 0.02
    policy: RepeatPolicy = field(default_factory=_batch_policy)


def candidate_edges(
    docs: Sequence[RepeatDocument],
    model: TextModel,
    options: GroupingOptions,
    progress: Progress | None = None,
) -> list[Edge]:
    """The weighted candidate graph, each undirected edge once, sorted."""
    scored = [profile(doc, model) for doc in docs]
    store = VectorStore(model.config.n_features)
    matrix = rows_to_csr([item.row for item in scored], model.config.n_features)
    store.bulk_load(
        [str(position) for position in range(len(docs))], matrix, np.full(len(docs), np.nan)
    )
    weights: dict[tuple[int, int], float] = {}
    for position, item in enumerate(scored):
        for key, similarity in store.nearest(item.row, options.neighbours + 1):
            pair = (min(position, int(key)), max(position, int(key)))
            if pair[0] != pair[1] and pair not in weights:
                weights[pair] = _edge_weight(scored[pair[0]], scored[pair[1]], similarity, options)
        if progress is not None:
            progress(1)
    return [
        (i, j, weight) for (i, j), weight in sorted(weights.items()) if weight >= options.min_edge
    ]


def _edge_weight(
    first: Scored, second: Scored, similarity: float, options: GroupingOptions
) -> float:
    if not within_window(first.facts.at_ts, second.facts.at_ts, options.window_days):
        return 0.0
    return score_pair(first, second, similarity, options.policy)[0]


def average_linkage(size: int, edges: Sequence[Edge], threshold: float) -> list[int]:
    """Group numbers (0, 1, … in order of first member) after sparse average linkage."""
    members = dict.fromkeys(range(size), 1)
    links: dict[int, dict[int, float]] = {position: {} for position in range(size)}
    for i, j, weight in edges:
        links[i][j] = links[i].get(j, 0.0) + weight
        links[j][i] = links[i][j]
    heap = [(-weight, i, j) for i, j, weight in edges]
    heapq.heapify(heap)
    parent = list(range(size))
    while heap:
        negative, a, b = heapq.heappop(heap)
        if a not in members or b not in members or b not in links[a]:
            continue
        average = links[a][b] / (members[a] * members[b])
        if abs(average + negative) > 1e-12:
            continue  # stale: the pair's average changed since this entry was pushed
        if average < threshold:
            break
        _merge(a, b, members, links, parent, heap)
    return _number_groups(parent)


def _merge(
    a: int,
    b: int,
    members: dict[int, int],
    links: dict[int, dict[int, float]],
    parent: list[int],
    heap: list[tuple[float, int, int]],
) -> None:
    """Fold group ``b`` into ``a``; the smaller position survives, for determinism."""
    keep, gone = min(a, b), max(a, b)
    parent[gone] = keep
    members[keep] += members.pop(gone)
    gone_links = links.pop(gone)
    del gone_links[keep], links[keep][gone]
    for other, weight in gone_links.items():
        links[keep][other] = links[keep].get(other, 0.0) + weight
        links[other][keep] = links[keep][other]
        del links[other][gone]
    for other, total in links[keep].items():
        average = total / (members[keep] * members[other])
        heapq.heappush(heap, (-average, min(keep, other), max(keep, other)))


def _number_groups(parent: list[int]) -> list[int]:
    def root(position: int) -> int:
        while parent[position] != position:
            parent[position] = parent[parent[position]]
            position = parent[position]
        return position

    numbers: dict[int, int] = {}
    return [numbers.setdefault(root(position), len(numbers)) for position in range(len(parent))]


def group_documents(
    docs: Sequence[RepeatDocument],
    options: GroupingOptions | None = None,
    *,
    model: TextModel | None = None,
    progress: Progress | None = None,
) -> list[int]:
    """Group numbers, one per document, in input order; singletons get their own number.

    Without a ``model`` the IDF table is fitted on ``docs`` themselves.
    """
    options = options or GroupingOptions()
    if model is None:
        config = TextModel.default_config()
        model = TextModel.fit([document_text(doc, config) for doc in docs], config)
    edges = candidate_edges(docs, model, options, progress)
    return average_linkage(len(docs), edges, options.threshold)
