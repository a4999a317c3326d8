"""现场处置: the evidence a reply needs, read from a real case's attachments and history
(services/cases/attachments.require_reply_evidence, which the reply action calls)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from hotline.adapters.db.models import Case
from hotline.domain.errors import DomainError
from hotline.domain.evidence import OnsiteEvidenceMissing, PhotoPlace
from hotline.domain.lifecycle import Action
from hotline.domain.roles import Actor
from hotline.services.cases.attachments import Upload, add_attachments, require_reply_evidence
from hotline.services.context import Hotline
from tests.conftest import FakeClock
from tests.integration.helpers import act, new_case
from tests.jpeg import jpeg_with_exif

ON_THE_SPOT = PhotoPlace(longitude=117.0211, latitude=36.6652, accuracy_m=9.0)


def _photo(
    hotline: Hotline,
    number: str,
    actor: Actor,
    kind: str,
    place: PhotoPlace,
    camera_time: str = "2026:11:24 10:05:00",
) -> None:
    content = jpeg_with_exif(camera_time, "+08:00") + bytes(range(256))
    upload = Upload(kind, "现场.jpg", "image/jpeg", io.BytesIO(content), place)
    add_attachments(hotline, number, actor, [upload], hotline.now())


def _check(hotline: Hotline, number: str, result_type: str = "solved") -> None:
    with hotline.db.transaction() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        require_reply_evidence(session, hotline, case, result_type)


def _refused(hotline: Hotline, number: str, result_type: str = "solved") -> str:
    with pytest.raises(OnsiteEvidenceMissing) as raised:
        _check(hotline, number, result_type)
    assert raised.value.fields == ("attachments",)
    return raised.value.detail


@pytest.fixture
def street_case(hotline: Hotline, actors: dict[str, Actor], clock: FakeClock) -> str:
    """占道经营 (E0401, marked 现场处置 in Jinan), dispatched to the district bureau, which
    hands it down to 解放路街道; the street office accepts."""
    number = new_case(hotline, actors["operator"], content="解放路早市流动摊贩占道经营")
    act(hotline, number, Action.REGISTER, actors["operator"], category_code="E0401")
    act(hotline, number, Action.DISPATCH, actors["dispatcher"], unit="LX-CGJ")
    act(hotline, number, Action.ACCEPT, actors["handler"])
    act(hotline, number, Action.SUB_DISPATCH, actors["handler"], unit="LX-JFL")
    act(hotline, number, Action.ACCEPT, actors["street_handler"])
    clock.advance(minutes=30)
    return number


def test_a_street_reply_needs_an_after_photo_with_a_good_position(
    hotline: Hotline, actors: dict[str, Actor], street_case: str
) -> None:
    street = actors["street_handler"]
    assert "现有 0 张" in _refused(hotline, street_case)
    _photo(hotline, street_case, street, "before", ON_THE_SPOT)
    _photo(hotline, street_case, street, "after", PhotoPlace())  # from the desk: no position
    _photo(hotline, street_case, street, "after", PhotoPlace(117.02, 36.66, 350.0))  # too coarse
    assert "定位精度不超过 200 米" in _refused(hotline, street_case)
    _check(hotline, street_case, "explained")  # an explanation needs no visit
    _photo(hotline, street_case, street, "after", ON_THE_SPOT)
    _check(hotline, street_case)


def test_a_case_outside_the_rule_needs_nothing(hotline: Hotline, actors: dict[str, Actor]) -> None:
    number = new_case(hotline, actors["operator"])
    act(hotline, number, Action.REGISTER, actors["operator"], category_code="E0301")
    act(hotline, number, Action.DISPATCH, actors["dispatcher"], unit="LX-CGJ")
    act(hotline, number, Action.ACCEPT, actors["handler"])
    _check(hotline, number)  # 夜间施工噪音: handled by talking to the site, no photo demanded


def test_rework_after_a_failed_verification_needs_a_new_photo(
    hotline: Hotline, actors: dict[str, Actor], clock: FakeClock
) -> None:
    """A 16039 case (the platform's own rule: photos before and after) replied with a photo,
    then failed on verification: the photo that did not convince the inspector does not count
    for the rework reply."""
    number = new_case(
        hotline, actors["operator"], channel="16039", caller_name=None, caller_phone=None
    )
    act(hotline, number, Action.REGISTER, actors["operator"], category_code="E0301")
    act(hotline, number, Action.DISPATCH, actors["dispatcher"], unit="LX-CGJ")
    act(hotline, number, Action.ACCEPT, actors["handler"])
    _photo(hotline, number, actors["handler"], "after", ON_THE_SPOT)
    _check(hotline, number)
    clock.advance(minutes=10)
    act(hotline, number, Action.REPLY, actors["handler"], result_type="solved", reply_text="已清理")
    clock.advance(hours=2)
    act(hotline, number, Action.VERIFY, actors["inspector"], passed=False, note="现场仍有堆物")
    clock.advance(minutes=10)
    assert "现有 0 张" in _refused(hotline, number)
    _photo(hotline, number, actors["handler"], "after", ON_THE_SPOT)
    _check(hotline, number)


def test_a_capture_time_from_the_future_is_refused_before_anything_is_stored(
    hotline: Hotline, actors: dict[str, Actor], street_case: str
) -> None:
    late = PhotoPlace(117.02, 36.66, 5.0, hotline.now() + timedelta(hours=1))
    with pytest.raises(DomainError) as raised:
        _photo(hotline, street_case, actors["street_handler"], "after", late)
    assert raised.value.fields == ("captured_at",)
    assert not list(hotline.settings.resolved_attachment_dir.rglob("*"))


def test_a_gallery_photo_from_before_the_case_does_not_count(
    hotline: Hotline, actors: dict[str, Actor], street_case: str
) -> None:
    """Uploaded now, with a position, but the camera took it last week (its EXIF time)."""
    street = actors["street_handler"]
    _photo(hotline, street_case, street, "after", ON_THE_SPOT, camera_time="2026:11:17 09:00:00")
    assert "相机时间早于本次办理开始" in _refused(hotline, street_case)
    _photo(hotline, street_case, street, "after", ON_THE_SPOT)  # taken at 10:05 today
    _check(hotline, street_case)
