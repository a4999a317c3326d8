"""Suggestions for an operator's draft: the enrichment steps run before a case exists."""

from __future__ import annotations

from datetime import datetime

from hotline.domain.roles import Actor, Permission, require
from hotline.services.cases.enrichment import IntakeDraft, Suggestion, suggest
from hotline.services.context import Hotline


def suggest_for_draft(
    hotline: Hotline, draft: IntakeDraft, actor: Actor, now: datetime
) -> list[Suggestion]:
    """Run the intake enrichment list on ``draft`` as of ``now``, read-only: nothing is created
    or changed."""
    require(actor.role, Permission.CREATE_CASE)
    with hotline.db.transaction() as session:
        return suggest(session, draft, hotline, now)
