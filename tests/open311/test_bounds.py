"""A point outside the city is refused with the spec's error, not filed as an unroutable case."""

from __future__ import annotations

from sqlalchemy import func, select

from hotline.adapters.db.models import Case
from tests.open311.conftest import Open311Client, assert_errors


def _cases(o311: Open311Client) -> int:
    with o311.hotline.db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(Case)) or 0)


def test_a_point_in_new_york_is_refused(o311: Open311Client, partner_key: str) -> None:
    before = _cases(o311)
    response = o311.file(partner_key, fmt="xml", lat="40.7128", long="-74.0060")
    [message] = assert_errors(response, 400)
    assert "outside the service area" in message and "不在" in message
    assert _cases(o311) == before


def test_json_errors_too_and_impossible_coordinates(o311: Open311Client, partner_key: str) -> None:
    [message] = assert_errors(o311.file(partner_key, lat="95", long="117.1"), 400, "json")
    assert message.startswith("lat must be between -90 and 90")


def test_a_point_in_the_city_is_taken(o311: Open311Client, partner_key: str) -> None:
    assert o311.filed_number(partner_key, lat="36.6512", long="117.1201")
