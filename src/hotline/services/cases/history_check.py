"""Checking the hash chains of stored case histories (``hotline case verify-history``).

The command line reads no table itself (docs/architecture.md, "Layers"): it asks this service
and prints the answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from hotline.adapters.db.models import Case
from hotline.domain.errors import NotFound
from hotline.services.cases.history import verify_case_history
from hotline.services.context import Hotline


@dataclass(frozen=True)
class BrokenChain:
    """A case whose history does not verify: the first break found and where it is."""

    number: str
    problem: str | None
    seq: int | None


@dataclass(frozen=True)
class HistoryCheck:
    checked: int
    broken: list[BrokenChain]


def verify_histories(hotline: Hotline, number: str | None = None) -> HistoryCheck:
    """Verify one case's history (``number``) or every case's, oldest case first, in one read
    transaction; a number that names no case is refused rather than reported as 0 checked."""
    stmt = select(Case).order_by(Case.id)
    if number:
        stmt = stmt.where(Case.number == number)
    checked = 0
    broken: list[BrokenChain] = []
    with hotline.db.transaction() as session:
        for case in session.scalars(stmt):
            checked += 1
            report = verify_case_history(session, case)
            if not report.ok:
                broken.append(BrokenChain(case.number, report.problem, report.bad_seq))
    if number and checked == 0:
        raise NotFound(f"未找到工单 {number}")
    return HistoryCheck(checked, broken)
