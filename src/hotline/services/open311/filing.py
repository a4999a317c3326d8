"""POST requests: a partner files a case, which enters the normal intake pipeline.

The case is created by :func:`hotline.services.cases.intake.create_case` (validate, number, store,
first history event, ``enrich`` job queued), under the partner's channel (``web`` unless the partner
is configured with another) and with the partner user as creator. Answers to the service
definition's questions are appended to the content so the operator sees them; a media_url is kept in
a ``partner_submission`` history event, written with the case in one transaction. The email,
device_id and account_id are not stored: there is no column for them, and history is append-only,
so personal data written there could never be anonymised.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from hotline.adapters.db.models import Category
from hotline.domain.errors import InvalidInput, NotFound
from hotline.geo.crs import to_gcj02
from hotline.services.cases.intake import MAX_CONTENT, IntakeEvent, NewCase, create_case
from hotline.services.context import Hotline
from hotline.services.open311.catalog import Attribute, attributes_of, promised_limit
from hotline.services.open311.partners import Partner
from hotline.services.open311.views import SUBMISSION
from hotline.services.reference.routing import locator_for

# A point this close outside every district is still taken: boundary files are simplified and a
# report from the far side of a boundary road is a report about the city.
BOUNDS_MARGIN_METRES = 2000
MAX_DESCRIPTION = 4000  # the spec's limit, in characters
MAX_ANSWER = 1000
LENGTHS = {
    "first_name": 50,
    "last_name": 50,
    "address_string": 300,
    "address_id": 100,
    "account_id": 100,
    "device_id": 200,
    "email": 254,
    "media_url": 500,
}


@dataclass(frozen=True)
class Submission:
    service_code: str | None
    lat: float | None = None
    long: float | None = None
    address_string: str | None = None
    address_id: str | None = None
    description: str | None = None
    attributes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    email: str | None = None
    device_id: str | None = None
    account_id: str | None = None
    media_url: str | None = None


def _check_lengths(sub: Submission) -> None:
    for name, limit in LENGTHS.items():
        value = getattr(sub, name)
        if value is not None and len(value) > limit:
            raise InvalidInput(
                f"{name} may not be longer than {limit} characters（{name} 超过 {limit} 字）",
                fields=(name,),
            )
    if sub.description is not None and len(sub.description) > MAX_DESCRIPTION:
        raise InvalidInput(
            f"description may not be longer than {MAX_DESCRIPTION} characters（描述超过 4000 字）",
            fields=("description",),
        )


def _check_location(sub: Submission) -> None:
    if (sub.lat is None) != (sub.long is None):
        raise InvalidInput(
            "lat and long must be sent together（经度和纬度须同时提供）", fields=("lat", "long")
        )
    if sub.lat is None and not sub.address_string and not sub.address_id:
        raise InvalidInput(
            "a location is required: lat & long, address_string or address_id（请提供位置或地址）",
            fields=("lat",),
        )


def _check_coordinates(sub: Submission) -> None:
    if sub.lat is not None and not -90 <= sub.lat <= 90:
        raise InvalidInput("lat must be between -90 and 90（纬度无效）", fields=("lat",))
    if sub.long is not None and not -180 <= sub.long <= 180:
        raise InvalidInput("long must be between -180 and 180（经度无效）", fields=("long",))


def check_in_city(hotline: Hotline, sub: Submission) -> None:
    """A point outside the city (beyond a small margin) is refused: filed, it would be a case no
    district can take. Without boundary files nothing can be said, and the point is taken."""
    if sub.lat is None or sub.long is None:
        return
    boundaries = locator_for(hotline).boundaries
    if not boundaries.districts:
        return
    lon, lat = to_gcj02(sub.long, sub.lat, "wgs84")
    if boundaries.district_at(lon, lat) is not None:
        return
    nearest = boundaries.nearest_districts(lon, lat, limit=1)
    if nearest and nearest[0][1] <= BOUNDS_MARGIN_METRES:
        return
    city = hotline.profile.name
    raise InvalidInput(
        f"lat/long ({sub.lat}, {sub.long}) is outside the service area of {city}"
        f"（该位置不在{city}服务范围内）",
        fields=("lat", "long"),
    )


def check_media_url(url: str | None) -> None:
    if url is not None and (
        urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc
    ):
        raise InvalidInput(
            "media_url must be an http or https URL（图片链接须为 http 或 https 地址）",
            fields=("media_url",),
        )


def validate(sub: Submission) -> None:
    if not sub.service_code:
        raise InvalidInput(
            "service_code was not provided（请选择诉求类别）", fields=("service_code",)
        )
    _check_lengths(sub)
    _check_location(sub)
    _check_coordinates(sub)
    check_media_url(sub.media_url)


def _checked_values(attribute: Attribute, values: tuple[str, ...]) -> tuple[str, ...]:
    if len(values) > 1 and attribute.datatype != "multivaluelist":
        raise InvalidInput(
            f"attribute[{attribute.code}] takes one value（「{attribute.description}」只能选一项）",
            fields=(attribute.code,),
        )
    if any(len(value) > MAX_ANSWER for value in values):
        raise InvalidInput(
            f"attribute[{attribute.code}] is too long（「{attribute.description}」过长）",
            fields=(attribute.code,),
        )
    keys = {key for key, _ in attribute.values}
    if keys and not set(values) <= keys:
        raise InvalidInput(
            f"attribute[{attribute.code}]: unknown value（「{attribute.description}」的选项无效）",
            fields=(attribute.code,),
        )
    if attribute.datatype == "number":
        try:
            [float(value) for value in values]
        except ValueError as exc:
            raise InvalidInput(
                f"attribute[{attribute.code}] must be a number"
                f"（「{attribute.description}」须为数字）"
            ) from exc
    return values


def answers(attributes: list[Attribute], given: dict[str, tuple[str, ...]]) -> list[str]:
    """「question」answer lines; attribute codes the definition does not know are ignored
    (clients such as FixMyStreet send their own extra attributes)."""
    lines = []
    for attribute in attributes:
        values = _checked_values(attribute, given.get(attribute.code, ()))
        if attribute.required and not values:
            raise InvalidInput(
                f"attribute[{attribute.code}] is required（请填写「{attribute.description}」）",
                fields=(attribute.code,),
            )
        if values:
            lines.append(f"【{attribute.description}】{'、'.join(values)}")
    return lines


def compose_content(sub: Submission, service_name: str, attributes: list[Attribute]) -> str:
    body = (sub.description or "").strip() or service_name
    content = "\n".join([body, *answers(attributes, sub.attributes)])
    if len(content) > MAX_CONTENT:
        raise InvalidInput(
            f"description and attribute answers together exceed {MAX_CONTENT} characters"
            f"（描述与补充信息合计超过 {MAX_CONTENT} 字）",
            fields=("description",),
        )
    return content


def _is_cjk(text: str) -> bool:
    return any(unicodedata.name(ch, "").startswith("CJK") for ch in text)


def caller_name(first: str | None, last: str | None) -> str | None:
    """Chinese names are written family name first (张 + 三 → 张三), others "first last"."""
    first, last = (first or "").strip(), (last or "").strip()
    if not first and not last:
        return None
    return f"{last}{first}" if _is_cjk(first + last) else f"{first} {last}".strip()


@dataclass(frozen=True)
class ServiceInfo:
    name: str
    attributes: list[Attribute]
    notice: str


def _service(hotline: Hotline, code: str) -> ServiceInfo:
    """The service (a minor category) a POST names, from the reference cache: a POST then needs
    no query of its own before intake (which checks the category again, authoritatively, in its
    transaction), and an edit of the category in this process is seen at once."""

    def build() -> ServiceInfo:
        with hotline.db.transaction() as session:
            category = session.get(Category, code)
            if category is None or category.level != "minor" or not category.active:
                raise NotFound(f"service_code {code} not found（未知的服务代码）")
            return ServiceInfo(
                category.name, attributes_of(category), promised_limit(hotline, category)
            )

    info: ServiceInfo = hotline.reference.get(f"open311_service:{code}", build)
    return info


def _new_case(sub: Submission, partner: Partner, content: str, code: str) -> NewCase:
    address = sub.address_string or (f"地址编号 {sub.address_id}" if sub.address_id else None)
    return NewCase(
        channel=partner.channel,
        content=content,
        address=address,
        lon=sub.long,
        lat=sub.lat,
        coord_system="wgs84" if sub.lat is not None else None,  # the spec's projection
        category_code=code,
        caller_name=caller_name(sub.first_name, sub.last_name),
        caller_phone=(sub.phone or "").strip() or None,
    )


def _submission(partner: Partner, url: str | None) -> tuple[IntakeEvent, ...]:
    """The ``partner_submission`` event that keeps a media_url, written with the case."""
    if not url:
        return ()
    return (IntakeEvent(SUBMISSION, partner.name, {"partner": partner.name, "media_url": url}),)


def file_request(
    hotline: Hotline, partner: Partner, sub: Submission, now: datetime
) -> list[dict[str, Any]]:
    """Create the case; the answer is the spec's POST response (one request)."""
    validate(sub)
    check_in_city(hotline, sub)
    code = sub.service_code or ""
    service = _service(hotline, code)
    content = compose_content(sub, service.name, service.attributes)
    new_case = _new_case(sub, partner, content, code)
    also = _submission(partner, sub.media_url)
    number = create_case(hotline, new_case, partner.actor, now, also=also)
    return [
        {
            "service_request_id": number,
            "service_notice": service.notice,
            "account_id": sub.account_id,
        }
    ]
