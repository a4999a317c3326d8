"""Batch grouping: average linkage over the candidate graph, deterministic."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

from hotline.repeats import GroupingOptions, RepeatDocument, average_linkage, group_documents
from tests.unit.repeats_corpus import START, corpus_docs, corpus_model

MODEL = corpus_model()


def partition(docs: list[RepeatDocument], labels: list[int]) -> set[frozenset[str]]:
    groups: dict[int, set[str]] = {}
    for item, label in zip(docs, labels, strict=True):
        groups.setdefault(label, set()).add(item.doc_id)
    return {frozenset(members) for members in groups.values()}


def test_average_linkage_does_not_chain() -> None:
    # a–b and b–c are close, a–c unrelated: connected components would join all three.
    edges = [(0, 1, 0.9), (1, 2, 0.5)]
    assert average_linkage(3, edges, threshold=0.3) == [0, 0, 1]
    assert average_linkage(3, edges, threshold=0.2) == [0, 0, 0]


def test_singletons_get_their_own_group_numbered_in_order() -> None:
    assert average_linkage(4, [(1, 3, 0.8)], threshold=0.5) == [0, 1, 2, 1]
    assert average_linkage(2, [], threshold=0.5) == [0, 1]


def test_ties_break_the_same_way_every_time() -> None:
    edges = [(0, 1, 0.5), (1, 2, 0.5), (2, 3, 0.5)]
    assert average_linkage(4, edges, 0.3) == average_linkage(4, list(reversed(edges)), 0.3)


def test_the_corpus_groups_its_rewordings() -> None:
    docs = corpus_docs()
    groups = partition(docs, group_documents(docs, model=MODEL))
    fumes = next(group for group in groups if "fumes-1" in group)
    assert {"fumes-1", "fumes-2"} <= fumes
    assert not fumes & {"template-other-estate", "lamp", "manhole", "school", "mixer"}
    assert not any({"lamp", "manhole"} <= group for group in groups)


def test_grouping_is_deterministic_and_independent_of_order() -> None:
    docs = corpus_docs()
    first = group_documents(docs, model=MODEL)
    assert group_documents(docs, model=MODEL) == first
    shuffled = docs[:]
    random.Random(3).shuffle(shuffled)
    assert partition(shuffled, group_documents(shuffled, model=MODEL)) == partition(docs, first)


def test_the_window_keeps_distant_repeats_apart() -> None:
    docs = corpus_docs()
    again = replace(docs[0], doc_id="fumes-1-again", at=START + timedelta(days=400))
    docs.append(again)
    together = partition(docs, group_documents(docs, model=MODEL))
    assert any({"fumes-1", "fumes-1-again"} <= group for group in together)
    options = GroupingOptions(window_days=90)
    apart = partition(docs, group_documents(docs, options, model=MODEL))
    assert not any({"fumes-1", "fumes-1-again"} <= group for group in apart)


def test_progress_is_reported_per_document() -> None:
    docs = corpus_docs()
    seen: list[int] = []
    group_documents(docs, model=MODEL, progress=seen.append)
    assert sum(seen) == len(docs)


def test_without_a_model_one_is_fitted() -> None:
    docs = corpus_docs()
    assert len(group_documents(docs)) == len(docs)
