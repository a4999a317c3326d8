"""On-site evidence (现场处置): where a photo was taken and when, and which replies need one.

A city marks categories and channels whose cases are handled on the spot (a pile of rubbish, a
street stall, a case from the digital city-management platform 16039): their reply is accepted
only with an "after" photo (处置后照片) that carries the phone's position, taken in the current
handling round. The rule is data from the city profile (``onsite_evidence``); these functions
judge facts the caller reads, so the same check serves the API, the CLI and the tests
(docs/decisions/0027-onsite-evidence.md).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from hotline.domain.errors import InvalidInput

PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
# A phone whose clock runs ahead by a few minutes is common; a capture time further ahead of the
# server than this is a wrong clock or a made-up time, and evidence must not rest on it.
CLOCK_SKEW = timedelta(minutes=10)
# Geolocation accuracy is a radius in metres; past this it says nothing about the place.
WORST_ACCURACY_M = 100_000.0
# A camera's clock (its EXIF time) may be off by some minutes, or by an hour around a zone
# setting; a photo the camera dates further back than this before the round began was taken
# before the case reached the unit (a picture from the gallery), and is no evidence of it.
CAMERA_CLOCK_SLACK = timedelta(hours=1)


EXIF_TIME = re.compile(r"^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})")
EXIF_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})$")


def exif_time(taken: str | None, offset: str | None, local: tzinfo) -> datetime | None:
    """A camera's EXIF time (``2026:12:08 09:15:30``) as aware UTC; without an offset tag
    (``OffsetTimeOriginal``, EXIF 2.31) it is read as the city's local time. A blank or
    impossible value (cameras write ``0000:00:00 00:00:00`` when unset) is None."""
    match = EXIF_TIME.match((taken or "").strip())
    if match is None:
        return None
    zone: tzinfo = local
    found = EXIF_OFFSET.match((offset or "").strip())
    if found is not None:
        minutes = int(found.group(2)) * 60 + int(found.group(3))
        zone = timezone(timedelta(minutes=-minutes if found.group(1) == "-" else minutes))
    try:
        year, month, day, hour, minute, second = (int(part) for part in match.groups())
        moment = datetime(year, month, day, hour, minute, second, tzinfo=zone)
    except ValueError:
        return None
    return moment.astimezone(UTC) if 2000 <= moment.year <= 2099 else None


EARTH_RADIUS_M = 6_371_008.8  # the mean radius (IUGG)


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres between two WGS-84 points (haversine; within a city the
    sphere is off by well under 1 %)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


class OnsiteEvidenceMissing(InvalidInput):
    """A 现场处置 reply without the photo that shows the place after handling (HTTP 422)."""

    code = "onsite_evidence_missing"
    title = "缺少现场处置照片"


@dataclass(frozen=True)
class PhotoPlace:
    """Where and when a photo was taken, as the uploading phone or desk says (all optional).

    ``longitude``/``latitude`` are WGS-84 degrees as the browser's Geolocation API gives them,
    ``accuracy_m`` its radius in metres; ``captured_at`` the client's capture time.
    """

    longitude: float | None = None
    latitude: float | None = None
    accuracy_m: float | None = None
    captured_at: datetime | None = None

    @property
    def has_position(self) -> bool:
        return self.longitude is not None and self.latitude is not None


def check_photo_place(place: PhotoPlace, now: datetime) -> None:
    """Refuse a position or capture time that cannot be true, naming the field."""
    if (place.longitude is None) != (place.latitude is None):
        missing = "latitude" if place.latitude is None else "longitude"
        raise InvalidInput("经度和纬度须同时提供", fields=(missing,))
    if place.longitude is not None and not -180 <= place.longitude <= 180:
        raise InvalidInput("经度须在 -180 到 180 之间", fields=("longitude",))
    if place.latitude is not None and not -90 <= place.latitude <= 90:
        raise InvalidInput("纬度须在 -90 到 90 之间", fields=("latitude",))
    if place.accuracy_m is not None:
        if not place.has_position:
            raise InvalidInput("提供定位精度时须同时提供经纬度", fields=("accuracy",))
        if not 0 <= place.accuracy_m <= WORST_ACCURACY_M:
            raise InvalidInput(
                f"定位精度须在 0 到 {WORST_ACCURACY_M:.0f} 米之间", fields=("accuracy",)
            )
    if place.captured_at is not None and place.captured_at > now + CLOCK_SKEW:
        raise InvalidInput("拍摄时间晚于服务器当前时间，请检查手机时间", fields=("captured_at",))


@dataclass(frozen=True)
class OnsiteEvidenceRule:
    """Which replies need an on-site "after" photo with a position (现场处置).

    A case needs one when its channel is in ``channels`` or its category (or a category above
    it) is in ``categories``, and the reply's result type is in ``result_types``. ``photos`` is
    how many such photos; ``max_accuracy_m`` (if set) the worst accuracy that still counts.
    """

    channels: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    result_types: frozenset[str] = frozenset({"solved", "promised", "explained", "not_founded"})
    photos: int = 1
    max_accuracy_m: float | None = None

    def applies(self, channel: str, category_codes: Collection[str], result_type: str) -> bool:
        """Whether a reply of ``result_type`` on a case of ``channel`` and categories
        ``category_codes`` (the case's category and those above it) needs the evidence."""
        marked = channel in self.channels or not self.categories.isdisjoint(category_codes)
        return marked and result_type in self.result_types


@dataclass(frozen=True)
class PhotoFacts:
    """What the check reads of one attachment of the case."""

    kind: str  # before | after | document
    content_type: str
    uploaded_at: datetime
    place: PhotoPlace
    camera_taken_at: datetime | None = None  # the file's EXIF time, when it has one


@dataclass(frozen=True)
class ReplyFacts:
    """The reply being judged and the case it is on."""

    channel: str
    category_codes: tuple[str, ...]  # the case's category first, then those above it
    result_type: str
    round_started_at: datetime  # when the replying unit's handling round began (its dispatch)


def _counts(rule: OnsiteEvidenceRule, photo: PhotoFacts, since: datetime) -> bool:
    accuracy = photo.place.accuracy_m
    return (
        photo.kind == "after"
        and photo.content_type in PHOTO_TYPES
        and photo.uploaded_at >= since
        and (photo.camera_taken_at is None or photo.camera_taken_at >= since - CAMERA_CLOCK_SLACK)
        and photo.place.has_position
        and (
            rule.max_accuracy_m is None
            or (accuracy is not None and accuracy <= rule.max_accuracy_m)
        )
    )


def missing_evidence(
    rule: OnsiteEvidenceRule, reply: ReplyFacts, photos: Sequence[PhotoFacts]
) -> str | None:
    """What the reply lacks, in words for the handler; None when it may go ahead."""
    if not rule.applies(reply.channel, reply.category_codes, reply.result_type):
        return None
    found = sum(_counts(rule, photo, reply.round_started_at) for photo in photos)
    if found >= rule.photos:
        return None
    accuracy = f"、定位精度不超过 {rule.max_accuracy_m:.0f} 米" if rule.max_accuracy_m else ""
    return (
        f"该工单须现场处置：办结前请上传至少 {rule.photos} 张本次办理中拍摄的"
        f"「处置后」照片，并带有拍摄位置（经纬度{accuracy}）；相机时间早于本次办理开始的照片"
        f"不计；现有 {found} 张符合要求"
    )


def require_onsite_evidence(
    rule: OnsiteEvidenceRule, reply: ReplyFacts, photos: Sequence[PhotoFacts]
) -> None:
    """Refuse the reply (422, field ``attachments``) when its on-site evidence is missing."""
    missing = missing_evidence(rule, reply, photos)
    if missing is not None:
        raise OnsiteEvidenceMissing(missing, fields=("attachments",))
