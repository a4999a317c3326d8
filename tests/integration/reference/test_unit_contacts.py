"""Unit contacts (issue 18, item 7): the head's name and phone, the deputy in charge (分管领导)
and the duty phone are imported and exported like other organisation data; every supervision
names the person to call; a 一把手督办 of a unit without a named head is flagged."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml
from sqlalchemy import select

from hotline.adapters.db.models import CaseEvent, Unit
from hotline.domain.lifecycle import Action
from hotline.domain.roles import Actor
from hotline.services.context import Hotline
from hotline.services.ledger.supervision import NO_HEAD_WARNING, list_supervisions, supervise_case
from hotline.services.reference.organisation import export_org, import_org, list_units
from hotline.services.reporting.production import build_notice
from tests.conftest import FakeClock
from tests.integration.helpers import act, new_case


def test_contacts_round_trip_through_export_and_import(hotline: Hotline, tmp_path: Path) -> None:
    original, changed = tmp_path / "org.yaml", tmp_path / "changed.yaml"
    export_org(hotline, original)
    data = yaml.safe_load(original.read_text(encoding="utf-8"))
    lixia = next(u for u in data["units"] if u["code"] == "LX-CGJ")
    assert (lixia["head_name"], lixia["deputy_name"]) == ("李建华", "高翔")  # fictional demo data
    street = next(u for u in data["units"] if u["code"] == "LX-JFL")
    street.update(head_name="测试主任", head_phone="0531-1", deputy_name="测试副主任",
                  deputy_phone="0531-2", duty_phone="0531-3")  # fmt: skip
    changed.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    try:
        import_org(hotline, changed)
        [row] = [u for u in list_units(hotline) if u["code"] == "LX-JFL"]
        fields = ("head_name", "head_phone", "deputy_name", "deputy_phone", "duty_phone")
        assert [row[k] for k in fields] == ["测试主任", "0531-1", "测试副主任", "0531-2", "0531-3"]
    finally:  # reference data is shared between tests on PostgreSQL: put it back
        import_org(hotline, original)
    [row] = [u for u in list_units(hotline) if u["code"] == "LX-JFL"]
    assert (row["head_name"], row["duty_phone"]) == ("田秀英", "0531-80220100")  # put back


@contextmanager
def without_head(hotline: Hotline, code: str) -> Iterator[None]:
    """The unit's head's name blanked for the block, then put back: reference data is shared
    between tests on PostgreSQL."""
    with hotline.db.transaction() as session:
        unit = session.scalars(select(Unit).where(Unit.code == code)).one()
        kept, unit.head_name = unit.head_name, None
    try:
        yield
    finally:
        with hotline.db.transaction() as session:
            session.scalars(select(Unit).where(Unit.code == code)).one().head_name = kept


def _dispatched(hotline: Hotline, actors: dict[str, Actor], unit: str = "LX-CGJ") -> str:
    number = new_case(hotline, actors["operator"])
    act(hotline, number, Action.REGISTER, actors["operator"], category_code="E0301")
    act(hotline, number, Action.DISPATCH, actors["dispatcher"], unit=unit)
    return number


def test_a_supervision_names_the_person_and_warns_without_a_head(
    hotline: Hotline, actors: dict[str, Actor], clock: FakeClock
) -> None:
    number = _dispatched(hotline, actors)
    supervise_case(hotline, number, "supervise", "请加快办理", actors["supervisor"], clock())
    [named] = list_supervisions(hotline, actors["supervisor"])
    assert named["contact"] == (
        "历下区城市管理局局长李建华，分管领导高翔（0531-80200202），"
        "电话 0531-80200201、0531-80200200"
    )
    assert named["warning"] is None
    # 解放路街道办事处 with its head's name not recorded (a real deployment before it imports
    # its people)
    number = _dispatched(hotline, actors, "LX-JFL")
    with without_head(hotline, "LX-JFL"):
        supervise_case(hotline, number, "head", "群众反映强烈", actors["supervisor"], clock())
        listed = list_supervisions(hotline, actors["supervisor"])
        head = next(s for s in listed if s["level"] == "head")
        assert head["warning"] == NO_HEAD_WARNING
    # once the head is recorded, the open 一把手督办 names them and the warning goes
    listed = list_supervisions(hotline, actors["supervisor"])
    head = next(s for s in listed if s["level"] == "head")
    assert head["warning"] is None and "主任田秀英" in head["contact"]
    with hotline.db.transaction() as session:
        details = session.scalars(
            select(CaseEvent.details).where(CaseEvent.action == "supervise").order_by(CaseEvent.id)
        ).all()
    assert details[-1]["warning"] == NO_HEAD_WARNING and "warning" not in details[0]
    named_only = [
        s for s in list_supervisions(hotline, actors["supervisor"]) if s["level"] != "head"
    ]
    assert [s["warning"] for s in named_only] == [None]


def test_the_overdue_list_of_a_notice_names_the_person(
    hotline: Hotline, actors: dict[str, Actor], clock: FakeClock
) -> None:
    number = _dispatched(hotline, actors)
    clock.advance(days=10)  # far past the reply deadline
    day = clock().astimezone(hotline.settings.tz).date().isoformat()
    [row] = build_notice(hotline, "daily", day, hotline.now()).table("overdue").rows
    assert (row["number"], row["head"]) == (number, "局长李建华 0531-80200201")


def test_the_dispatch_names_the_person_who_answers(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    _dispatched(hotline, actors)
    with hotline.db.transaction() as session:
        details = session.scalars(
            select(CaseEvent.details).where(CaseEvent.action == "dispatch")
        ).one()
    assert details["head"].startswith("历下区城市管理局局长李建华，分管领导高翔")
