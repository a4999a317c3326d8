"""Publication (PIPL): Open311 publishes what citizens submitted for publication, coarsened.

A phone case is published only with the caller's recorded consent; every published address is cut
back to the road or estate (docs/decisions/0039-open311-publishes-what-citizens-published.md).
"""

from __future__ import annotations

import pytest
from sqlalchemy import update

from hotline.adapters.db.models import Case
from hotline.domain.roles import Actor
from hotline.services.open311.publication import coarse_address
from tests.integration.helpers import new_case
from tests.open311.conftest import Open311Client, assert_errors, parse_json, web_case

Actors = dict[str, Actor]
HOME = "历下区泉城路 188 号 3 号楼 2 单元 501 室"


def _listed(o311: Open311Client) -> list[str]:
    return [r["service_request_id"] for r in parse_json(o311.get("requests.json"))]


def _record_consent(o311: Open311Client, number: str) -> None:
    with o311.hotline.db.transaction() as session:
        session.execute(update(Case).where(Case.number == number).values(publication_consent=True))


def test_a_phone_case_without_consent_is_not_published(o311: Open311Client, actors: Actors) -> None:
    number = new_case(o311.hotline, actors["operator"], channel="12345", address=HOME)
    assert number not in _listed(o311)
    assert number not in o311.get("servicerequestupdates.json").text
    for fmt in ("json", "xml"):
        assert_errors(o311.get(f"requests/{number}.{fmt}"), 404, fmt)
        assert_errors(o311.get(f"tokens/{number}.{fmt}"), 404, fmt)


def test_a_phone_case_with_consent_is_published_coarsened(
    o311: Open311Client, actors: Actors
) -> None:
    number = new_case(o311.hotline, actors["operator"], channel="12345", address=HOME)
    _record_consent(o311, number)
    assert number in _listed(o311)
    (found,) = parse_json(o311.get(f"requests/{number}.json"))
    assert found["address"] == "历下区泉城路"
    assert "188" not in o311.get(f"requests/{number}.xml").text


def test_a_web_case_is_published_coarsened(o311: Open311Client, actors: Actors) -> None:
    number = web_case(o311.hotline, actors["operator"], address="市中区阳光100小区3号楼2单元")
    (found,) = parse_json(o311.get(f"requests/{number}.json"))
    assert found["address"] == "市中区阳光100小区"


def test_a_partner_report_is_published(o311: Open311Client, partner_key: str) -> None:
    # A partner configured with a channel of its own (not in public_channels) still publishes:
    # its citizens submitted through a public interface.
    number = o311.filed_number(o311.key("district-grid", channel="16039"))
    assert number in _listed(o311)


def test_public_channels_are_configuration(make_client, actors: Actors) -> None:  # type: ignore[no-untyped-def]
    o311 = make_client(public_channels=("app",))
    number = web_case(o311.hotline, actors["operator"])  # web stays public: the default channel
    assert number in _listed(o311)
    wechat = new_case(o311.hotline, actors["operator"], channel="wechat")
    assert wechat not in _listed(o311)


@pytest.mark.parametrize(
    ("address", "coarse"),
    [
        ("历下区泉城路 188 号", "历下区泉城路"),
        ("泉城路188号院", "泉城路"),
        ("市中区阳光100小区3号楼2单元501室", "市中区阳光100小区"),
        ("槐荫区经十路22799号银座花园A座1201", "槐荫区经十路"),
        ("天桥区北园大街与历山路交叉口", "天桥区北园大街与历山路交叉口"),
        ("舜耕小区 5#楼", "舜耕小区"),
        ("188号", None),
        (None, None),
    ],
)
def test_coarse_address(address: str | None, coarse: str | None) -> None:
    assert coarse_address(address) == coarse
