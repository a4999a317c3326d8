"""The intake enrichment pipeline: plain functions in one ordered list (DESIGN §6).

The worker runs them after the create transaction commits (the ``enrich`` outbox job); the
operator's form runs the same list synchronously through the suggestion endpoint before a case
exists. Each step reads an :class:`IntakeDraft` and returns suggestions; a suggestion fills a field
only where the operator left it empty. Later capabilities (location, classifier, routing, repeats,
time limits) add their steps to ``STEPS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.adapters.db.models import Case, Category, Region
from hotline.domain.lifecycle import Status
from hotline.services.context import Hotline
from hotline.services.history import append_event


@dataclass
class IntakeDraft:
    channel: str
    content: str
    title: str | None = None
    address: str | None = None
    lon: float | None = None
    lat: float | None = None
    category_code: str | None = None
    district_code: str | None = None


@dataclass
class Suggestion:
    field: str
    value: Any
    confidence: float
    reason: str
    source: str


@dataclass
class Lookups:
    """Reference data the steps read, loaded once per run."""

    regions: list[Region]
    categories: list[Category]
    extra: dict[str, Any] = field(default_factory=dict)


EnrichmentStep = Callable[[IntakeDraft, Lookups], list[Suggestion]]


def district_from_text(draft: IntakeDraft, lookups: Lookups) -> list[Suggestion]:
    """A district or zone named in the address (then the content) locates the case."""
    for text, confidence in ((draft.address or "", 0.9), (draft.content, 0.6)):
        for region in lookups.regions:
            if region.level in ("district", "zone") and region.name in text:
                return [
                    Suggestion(
                        "district_code",
                        region.code,
                        confidence,
                        f"文本含「{region.name}」",
                        "district_from_text",
                    )
                ]
    return []


def category_from_keywords(draft: IntakeDraft, lookups: Lookups) -> list[Suggestion]:
    """Count taxonomy keywords in the text; the best-scoring 小类 is suggested."""
    text = f"{draft.title or ''} {draft.content}"
    scored = []
    for category in lookups.categories:
        if category.level != "minor":
            continue
        hits = [word for word in category.keywords or [] if word in text]
        if hits:
            scored.append((len(hits), category.code, hits))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [
        Suggestion(
            "category_code",
            code,
            min(0.3 + 0.2 * count, 0.9),
            f"关键词：{'、'.join(hits)}",
            "category_from_keywords",
        )
        for count, code, hits in scored[:3]
    ]


STEPS: list[EnrichmentStep] = [district_from_text, category_from_keywords]


def load_lookups(session: Session) -> Lookups:
    return Lookups(
        regions=list(session.scalars(select(Region).order_by(Region.code))),
        categories=list(session.scalars(select(Category).where(Category.active.is_(True)))),
    )


def suggest(session: Session, draft: IntakeDraft) -> list[Suggestion]:
    lookups = load_lookups(session)
    return [suggestion for step in STEPS for suggestion in step(draft, lookups)]


def draft_of(case: Case) -> IntakeDraft:
    return IntakeDraft(
        channel=case.channel_code,
        content=case.content,
        title=case.title,
        address=case.address,
        lon=case.lon,
        lat=case.lat,
        category_code=case.category_code,
        district_code=case.district_code,
    )


def _apply(case: Case, suggestions: list[Suggestion]) -> dict[str, Any]:
    applied: dict[str, Any] = {}
    for suggestion in suggestions:
        if suggestion.field in applied or getattr(case, suggestion.field) is not None:
            continue
        setattr(case, suggestion.field, suggestion.value)
        applied[suggestion.field] = suggestion.value
    return applied


def enrich_case(hotline: Hotline, case_id: int, now: datetime) -> dict[str, Any]:
    """The ``enrich`` job: run every step on a stored case and fill the empty fields."""
    with hotline.db.transaction() as session:
        case = session.get(Case, case_id, with_for_update=True)
        if case is None or case.status not in (Status.RECEIVED, Status.REGISTERED):
            return {}
        suggestions = suggest(session, draft_of(case))
        applied = _apply(case, suggestions)
        case.updated_at = now
        append_event(
            session,
            case,
            action="enrich",
            actor="system",
            at=now,
            from_status=case.status,
            to_status=case.status,
            details={"applied": applied, "suggestions": [s.__dict__ for s in suggestions]},
        )
        return applied
