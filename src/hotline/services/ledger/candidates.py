"""Candidate search: earlier cases on the ledger about the same problem as a new complaint,
each with its problem, score and reasons (hotline.repeats), within the complaint's channel's
time window. Read-only: the facts :func:`hotline.domain.ledger.decide_link` decides on (a
``ProblemCandidate`` is a ``LinkCandidate``), under the ledger lock."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.adapters.db.models import Case, Problem
from hotline.domain.ledger import within_window
from hotline.domain.lifecycle import Status
from hotline.repeats import Candidate, RepeatDocument
from hotline.services.context import Hotline
from hotline.services.ledger.repeat_index import current_index


@dataclass(frozen=True, slots=True)
class ProblemCandidate:
    """An earlier case about the same problem, with why it is thought so."""

    case: str
    problem_id: int
    problem_status: str
    score: float
    text_similarity: float
    decision: str  # link | suggest
    reasons: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _reasons(candidate: Candidate) -> list[dict[str, Any]]:
    return [asdict(reason) for reason in candidate.reasons]


def find_candidates(
    hotline: Hotline,
    session: Session,
    doc: RepeatDocument,
    channel: str | None,
    now: datetime,
) -> list[ProblemCandidate]:
    """Earlier cases on the ledger about the same problem, best first, within the channel's
    time window around the complaint (``doc.at``, else ``now``)."""
    found = current_index(hotline, session, now).query(doc, now=now, exclude={doc.doc_id})
    if not found:
        return []
    cases = {
        case.number: case
        for case in session.scalars(select(Case).where(Case.number.in_([c.doc_id for c in found])))
    }
    window_days = hotline.profile.ledger.window_for(channel)
    statuses = _problem_statuses(session, {c.problem_id for c in cases.values() if c.problem_id})
    return candidates_among(found, cases, statuses, window_days, doc.at or now)


class LedgerCase(Protocol):
    """An earlier case the repeat index found, as the ledger knows it."""

    @property
    def number(self) -> str: ...
    @property
    def problem_id(self) -> int | None: ...
    @property
    def status(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...


def candidates_among(
    found: Sequence[Candidate],
    cases: Mapping[str, LedgerCase],
    problem_statuses: Mapping[int, str],
    window_days: float,
    centre: datetime,
) -> list[ProblemCandidate]:
    """The index's ``found`` (best first) that are on the ledger and within the window around
    ``centre``, with their problems: what :func:`hotline.domain.ledger.decide_link` decides on.
    ``cases`` by number; a caller holding its cases in memory (the demo engine) passes them."""
    result = []
    for candidate in found:
        case = cases.get(candidate.doc_id)
        if case is None or case.problem_id is None or case.status == Status.VOID:
            continue  # not on the ledger
        if not within_window(case.created_at, centre, window_days):
            continue
        result.append(
            ProblemCandidate(
                case=case.number,
                problem_id=case.problem_id,
                problem_status=problem_statuses.get(case.problem_id, ""),
                score=candidate.score,
                text_similarity=candidate.text_similarity,
                decision=candidate.decision.value,
                reasons=_reasons(candidate),
            )
        )
    return result


def _problem_statuses(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(Problem.id, Problem.status).where(Problem.id.in_(ids)))
    return {problem_id: status for problem_id, status in rows}
