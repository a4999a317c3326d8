"""The case text-search index kept and checked: ``hotline search rebuild`` and ``check``.

Every write path keeps a case's search terms with the case (adapters/db/case_search.py); a
rebuild is for what bypassed them (a bulk load outside the application, a restored table) and
for a change of the tokenizer. It works in batches, one short transaction each, so the lists
stay usable meanwhile; a case written during a rebuild gets its terms from its own write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hotline.adapters.db.case_search import (
    REBUILD_BATCH,
    fts_intact,
    rebuild_batch,
    stale_case_ids,
)
from hotline.services.context import Hotline


def rebuild_search_index(
    hotline: Hotline,
    *,
    batch_size: int = REBUILD_BATCH,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Recompute every case's search terms; returns how many cases were done."""
    done, after_id = 0, 0
    while True:
        with hotline.db.transaction() as session:
            count, after_id = rebuild_batch(session.connection(), after_id, batch_size)
        if not count:
            return done
        done += count
        if progress is not None:
            progress(done)


@dataclass(frozen=True)
class SearchIndexCheck:
    stale_case_ids: list[int]  # terms missing or unlike a recomputation
    fts_intact: bool  # SQLite's FTS5 table agrees with cases (always true elsewhere)

    @property
    def ok(self) -> bool:
        return not self.stale_case_ids and self.fts_intact


def check_search_index(hotline: Hotline) -> SearchIndexCheck:
    """Whether every case's stored terms equal a recomputation from its text."""
    with hotline.db.transaction() as session:
        connection = session.connection()
        return SearchIndexCheck(stale_case_ids(connection), fts_intact(connection))
