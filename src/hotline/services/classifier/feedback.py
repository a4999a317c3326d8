"""Recording, per case, what the classifier suggested and what the centre chose at 立案.

Both writers run inside a transaction that already holds the case's row lock (the ``enrich`` job
and ``perform_action``), so the get-or-create of the one row per case cannot race. The final
category after re-sorting is not copied here: it is the case's own ``category_code``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from hotline.adapters.db.models import Case, CaseClassification

if TYPE_CHECKING:  # the register action needs no numpy
    from hotline.services.classifier.deployment import ModelGuess


def _row(session: Session, case: Case) -> CaseClassification:
    row = session.get(CaseClassification, case.id)
    if row is None:
        row = CaseClassification(case_id=case.id, suggestions=[])
        session.add(row)
    return row


def _code_at(guesses: Sequence[ModelGuess], rank: int) -> str | None:
    return next((guess.code for guess in guesses if guess.rank == rank), None)


def record_suggestion(
    session: Session, case: Case, model_version: str, guesses: Sequence[ModelGuess], now: datetime
) -> None:
    """The model's first guesses for the case (a repeated enrichment replaces them)."""
    row = _row(session, case)
    row.model_version = model_version
    row.suggested_at = now
    row.top1_code, row.top2_code, row.top3_code = (_code_at(guesses, rank) for rank in (1, 2, 3))
    row.top1_probability = guesses[0].probability if guesses else None
    row.suggestions = [
        {"rank": g.rank, "label": g.label, "code": g.code, "probability": round(g.probability, 4)}
        for g in guesses
    ]


def record_registration(session: Session, case: Case, actor_name: str, now: datetime) -> None:
    """The category the case was registered (立案) with: the operator's choice, whether it
    kept the model's suggestion or overrode it."""
    row = _row(session, case)
    row.registered_code = case.category_code
    row.registered_by = actor_name
    row.registered_at = now
