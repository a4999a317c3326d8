"""The online repeat index: matching, signals, the time window and the change log."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import timedelta

import pytest

from hotline.repeats import (
    Candidate,
    Decision,
    IndexChange,
    RepeatDocument,
    RepeatIndex,
    RepeatPolicy,
)
from tests.unit.repeats_corpus import START, corpus_docs, corpus_model

MODEL = corpus_model()


def build(docs: Iterable[RepeatDocument] | None = None, **policy: object) -> RepeatIndex:
    chosen = RepeatPolicy(**policy)  # type: ignore[arg-type]
    return RepeatIndex.build(corpus_docs() if docs is None else docs, model=MODEL, policy=chosen)


def doc(doc_id: str) -> RepeatDocument:
    return next(item for item in corpus_docs() if item.doc_id == doc_id)


def found(candidates: list[Candidate]) -> dict[str, Candidate]:
    return {candidate.doc_id: candidate for candidate in candidates}


def codes(candidate: Candidate) -> list[str]:
    return [reason.code for reason in candidate.reasons]


# --- text -----------------------------------------------------------------------------------


def test_a_rewording_links_to_the_original() -> None:
    reworded = RepeatDocument(
        "new",
        "尊敬的领导您好！魅力之城小区楼下烧烤店、快餐店没有烟道，油烟天天直排，开到凌晨，"
        "我们都不敢开窗。谢谢！",
        "魅力之城小区餐馆油烟直排扰民",
        at=START,
    )
    candidates = found(build().query(reworded))
    assert candidates["fumes-1"].decision is Decision.LINK
    assert "same_place" in codes(candidates["fumes-1"])


def test_small_edits_keep_the_match() -> None:
    original = doc("lamp")
    edited = replace(
        original,
        doc_id="new",
        title="劳动东路路灯坏了",
        text="A5区劳动东路东塘至雨花亭路段路灯一个多月不亮，夜里行人看不清路，希望尽快修好。",
    )
    best = build().query(edited)[0]
    assert best.doc_id == "lamp" and best.decision is Decision.LINK
    assert best.reasons[0].code == "text" and best.reasons[0].text.startswith("文本相似度 ")


def test_different_problems_on_the_same_street_do_not_match() -> None:
    index = build()
    assert "manhole" not in found(index.query(doc("lamp"), exclude=["lamp"]))
    assert "lamp" not in found(index.query(doc("manhole"), exclude=["manhole"]))


def test_one_template_for_two_estates_does_not_match() -> None:
    candidates = found(
        build().query(doc("template-other-estate"), exclude=["template-other-estate"])
    )
    assert "fumes-1" not in candidates


def test_another_problem_in_the_same_estate_is_not_linked() -> None:
    candidates = found(build().query(doc("cracks"), exclude=["cracks"]))
    assert all(candidate.decision is not Decision.LINK for candidate in candidates.values())


def test_candidates_are_sorted_and_limited() -> None:
    candidates = build(suggest_threshold=0.01).query(doc("fumes-1"), k=2)
    assert len(candidates) == 2
    assert candidates[0].score >= candidates[1].score


# --- time window ------------------------------------------------------------------------------


def test_the_time_window_is_respected() -> None:
    old = replace(doc("lamp"), at=START - timedelta(days=120))
    docs = [item for item in corpus_docs() if item.doc_id != "lamp"] + [old]
    later = replace(doc("lamp"), doc_id="new", at=START)
    assert "lamp" not in found(build(docs, window_days=90).query(later))
    assert "lamp" in found(build(docs, window_days=150).query(later))
    assert "lamp" in found(build(docs, window_days=None).query(later))


def test_without_a_time_the_window_centres_on_now() -> None:
    query = replace(doc("lamp"), doc_id="new", at=None)
    index = build(window_days=30)
    assert "lamp" in found(index.query(query, now=START))
    assert "lamp" not in found(index.query(query, now=START + timedelta(days=200)))


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError):
        build().query(replace(doc("lamp"), at=None), now=START.replace(tzinfo=None))


# --- location, category and caller -----------------------------------------------------------

LAMP_AT = (112.9880, 28.1940)  # somewhere in a city, in degrees
# A loose rewording (text similarity about 0.14, no place named), so that the factors of the
# other signals show in the score instead of being capped at 1.
LOOSE_LAMP = RepeatDocument("new", "东塘附近路灯坏了一个月，晚上很黑。", "路灯坏了", at=START)


def located(doc_id: str, lon: float, lat: float, **fields: object) -> RepeatDocument:
    return replace(doc(doc_id), lon=lon, lat=lat, **fields)  # type: ignore[arg-type]


def lamp_query(lon: float, lat: float, **fields: object) -> Candidate:
    docs = [item for item in corpus_docs() if item.doc_id != "lamp"]
    docs.append(located("lamp", *LAMP_AT, street_code="S1", caller_key="caller-a"))
    query = replace(LOOSE_LAMP, lon=lon, lat=lat, **fields)  # type: ignore[arg-type]
    return found(build(docs, window_days=None, suggest_threshold=0.01).query(query))["lamp"]


def test_within_the_radius_boosts_and_says_how_far() -> None:
    near = lamp_query(LAMP_AT[0] + 0.001, LAMP_AT[1])  # about 100 m east
    middle = lamp_query(LAMP_AT[0] + 0.01, LAMP_AT[1])  # about 1 km: neither near nor far
    far = lamp_query(LAMP_AT[0] + 0.05, LAMP_AT[1])  # about 5 km
    assert "near" in codes(near) and any("米" in reason.text for reason in near.reasons)
    assert "near" not in codes(middle) and "far" not in codes(middle)
    assert "far" in codes(far)
    assert near.score > middle.score > far.score


def test_the_radius_is_a_policy_setting() -> None:
    docs = [item for item in corpus_docs() if item.doc_id != "lamp"]
    docs.append(located("lamp", *LAMP_AT))
    query = replace(doc("lamp"), doc_id="new", lon=LAMP_AT[0] + 0.001, lat=LAMP_AT[1])
    wide = found(build(docs, window_days=None, radius_m=300).query(query))["lamp"]
    narrow = found(build(docs, window_days=None, radius_m=50).query(query))["lamp"]
    assert "near" in codes(wide) and "near" not in codes(narrow)


def test_the_same_caller_boosts() -> None:
    same = lamp_query(*LAMP_AT, caller_key="caller-a")
    other = lamp_query(*LAMP_AT, caller_key="caller-b")
    assert "same_caller" in codes(same) and "same_caller" not in codes(other)
    assert any(reason.text == "同一来电人" for reason in same.reasons)
    assert same.score > other.score


def test_same_street_and_category_are_reasons() -> None:
    hit = lamp_query(*LAMP_AT, street_code="S1")
    assert "same_street" in codes(hit) or "near" in codes(hit)
    docs = [replace(item, category_code="lamp") for item in corpus_docs()]
    query = replace(doc("lamp"), doc_id="new", category_code="lamp")
    candidate = found(build(docs, window_days=None).query(query))["lamp"]
    assert "same_category" in codes(candidate)


def test_another_street_lowers_the_score() -> None:
    docs = [replace(item, street_code="S1") for item in corpus_docs()]
    here = replace(LOOSE_LAMP, street_code="S1")
    there = replace(here, street_code="S2")
    index = build(docs, window_days=None, suggest_threshold=0.01)
    assert found(index.query(here))["lamp"].score > found(index.query(there))["lamp"].score


# --- add, remove, change log -----------------------------------------------------------------


def test_add_and_remove() -> None:
    index = build(window_days=None)
    query = replace(doc("school"), doc_id="new")
    assert "school" in found(index.query(query))
    assert index.remove("school") and "school" not in index
    assert "school" not in found(index.query(query))
    index.add(doc("school"))
    assert "school" in found(index.query(query))


def test_the_index_survives_many_adds_across_merges() -> None:
    index = RepeatIndex(MODEL, RepeatPolicy(window_days=None))
    index._store.merge_at = 4  # merge often
    for item in corpus_docs():
        index.add(item)
    index.remove("bus")
    assert len(index) == len(corpus_docs()) - 1
    assert found(index.query(replace(doc("lamp"), doc_id="new")))["lamp"].decision is Decision.LINK


class FakeLog:
    """A change log as the database would hold it."""

    def __init__(self) -> None:
        self.entries: list[IndexChange] = []

    def append(self, doc_id: str, document: RepeatDocument | None) -> None:
        self.entries.append(IndexChange(len(self.entries) + 1, doc_id, document))

    def changes_since(self, seq: int) -> list[IndexChange]:
        return [entry for entry in self.entries if entry.seq > seq]


def test_catching_up_applies_what_others_logged() -> None:
    log = FakeLog()
    mine = RepeatIndex.build([], model=MODEL, policy=RepeatPolicy(window_days=None))
    for item in corpus_docs():
        log.append(item.doc_id, item)  # another process took these cases
    log.append("bus", None)  # and closed one
    assert mine.catch_up(log) == len(corpus_docs()) + 1
    assert mine.watermark == len(log.entries)
    assert "bus" not in mine and "lamp" in mine
    assert mine.catch_up(log) == 0  # nothing new


def test_replaying_the_log_changes_nothing() -> None:
    log = FakeLog()
    log.append("lamp", doc("lamp"))
    log.append("lamp", None)
    index = RepeatIndex(MODEL)
    index.apply(log.changes_since(0))
    assert index.catch_up(log, lookback=10) == 0
    assert "lamp" not in index  # the older entry did not bring the closed case back


def test_a_late_commit_is_caught_with_a_lookback() -> None:
    index = RepeatIndex(MODEL)
    index.apply([IndexChange(2, "lamp", doc("lamp"))])
    late = [IndexChange(1, "school", doc("school")), IndexChange(2, "lamp", doc("lamp"))]
    assert index.apply(late) == 1
    assert "school" in index and index.watermark == 2


def test_a_stored_model_lets_two_processes_score_alike() -> None:
    from hotline.repeats import TextModel

    other = RepeatIndex.build(corpus_docs(), model=TextModel.from_bytes(MODEL.to_bytes()))
    query = replace(doc("fumes-2"), doc_id="new")
    assert other.query(query) == build().query(query)
