"""The score of a candidate repeat, and the reasons for it.

The text carries the match; every other signal only multiplies it, so that a caller who rings
about two different things in one street is not matched by the circumstances alone:

* complaints that name the same place (魅力之城, 茶场村五组) are compared on their *topic*:
  the cosine after removing the grams of the place names, times ``shared_place_factor``. The
  place is then counted once, as a place, and not again through its name's characters, so
  oil fumes and cracked floors in one estate stay apart while rewordings about the fumes meet;
* otherwise on the full text cosine, reduced when their titles name different districts or
  different places (one template, two estates);
* then multiplied by location (same community or street, distance), category and caller.

Every factor applied is reported as a :class:`Reason` with a stable code for programs and a
Chinese text for people. ``score = min(1, …)``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import numpy as np

from hotline.repeats.places import (
    ADMIN_CODE,
    PlaceComparison,
    Places,
    compare_places,
    extract_places,
    is_area,
)
from hotline.repeats.vectors import (
    FloatArray,
    IntArray,
    SparseRow,
    TextConfig,
    TextModel,
    compose_text,
    gram_features,
    prepared_text,
)

EARTH_RADIUS_M = 6_371_000.0
SECONDS_PER_DAY = 86_400.0
PLACE_CHARS = 400  # letters name their place early; the rest is not searched for names
# Characters either side of a place name whose grams are masked with it: "城小" of "魅力之城小区"
# goes, "城小区" stays. Masking two (all grams touching the name) left long letters about one
# estate with too little in common; none let two topics in one estate look alike (measured).
PLACE_PAD = 1


@dataclass(frozen=True, slots=True)
class RepeatDocument:
    """One complaint as the similarity engine sees it; only ``doc_id`` and ``text`` are needed.

    ``caller_key`` is any stable pseudonymous key of the caller (a hash of the phone number,
    a user id), never the raw number. ``at`` must be timezone-aware.
    """

    doc_id: str
    text: str
    title: str = ""
    at: datetime | None = None
    street_code: str | None = None
    community_code: str | None = None
    lon: float | None = None
    lat: float | None = None
    category_code: str | None = None
    caller_key: str | None = None


@dataclass(frozen=True, slots=True)
class RepeatPolicy:
    """Thresholds and signal factors; the defaults are the ones measured in docs/repeats.md."""

    link_threshold: float = 0.5  # at or above: link automatically
    suggest_threshold: float = 0.2  # at or above (and below link): suggest to the operator
    window_days: float | None = 90.0  # candidates further apart in time are not considered
    top_k: int = 10
    radius_m: float = 300.0  # "near": within this distance
    far_m: float = 3_000.0  # "far": beyond this distance
    shared_place_factor: float = 5.5  # times the topic similarity (place names removed)
    shared_area_factor: float = 3.0  # the same, when the shared name is a town, street or road
    place_conflict_factor: float = 0.15
    district_conflict_factor: float = 0.4
    same_community_factor: float = 1.3
    same_street_factor: float = 1.15
    other_street_factor: float = 0.6
    near_factor: float = 1.3  # at distance 0; falls linearly to 1 at radius_m
    far_factor: float = 0.6
    same_category_factor: float = 1.1
    # Both categorised, differently: 1.0 (no effect) for files without trustworthy categories;
    # the ledger sets its own (city profile), since a manhole and a barbecue stall at one estate
    # gate share place and wording but not their category.
    other_category_factor: float = 1.0
    same_caller_factor: float = 1.25

    def __post_init__(self) -> None:
        if not 0 < self.suggest_threshold <= self.link_threshold <= 1:
            raise ValueError("需要 0 < suggest_threshold ≤ link_threshold ≤ 1")
        if self.window_days is not None and self.window_days < 0:
            raise ValueError("window_days 不能为负数")


class Decision(StrEnum):
    LINK = "link"
    SUGGEST = "suggest"


@dataclass(frozen=True, slots=True)
class Reason:
    code: str  # stable, for programs: text, same_place, same_caller, …
    text: str  # for people: "文本相似度 0.82", "同一社区"
    factor: float = 1.0  # what it multiplied the score by (1.0: information only)


@dataclass(frozen=True, slots=True)
class Candidate:
    doc_id: str
    score: float
    text_similarity: float
    decision: Decision
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class DocFacts:
    """What the scorer keeps of a document besides its vector."""

    doc_id: str
    at_ts: float | None
    places: Places
    street_code: str | None
    community_code: str | None
    lon: float | None
    lat: float | None
    category_code: str | None
    caller_key: str | None
    place_grams: IntArray  # grams touching a place name or district in the text, ascending


@dataclass(frozen=True, slots=True)
class Scored:
    """A document ready to be scored: its facts and its unit vector."""

    facts: DocFacts
    row: SparseRow


def document_text(doc: RepeatDocument, config: TextConfig) -> str:
    """The text a complaint is compared on (its title counted ``title_weight`` times)."""
    return compose_text(doc.title, doc.text, config.title_weight)


def facts_of(doc: RepeatDocument, prepared: str, config: TextConfig) -> DocFacts:
    """The facts of ``doc``; ``prepared`` is its prepared text (what its vector is made of)."""
    if doc.at is not None and doc.at.tzinfo is None:
        raise ValueError(f"{doc.doc_id}: at 必须带时区")
    places = extract_places(doc.title, doc.text[:PLACE_CHARS])
    return DocFacts(
        doc_id=doc.doc_id,
        at_ts=doc.at.timestamp() if doc.at else None,
        places=places,
        street_code=doc.street_code or None,
        community_code=doc.community_code or None,
        lon=doc.lon,
        lat=doc.lat,
        category_code=doc.category_code or None,
        caller_key=doc.caller_key or None,
        place_grams=grams_near_places(prepared, places, config),
    )


def grams_near_places(prepared: str, places: Places, config: TextConfig) -> IntArray:
    """The grams of every place name and district code where it occurs in the text, with the
    grams that straddle its edges (see ``PLACE_PAD``): two letters about one estate share "城小"
    of "魅力之城小区" whatever their topic."""
    pad = PLACE_PAD
    spans = [match.span() for match in ADMIN_CODE.finditer(prepared)]
    for name in places.names:
        start = prepared.find(name)
        while start >= 0:
            spans.append((start, start + len(name)))
            start = prepared.find(name, start + 1)
    if not spans:
        return np.zeros(0, dtype=np.int64)
    windows = " ".join(prepared[max(0, start - pad) : end + pad] for start, end in spans)
    return np.unique(gram_features(windows, config))  # no gram spans the joining spaces


def profile(doc: RepeatDocument, model: TextModel) -> Scored:
    """A document ready to be scored: facts and vector from one preparation of its text."""
    prepared = prepared_text(document_text(doc, model.config), model.config)
    return Scored(facts_of(doc, prepared, model.config), model.prepared_row(prepared))


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance (haversine); metres are all a radius check needs."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi, half_dlambda = (phi2 - phi1) / 2, math.radians(lon2 - lon1) / 2
    h = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, h)))


def within_window(first: float | None, second: float | None, window_days: float | None) -> bool:
    """Unknown times never exclude a candidate; a window of None means no window."""
    if window_days is None or first is None or second is None:
        return True
    return abs(first - second) <= window_days * SECONDS_PER_DAY


def topic_similarity(
    first: SparseRow, second: SparseRow, text_similarity: float, masked: IntArray
) -> float:
    """The cosine of two unit rows without the ``masked`` features, from their full cosine.

    Only the few masked entries are looked up: the dot product loses their products, and each
    norm loses their squares.
    """
    masked_first, masked_second = _weights_at(first, masked), _weights_at(second, masked)
    dot = text_similarity - float(np.dot(masked_first, masked_second))
    norms = (1.0 - float(np.dot(masked_first, masked_first))) * (
        1.0 - float(np.dot(masked_second, masked_second))
    )
    return max(0.0, dot) / math.sqrt(norms) if norms > 1e-9 else 0.0


def _weights_at(row: SparseRow, features: IntArray) -> FloatArray:
    """The row's weights at ``features`` (0 where absent); the row's features are ascending."""
    own, weights = row
    if len(own) == 0:
        return np.zeros(len(features), dtype=np.float32)
    position = np.minimum(np.searchsorted(own, features), len(own) - 1)
    return np.where(own[position] == features, weights[position], 0.0).astype(np.float32)


def _place_reasons(
    comparison: PlaceComparison, topic: float | None, policy: RepeatPolicy
) -> list[Reason]:
    if comparison.shared is not None and topic is not None:
        text = f"同一地点「{comparison.shared}」，去掉地名后相似度 {topic:.2f}"
        if is_area(comparison.shared):
            return [Reason("same_area", text, policy.shared_area_factor)]
        return [Reason("same_place", text, policy.shared_place_factor)]
    reasons = []
    if comparison.other_district:
        reasons.append(
            Reason("other_district", "标题中的区县不同", policy.district_conflict_factor)
        )
    if comparison.other_place:
        reasons.append(Reason("other_place", "标题中的地点不同", policy.place_conflict_factor))
    return reasons


def _area_reason(query: DocFacts, other: DocFacts, policy: RepeatPolicy) -> Reason | None:
    if query.community_code and query.community_code == other.community_code:
        return Reason("same_community", "同一社区", policy.same_community_factor)
    if query.street_code and other.street_code:
        if query.street_code == other.street_code:
            return Reason("same_street", "同一街道", policy.same_street_factor)
        return Reason("other_street", "不同街道", policy.other_street_factor)
    return None


def _distance_reason(query: DocFacts, other: DocFacts, policy: RepeatPolicy) -> Reason | None:
    if query.lon is None or query.lat is None or other.lon is None or other.lat is None:
        return None
    metres = distance_m(query.lon, query.lat, other.lon, other.lat)
    if metres <= policy.radius_m:
        closeness = 1.0 - metres / policy.radius_m if policy.radius_m else 1.0
        return Reason("near", f"相距 {metres:.0f} 米", 1.0 + (policy.near_factor - 1) * closeness)
    if metres >= policy.far_m:
        return Reason("far", f"相距 {metres / 1000:.1f} 公里", policy.far_factor)
    return None


def _location_reason(query: DocFacts, other: DocFacts, policy: RepeatPolicy) -> Reason | None:
    """Codes and coordinates both locate: the strongest support wins, else the clearest doubt.

    Geocoding is often rough, so one positive location signal outweighs a negative one.
    """
    found = [
        reason
        for reason in (_area_reason(query, other, policy), _distance_reason(query, other, policy))
        if reason is not None
    ]
    if not found:
        return None
    best = max(found, key=lambda reason: reason.factor)
    return best if best.factor >= 1 else min(found, key=lambda reason: reason.factor)


def _circumstance_reasons(
    query: DocFacts, other: DocFacts, policy: RepeatPolicy
) -> Iterator[Reason]:
    if query.category_code and query.category_code == other.category_code:
        yield Reason("same_category", "同一类别", policy.same_category_factor)
    elif query.category_code and other.category_code and policy.other_category_factor != 1.0:
        yield Reason("other_category", "类别不同", policy.other_category_factor)
    if query.caller_key and query.caller_key == other.caller_key:
        yield Reason("same_caller", "同一来电人", policy.same_caller_factor)
    if query.at_ts is not None and other.at_ts is not None:
        days = abs(query.at_ts - other.at_ts) / SECONDS_PER_DAY
        yield Reason("time_gap", f"相隔 {days:.0f} 天")


def score_pair(
    query: Scored, other: Scored, text_similarity: float, policy: RepeatPolicy
) -> tuple[float, tuple[Reason, ...]]:
    """The pair's score and its reasons, the text similarity first."""
    comparison = compare_places(query.facts.places, other.facts.places)
    topic = None
    if comparison.shared is not None:
        masked = np.union1d(query.facts.place_grams, other.facts.place_grams)
        topic = topic_similarity(query.row, other.row, text_similarity, masked)
    reasons = _place_reasons(comparison, topic, policy)
    location = _location_reason(query.facts, other.facts, policy)
    reasons += [location] if location else []
    reasons += _circumstance_reasons(query.facts, other.facts, policy)
    score = topic if topic is not None else text_similarity
    for reason in reasons:
        score *= reason.factor
    return min(1.0, score), (Reason("text", f"文本相似度 {text_similarity:.2f}"), *reasons)


def decide(score: float, policy: RepeatPolicy) -> Decision | None:
    if score >= policy.link_threshold:
        return Decision.LINK
    return Decision.SUGGEST if score >= policy.suggest_threshold else None
