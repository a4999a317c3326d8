"""The intake enrichment pipeline: plain functions in one ordered list (docs/architecture.md).

The worker runs them after the create transaction commits (the ``enrich`` outbox job); the
operator's form runs the same list synchronously through the suggestion endpoint before a case
exists. Each step reads an :class:`IntakeDraft` and returns suggestions; a suggestion fills a field
only where the operator left it empty. The steps run in order and each later step sees the fields
the earlier ones suggested (routing needs the located district and the suggested category).
Later capabilities (classifier, repeats, time limits) add their steps to ``STEPS``.

Location (``locate_place``) resolves coordinates and the address (then the content) to district,
street and community; routing (``route_suggestion``) proposes lead unit, co-units and the
sub-dispatch chain with the rule that fired. A route is advice for the dispatcher: it is recorded
in the ``enrich`` event (so returns can be counted per rule) but never dispatches by itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.adapters.db.models import Case, Category, Region
from hotline.domain.lifecycle import Status
from hotline.geo.locator import Location, Locator
from hotline.repeats import RepeatDocument
from hotline.services.cases.history import append_event
from hotline.services.classifier.deployment import active_model, model_guesses, model_text
from hotline.services.classifier.feedback import record_suggestion
from hotline.services.context import Hotline
from hotline.services.ledger.candidates import ProblemCandidate, find_candidates
from hotline.services.ledger.problems import link_at_intake
from hotline.services.ledger.repeat_index import caller_key
from hotline.services.reference.routing import Place as RoutePlace
from hotline.services.reference.routing import (
    RoutingContext,
    cached_context,
    locator_for,
    place_of,
    route_place,
)

# Fields a suggestion may fill on a stored case; others (a route) are advice only.
CASE_FIELDS = ("district_code", "street_code", "community_code", "category_code")


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
    coord_system: str | None = None
    street_code: str | None = None
    community_code: str | None = None
    urgency: str | None = None
    caller_phone: str | None = None
    number: str | None = None  # a stored case's own number: never its own repeat


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


LOCATE_CONFIDENCE = {
    "coordinates": 0.95,
    "coordinates+address": 0.95,
    "address": 0.9,
    "address_partial": 0.75,
}


def _located(draft: IntakeDraft, locator: Locator) -> tuple[Location, float]:
    """Coordinates and address first; the complaint's content only when they say nothing."""
    crs = draft.coord_system or "wgs84"
    location = locator.locate(draft.address or None, draft.lon, draft.lat, crs)
    if location.district is None and draft.lon is None and draft.content:
        location = locator.locate(draft.content)
        return location, 0.6 * LOCATE_CONFIDENCE.get(location.method, 0.0)
    return location, LOCATE_CONFIDENCE.get(location.method, 0.0)


def _location_reason(location: Location) -> str:
    names = [p.name for p in (location.district, location.street, location.community) if p]
    reason = "定位：" + " / ".join(names) + f"（{location.method}）"
    if location.candidates:
        reason += "；候选：" + "、".join(p.name for p in location.candidates[:5])
    return reason


def locate_place(draft: IntakeDraft, lookups: Lookups) -> list[Suggestion]:
    """District, street and community from coordinates, address or content (geo.Locator)."""
    locator = lookups.extra.get("locator")
    if not isinstance(locator, Locator):
        return district_from_text(draft, lookups)
    location, confidence = _located(draft, locator)
    place = place_of(location)
    if draft.district_code and place.district != draft.district_code:
        return []  # the operator placed it elsewhere: a street from the text would contradict
    reason = _location_reason(location)
    names = ("district_code", "street_code", "community_code")
    found = zip(names, place.__dict__.values(), strict=True)
    return [
        Suggestion(name, value, confidence, reason, "locate_place")
        for name, value in found
        if value is not None
    ]


def route_suggestion(draft: IntakeDraft, lookups: Lookups) -> list[Suggestion]:
    """Lead unit, co-units and sub-dispatch chain by the routing rules (domain.routing)."""
    ctx = lookups.extra.get("routing")
    if not isinstance(ctx, RoutingContext) or not draft.category_code:
        return []
    place = RoutePlace(draft.district_code, draft.street_code, draft.community_code)
    result = route_place(
        ctx, draft.category_code, place, channel=draft.channel, urgency=draft.urgency
    )
    if not result["routed"]:
        return []
    value = {
        "lead": result["lead"]["code"],
        "co_units": [unit["code"] for unit in result["co_units"]],
        "sub_dispatch": [unit["code"] for unit in result["sub_dispatch"]],
        "rule": result["rule"]["id"],
    }
    confidence = 0.8 if result["place"]["district_code"] else 0.4
    return [Suggestion("route", value, confidence, "；".join(result["reasons"]), "route")]


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


def category_from_model(draft: IntakeDraft, lookups: Lookups) -> list[Suggestion]:
    """The deployed classifier's top categories, mapped to taxonomy codes, with confidence."""
    deployed = lookups.extra.get("classifier")
    if deployed is None:
        return []
    codes = {category.code for category in lookups.categories}
    version = deployed[0].version
    return [
        Suggestion(
            "category_code",
            guess.code,
            round(guess.probability, 4),
            f"模型 {version}：{guess.label}",
            "category_from_model",
        )
        for guess in model_guesses(deployed, codes, model_text(draft.title, draft.content))
        if guess.code is not None
    ]


def repeat_candidates(draft: IntakeDraft, lookups: Lookups) -> list[Suggestion]:
    """Earlier cases about the same problem (services.problem_ledger), best first. The decision
    to link is taken apart, under the ledger lock; this is what the operator is shown."""
    finder = lookups.extra.get("repeats")
    if not callable(finder):
        return []
    candidates: list[ProblemCandidate] = finder(draft)
    if not candidates:
        return []
    best = candidates[0]
    verdict = "同一问题，将自动归并" if best.decision == "link" else "疑似同一问题，请确认"
    shown = "；".join(reason["text"] for reason in best.reasons[:4])
    value = {
        "problem_id": best.problem_id,
        "decision": best.decision,
        "candidates": [candidate.as_dict() for candidate in candidates[:5]],
    }
    reason = f"{verdict}：工单 {best.case}（{shown}）"
    return [Suggestion("problem", value, best.score, reason, "repeats")]


STEPS: list[EnrichmentStep] = [
    locate_place,
    category_from_model,
    category_from_keywords,
    route_suggestion,
    repeat_candidates,
]


def _draft_document(draft: IntakeDraft) -> RepeatDocument:
    return RepeatDocument(
        doc_id=draft.number or "",
        text=draft.content,
        title=draft.title or "",
        street_code=draft.street_code,
        community_code=draft.community_code,
        lon=draft.lon,
        lat=draft.lat,
        category_code=draft.category_code,
        caller_key=caller_key(draft.caller_phone),
    )


def load_lookups(session: Session, hotline: Hotline, now: datetime) -> Lookups:
    """Reference data for one run: regions, categories, the locator, the routing context, the
    deployed model, and earlier cases that may be the same problem as of ``now`` (the repeats
    step's time window ends there)."""
    rows = hotline.reference.get("enrichment", lambda: _reference_rows(session))
    assert isinstance(rows, Lookups)
    extra = {
        "locator": locator_for(hotline),
        "routing": cached_context(session, hotline),
        "classifier": active_model(hotline),
        "repeats": lambda draft: find_candidates(
            hotline, session, _draft_document(draft), draft.channel, now
        ),
    }
    return Lookups(regions=rows.regions, categories=rows.categories, extra=extra)


def _reference_rows(session: Session) -> Lookups:
    # Loaded rows outlive their session (expire_on_commit=False): the cache hands them on read-only.
    return Lookups(
        regions=list(session.scalars(select(Region).where(Region.level.in_(("district", "zone"))))),
        categories=list(session.scalars(select(Category).where(Category.active.is_(True)))),
    )


def _fold(draft: IntakeDraft, suggestions: list[Suggestion]) -> None:
    """Let later steps see what earlier ones found, in the fields the operator left empty."""
    for suggestion in suggestions:
        if hasattr(draft, suggestion.field) and getattr(draft, suggestion.field) is None:
            setattr(draft, suggestion.field, suggestion.value)


def suggest(
    session: Session, draft: IntakeDraft, hotline: Hotline, now: datetime
) -> list[Suggestion]:
    """Run every step in order on a copy of ``draft`` as of ``now``; the operator's own values
    are kept."""
    return run_steps(draft, load_lookups(session, hotline, now))


def run_steps(draft: IntakeDraft, lookups: Lookups) -> list[Suggestion]:
    working = replace(draft)
    found: list[Suggestion] = []
    for step in STEPS:
        suggestions = step(working, lookups)
        _fold(working, suggestions)
        found += suggestions
    return found


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
        coord_system=case.coord_system,
        street_code=case.street_code,
        community_code=case.community_code,
        urgency=case.urgency,
        caller_phone=case.caller_phone,
        number=case.number,
    )


def _apply(case: Case, suggestions: list[Suggestion]) -> dict[str, Any]:
    applied: dict[str, Any] = {}
    for suggestion in suggestions:
        if suggestion.field not in CASE_FIELDS or suggestion.field in applied:
            continue
        if getattr(case, suggestion.field) is not None:
            continue
        setattr(case, suggestion.field, suggestion.value)
        applied[suggestion.field] = suggestion.value
    return applied


def _record_model_suggestion(
    session: Session, case: Case, draft: IntakeDraft, lookups: Lookups, now: datetime
) -> None:
    """Keep the model's guesses queryable for production accuracy (``hotline classifier
    report``). The model runs again here, on the operator's text as stored, because the step
    above leaves unmapped labels out; a prediction costs well under a millisecond."""
    deployed = lookups.extra.get("classifier")
    if deployed is None:
        return
    codes = {category.code for category in lookups.categories}
    guesses = model_guesses(deployed, codes, model_text(draft.title, draft.content))
    record_suggestion(session, case, deployed[0].version, guesses, now)


def enrich_case(hotline: Hotline, case_id: int, now: datetime) -> dict[str, Any]:
    """The ``enrich`` job: run every step on a stored case and fill the empty fields."""
    with hotline.db.transaction() as session:
        case = session.get(Case, case_id, with_for_update=True)
        if case is None or case.status not in (Status.RECEIVED, Status.REGISTERED):
            return {}
        lookups = load_lookups(session, hotline, now)
        draft = draft_of(case)
        suggestions = run_steps(draft, lookups)
        applied = _apply(case, suggestions)
        _record_model_suggestion(session, case, draft, lookups, now)
        case.updated_at = now
        ledger = link_at_intake(hotline, session, case, now)
        append_event(
            session,
            case,
            action="enrich",
            actor="system",
            at=now,
            from_status=case.status,
            to_status=case.status,
            details={
                "applied": applied,
                "suggestions": [s.__dict__ for s in suggestions],
                **({"problem": ledger} if ledger else {}),
            },
        )
        return applied
