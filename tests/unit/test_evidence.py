"""On-site evidence (现场处置): which replies need an "after" photo with a position, and which
positions and capture times an upload may claim."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hotline.domain.errors import InvalidInput
from hotline.domain.evidence import (
    OnsiteEvidenceMissing,
    OnsiteEvidenceRule,
    PhotoFacts,
    PhotoPlace,
    ReplyFacts,
    check_photo_place,
    missing_evidence,
    require_onsite_evidence,
)
from hotline.profile import load_profile

NOW = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)
ROUND = NOW - timedelta(hours=3)
HERE = PhotoPlace(longitude=117.02, latitude=36.67, accuracy_m=12.0, captured_at=NOW)
RULE = OnsiteEvidenceRule(
    channels=frozenset({"16039"}),
    categories=frozenset({"E01"}),
    result_types=frozenset({"solved", "not_founded"}),
    max_accuracy_m=200,
)


def reply(**overrides: object) -> ReplyFacts:
    base: dict[str, object] = dict(
        channel="12345",
        category_codes=("E0101", "E01", "E"),
        result_type="solved",
        round_started_at=ROUND,
    )
    return ReplyFacts(**{**base, **overrides})  # type: ignore[arg-type]


def photo(**overrides: object) -> PhotoFacts:
    base: dict[str, object] = dict(
        kind="after", content_type="image/jpeg", uploaded_at=NOW - timedelta(minutes=5), place=HERE
    )
    return PhotoFacts(**{**base, **overrides})  # type: ignore[arg-type]


def test_a_marked_category_above_the_cases_own_needs_the_photo() -> None:
    assert missing_evidence(RULE, reply(), [photo()]) is None
    message = missing_evidence(RULE, reply(), [])
    assert message is not None and "处置后" in message and "现有 0 张" in message
    with pytest.raises(OnsiteEvidenceMissing) as raised:
        require_onsite_evidence(RULE, reply(), [])
    assert (
        raised.value.fields == ("attachments",) and raised.value.code == "onsite_evidence_missing"
    )


def test_a_marked_channel_needs_it_for_any_category() -> None:
    assert missing_evidence(RULE, reply(channel="16039", category_codes=()), []) is not None


@pytest.mark.parametrize(
    "facts",
    [
        {"category_codes": ("E0301", "E03", "E")},  # another category, another channel
        {"category_codes": ()},  # not yet categorised
        {"result_type": "explained"},  # an explanation needs no visit
    ],
)
def test_replies_outside_the_rule_need_nothing(facts: dict[str, object]) -> None:
    assert missing_evidence(RULE, reply(**facts), []) is None


@pytest.mark.parametrize(
    ("changed", "why"),
    [
        ({"kind": "before"}, "a photo before handling"),
        ({"content_type": "application/pdf"}, "a document"),
        ({"uploaded_at": ROUND - timedelta(seconds=1)}, "from an earlier round"),
        ({"place": PhotoPlace(captured_at=NOW)}, "no position"),
        ({"place": PhotoPlace(117.02, 36.67, 250.0)}, "too coarse a position"),
        ({"place": PhotoPlace(117.02, 36.67, None)}, "a position of unknown accuracy"),
    ],
)
def test_photos_that_do_not_count(changed: dict[str, object], why: str) -> None:
    assert missing_evidence(RULE, reply(), [photo(**changed)]) is not None, why


def test_any_accuracy_counts_when_the_city_sets_no_limit() -> None:
    rule = OnsiteEvidenceRule(categories=frozenset({"E01"}))
    assert missing_evidence(rule, reply(), [photo(place=PhotoPlace(117.0, 36.6))]) is None


def test_the_city_may_ask_for_more_than_one_photo() -> None:
    rule = OnsiteEvidenceRule(categories=frozenset({"E01"}), photos=2)
    message = missing_evidence(rule, reply(), [photo(), photo(kind="before")])
    assert message is not None and "至少 2 张" in message and "现有 1 张" in message
    assert missing_evidence(rule, reply(), [photo(), photo()]) is None


@pytest.mark.parametrize(
    ("place", "field"),
    [
        (PhotoPlace(longitude=117.0), "latitude"),
        (PhotoPlace(latitude=36.0), "longitude"),
        (PhotoPlace(longitude=181.0, latitude=36.0), "longitude"),
        (PhotoPlace(longitude=117.0, latitude=-90.5), "latitude"),
        (PhotoPlace(accuracy_m=10.0), "accuracy"),
        (PhotoPlace(117.0, 36.0, -1.0), "accuracy"),
        (PhotoPlace(captured_at=NOW + timedelta(minutes=11)), "captured_at"),
    ],
)
def test_impossible_places_and_times_are_refused_by_name(place: PhotoPlace, field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        check_photo_place(place, NOW)
    assert raised.value.fields == (field,)


def test_a_phone_clock_a_few_minutes_ahead_is_accepted() -> None:
    check_photo_place(PhotoPlace(117.0, 36.0, 5.0, NOW + timedelta(minutes=9)), NOW)
    check_photo_place(PhotoPlace(), NOW)


def test_jinan_marks_its_on_the_spot_categories_and_the_16039_platform() -> None:
    rule = load_profile("jinan").onsite_evidence.to_domain()
    assert rule.applies("16039", (), "solved")
    assert rule.applies("12345", ("E0401", "E04", "E"), "solved")  # 占道经营
    assert not rule.applies("12345", ("E0401", "E04", "E"), "explained")
    assert not rule.applies("12345", ("E0301", "E03", "E"), "solved")  # 夜间施工噪音


def test_a_misspelt_code_in_the_profile_is_an_error() -> None:
    from hotline.profile import CityProfile, OnsiteEvidenceSpec

    jinan = load_profile("jinan")
    data = jinan.model_dump()
    data["onsite_evidence"] = OnsiteEvidenceSpec(categories=["E9999"]).model_dump()
    with pytest.raises(ValueError, match="E9999"):
        CityProfile.model_validate(data)


def test_exif_times_are_read_in_their_offset_or_the_citys_zone() -> None:
    from zoneinfo import ZoneInfo

    from hotline.domain.evidence import exif_time

    shanghai = ZoneInfo("Asia/Shanghai")
    assert exif_time("2026:12:08 09:15:30", "+08:00", shanghai) == datetime(
        2026, 12, 8, 1, 15, 30, tzinfo=UTC
    )
    assert exif_time("2026:12:08 09:15:30", None, shanghai) == datetime(
        2026, 12, 8, 1, 15, 30, tzinfo=UTC
    )
    assert exif_time("2026:12:08 09:15:30", "-05:00", shanghai) == datetime(
        2026, 12, 8, 14, 15, 30, tzinfo=UTC
    )
    for blank in ("0000:00:00 00:00:00", "    :  :     :  :  ", "", None, "2026:13:40 25:00:00"):
        assert exif_time(blank, None, shanghai) is None


def test_distances_on_the_ground() -> None:
    from hotline.domain.evidence import distance_m

    assert distance_m(117.0, 36.0, 117.0, 37.0) == pytest.approx(111_195, rel=1e-3)  # 1° north
    assert distance_m(117.0211, 36.6652, 117.0211, 36.6652) == 0
    east = distance_m(117.0, 36.6652, 117.001, 36.6652)  # 0.001° east at Jinan's latitude
    assert east == pytest.approx(89.2, abs=0.5)


def test_a_photo_the_camera_dates_before_the_round_is_no_evidence() -> None:
    """A picture from the phone's gallery, taken before the case reached the unit, does not
    count; a camera clock some minutes (or an hour) behind is forgiven."""
    gallery = photo(camera_taken_at=ROUND - timedelta(days=3))
    message = missing_evidence(RULE, reply(), [gallery])
    assert message is not None and "相机时间早于本次办理开始" in message
    slow_clock = photo(camera_taken_at=ROUND - timedelta(minutes=50))
    assert missing_evidence(RULE, reply(), [slow_clock]) is None
    assert missing_evidence(RULE, reply(), [photo(camera_taken_at=NOW)]) is None
