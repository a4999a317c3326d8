"""The online index: candidate earlier cases for a new complaint.

The database is the truth; an index is a per-process cache of the open cases, rebuilt from the
database at start (:meth:`RepeatIndex.build`) and kept current by replaying a change log
(:meth:`RepeatIndex.catch_up`): every transaction that opens, edits or closes a case appends
``(seq, case id, document or removal)`` to a log, and each process applies what it has not
seen. Changes carry their log position ``seq``; the index remembers, per document, the last
position applied (removals included), so replaying a stretch of the log twice, or in a window
that overlaps the last one, changes nothing. Reading with a ``lookback`` covers transactions
that took a log position before others but committed after them.

The index only proposes; the decision to link must be taken under a lock held in the database
(see docs/repeats.md, "Several processes"), after catching up, so that two intakes of one new
problem end in one problem.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import numpy as np

from hotline.repeats.scoring import (
    SECONDS_PER_DAY,
    Candidate,
    DocFacts,
    RepeatDocument,
    RepeatPolicy,
    Scored,
    decide,
    document_text,
    profile,
    score_pair,
)
from hotline.repeats.store import SearchWindow, VectorStore
from hotline.repeats.vectors import TextModel, rows_to_csr

SCORED_PER_RESULT = 2  # text neighbours re-scored per candidate returned: places reorder them
MIN_SCORED = 20


@dataclass(frozen=True, slots=True)
class IndexChange:
    """One entry of the change log: ``doc`` None means the case left the open set."""

    seq: int
    doc_id: str
    doc: RepeatDocument | None


class ChangeFeed(Protocol):
    def changes_since(self, seq: int) -> Iterable[IndexChange]:
        """Log entries with a position above ``seq``, in ascending order of position."""
        ...


class RepeatIndex:
    """Open cases, searchable for repeats of a new complaint; safe to share between threads."""

    def __init__(self, model: TextModel, policy: RepeatPolicy | None = None) -> None:
        self.model = model
        self.policy = policy or RepeatPolicy()
        self._store = VectorStore(model.config.n_features)
        self._facts: dict[str, DocFacts] = {}
        self._applied: dict[str, int] = {}  # doc id → log position last applied to it
        self._watermark = 0
        self._lock = threading.RLock()

    @classmethod
    def build(
        cls,
        docs: Iterable[RepeatDocument],
        *,
        model: TextModel | None = None,
        policy: RepeatPolicy | None = None,
        watermark: int = 0,
    ) -> RepeatIndex:
        """An index of ``docs`` (the open cases as of log position ``watermark``).

        Without a ``model`` the IDF table is fitted on ``docs``; share a fitted model between
        processes instead (:meth:`TextModel.to_bytes`), so that all of them score alike.
        """
        latest = {doc.doc_id: doc for doc in docs}  # a repeated id: the last one wins
        if model is None:
            config = TextModel.default_config()
            model = TextModel.fit([document_text(doc, config) for doc in latest.values()], config)
        index = cls(model, policy)
        index._load(list(latest.values()))
        index._watermark = watermark
        return index

    def _load(self, docs: list[RepeatDocument]) -> None:
        """Vectorise everything first and build the main segment once (no merge per batch)."""
        profiles = [profile(doc, self.model) for doc in docs]
        self._facts = {item.facts.doc_id: item.facts for item in profiles}
        rows = [item.row for item in profiles]
        times = [item.facts.at_ts for item in profiles]
        self._store.bulk_load(
            [doc.doc_id for doc in docs],
            rows_to_csr(rows, self.model.config.n_features),
            np.array([np.nan if at is None else at for at in times], dtype=float),
        )

    @property
    def watermark(self) -> int:
        """The highest log position applied."""
        return self._watermark

    def __len__(self) -> int:
        return len(self._store)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._store

    def add(self, doc: RepeatDocument) -> None:
        """Add or replace an open case (outside the log: tests, one-process tools)."""
        with self._lock:
            self._put(doc)

    def remove(self, doc_id: str) -> bool:
        with self._lock:
            self._facts.pop(doc_id, None)
            return self._store.remove(doc_id)

    def apply(self, changes: Iterable[IndexChange]) -> int:
        """Apply log entries in order; an entry older than what a document has seen is skipped.

        Returns how many entries changed the index.
        """
        applied = 0
        with self._lock:
            for change in changes:
                if change.seq <= self._applied.get(change.doc_id, -1):
                    continue
                self._applied[change.doc_id] = change.seq
                self._watermark = max(self._watermark, change.seq)
                if change.doc is None:
                    self._facts.pop(change.doc_id, None)
                    self._store.remove(change.doc_id)
                else:
                    self._put(change.doc)
                applied += 1
        return applied

    def catch_up(self, feed: ChangeFeed, lookback: int = 0) -> int:
        """Apply what the log holds above the watermark (minus ``lookback`` positions)."""
        with self._lock:
            return self.apply(feed.changes_since(max(0, self._watermark - lookback)))

    def _put(self, doc: RepeatDocument) -> None:
        item = profile(doc, self.model)
        self._facts[doc.doc_id] = item.facts
        self._store.add(doc.doc_id, item.row, item.facts.at_ts)

    def query(
        self,
        doc: RepeatDocument,
        *,
        now: datetime | None = None,
        k: int | None = None,
        exclude: Collection[str] = (),
    ) -> list[Candidate]:
        """Candidates for ``doc``, best first: those scoring at least the suggest threshold.

        The time window is centred on ``doc.at`` (else ``now``; with neither, no window).
        """
        limit = k or self.policy.top_k
        query = profile(doc, self.model)
        window = self._window(doc.at or now)
        with self._lock:
            hits = self._store.nearest(
                query.row, max(MIN_SCORED, SCORED_PER_RESULT * limit), window
            )
            candidates = [
                candidate
                for doc_id, similarity in hits
                if doc_id != doc.doc_id and doc_id not in exclude
                for candidate in self._candidate(query, doc_id, similarity)
            ]
        candidates.sort(key=lambda candidate: (-candidate.score, candidate.doc_id))
        return candidates[:limit]

    def _window(self, centre: datetime | None) -> SearchWindow | None:
        if centre is None or self.policy.window_days is None:
            return None
        if centre.tzinfo is None:
            raise ValueError("now/at 必须带时区")
        return SearchWindow(centre.timestamp(), self.policy.window_days * SECONDS_PER_DAY)

    def _candidate(self, query: Scored, doc_id: str, similarity: float) -> list[Candidate]:
        other = Scored(self._facts[doc_id], self._store.row(doc_id))
        score, reasons = score_pair(query, other, similarity, self.policy)
        decision = decide(score, self.policy)
        if decision is None:
            return []
        return [Candidate(doc_id, round(score, 4), round(similarity, 4), decision, reasons)]
