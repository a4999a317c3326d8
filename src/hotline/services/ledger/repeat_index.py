"""Each process's in-memory repeat index, kept true to the database (docs/problems.md).

The database is the truth; the index is a per-process cache of the cases on the ledger (linked
to a problem, not void) received within the widest time window. Its change log is the
``problem_links`` audit table itself: every automatic or manual link, unlink and import writes a
row there in the same transaction as the change, so replaying the rows above the index's
watermark (with a lookback for rows that took an id before others but committed after them)
brings any process up to date. A row stands for its case *as it is now*: void or unlinked cases
leave the index, others are (re)put with their current text, place and category. Every writer
of the log holds the ledger lock until it commits, so the log's ids follow commit order.

All processes load the same stored text model (``repeat_models``, newest row), so they score a
pair alike. The index is rebuilt after ``REBUILD_AFTER`` (which also drops cases that have aged
out of the window and refits the model when the archive has doubled since the last fit).
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.adapters.db.database import Database
from hotline.adapters.db.models import Case, ProblemLink, RepeatModel
from hotline.domain.lifecycle import Status
from hotline.profile import LedgerSpec
from hotline.repeats import IndexChange, RepeatDocument, RepeatIndex, RepeatPolicy, TextModel
from hotline.services.context import Hotline

REBUILD_AFTER = timedelta(hours=24)
# Link rows replayed again on every catch-up, for rows that took an id before others but
# committed after them (PostgreSQL sequences). Every writer of problem_links holds the ledger
# lock until it commits (problem_ledger.lock_ledger), so ids are taken in commit order and none
# is needed; a writer that bypassed the lock would need one.
LOOKBACK = 0
FIT_LIMIT = 50_000  # cases the IDF table is fitted on at most (the newest)


def caller_key(phone: str | None) -> str | None:
    """A pseudonymous key of the caller: the index never holds a phone number."""
    if not phone:
        return None
    digits = "".join(ch for ch in phone if ch.isdigit()) or phone
    return hashlib.sha256(digits.encode()).hexdigest()[:16]


def document_of(case: Case) -> RepeatDocument:
    return RepeatDocument(
        doc_id=case.number,
        text=case.content,
        title=case.title or "",
        at=case.created_at,
        street_code=case.street_code,
        community_code=case.community_code,
        lon=case.lon,
        lat=case.lat,
        category_code=case.category_code,
        caller_key=caller_key(case.caller_phone),
    )


def policy_of(spec: LedgerSpec) -> RepeatPolicy:
    """The index searches the widest window; each channel's own window is applied after."""
    return RepeatPolicy(
        link_threshold=spec.link_threshold,
        suggest_threshold=min(spec.suggest_threshold, spec.link_threshold),
        window_days=spec.widest_window_days,
        radius_m=spec.radius_m,
        other_category_factor=spec.other_category_factor,
    )


def on_ledger(case: Case | None) -> bool:
    return case is not None and case.problem_id is not None and case.status != Status.VOID


@dataclass
class LinkFeed:
    """The ``problem_links`` table read as the index's change log."""

    session: Session

    def changes_since(self, seq: int) -> Iterator[IndexChange]:
        rows = self.session.execute(
            select(ProblemLink.id, Case)
            .join(Case, Case.id == ProblemLink.case_id)
            .where(ProblemLink.id > seq)
            .order_by(ProblemLink.id)
        )
        for link_id, case in rows:
            yield IndexChange(link_id, case.number, document_of(case) if on_ledger(case) else None)


def _stored_model(session: Session) -> RepeatModel | None:
    return session.scalars(select(RepeatModel).order_by(RepeatModel.id.desc()).limit(1)).first()


def _fit(session: Session, now: datetime) -> TextModel:
    recent = select(Case.title, Case.content).where(Case.status != Status.VOID)
    rows = session.execute(recent.order_by(Case.id.desc()).limit(FIT_LIMIT))
    texts = [f"{title or ''} {content}" for title, content in rows]
    model = TextModel.fit(texts)
    session.add(
        RepeatModel(
            fingerprint=model.fingerprint,
            n_docs=model.n_docs,
            data=model.to_bytes(),
            created_at=now,
        )
    )
    session.flush()
    return model


def load_model(session: Session, now: datetime) -> TextModel:
    """The newest stored model; a new one is fitted when there is none or the archive has
    doubled since (a deployment starts with few cases, and a table fitted on them ages fast)."""
    stored = _stored_model(session)
    archive = session.scalar(select(func.count()).select_from(Case)) or 0
    if stored is None or min(archive, FIT_LIMIT) >= 2 * max(stored.n_docs, 50):
        return _fit(session, now)
    return TextModel.from_bytes(stored.data)


def build_index(session: Session, spec: LedgerSpec, now: datetime) -> RepeatIndex:
    """The ledger's cases within the widest window, as of the current head of the link log."""
    head = session.scalar(select(func.max(ProblemLink.id))) or 0
    since = now - timedelta(days=spec.widest_window_days)
    cases = session.scalars(
        select(Case).where(
            Case.problem_id.is_not(None), Case.status != Status.VOID, Case.created_at >= since
        )
    )
    return RepeatIndex.build(
        (document_of(case) for case in cases),
        model=load_model(session, now),
        policy=policy_of(spec),
        watermark=head,
    )


@dataclass
class _Slot:
    index: RepeatIndex | None = None
    built_at: datetime | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


_SLOTS: weakref.WeakKeyDictionary[Database, _Slot] = weakref.WeakKeyDictionary()
_SLOTS_LOCK = threading.Lock()


def _slot(db: Database) -> _Slot:
    with _SLOTS_LOCK:
        slot = _SLOTS.get(db)
        if slot is None:
            slot = _SLOTS[db] = _Slot()
        return slot


def current_index(hotline: Hotline, session: Session, now: datetime) -> RepeatIndex:
    """This process's index for the database, caught up with the link log as ``session`` sees it.

    Called under the ledger lock, it sees every automatic link committed before.
    """
    slot = _slot(hotline.db)
    with slot.lock:
        stale = slot.built_at is None or now - slot.built_at > REBUILD_AFTER
        if slot.index is None or stale:
            slot.index = build_index(session, hotline.profile.ledger, now)
            slot.built_at = now
        index = slot.index
    index.catch_up(LinkFeed(session), lookback=LOOKBACK)
    return index


def forget_index(hotline: Hotline) -> None:
    """Drop this process's index (tests; after a bulk change an operator wants seen at once)."""
    with _SLOTS_LOCK:
        _SLOTS.pop(hotline.db, None)
