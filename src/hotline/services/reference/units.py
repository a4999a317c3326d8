"""The unit hierarchy, read inside a transaction: subtrees, ancestry, lookups by code."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.adapters.db.models import Unit
from hotline.domain.errors import InvalidInput


def contact_label(unit: Unit | None) -> str | None:
    """Who answers for the unit, named and with a number to call where the records have them
    (「历下区城市管理局局长李建华，分管领导高翔（…），电话 …」): supervisions, 交办 and notices
    name a person, not only a unit."""
    if unit is None:
        return None
    label = f"{unit.name}{unit.head_title or '负责人'}{unit.head_name or ''}"
    phones = [p for p in (unit.head_phone, unit.duty_phone or unit.phone) if p]
    if unit.deputy_name:
        deputy_phone = f"（{unit.deputy_phone}）" if unit.deputy_phone else ""
        label += f"，分管领导{unit.deputy_name}{deputy_phone}"
    return label + (f"，电话 {'、'.join(phones)}" if phones else "")


def unit_by_code(session: Session, code: str, field: str = "unit") -> Unit:
    unit = session.scalars(select(Unit).where(Unit.code == code)).first()
    if unit is None or not unit.active:
        raise InvalidInput(f"未知的承办单位「{code}」", fields=(field,))
    return unit


def subtree_ids(session: Session, root_id: int) -> set[int]:
    """``root_id`` and every unit below it (the table is small: one query, walked in memory)."""
    children: dict[int | None, list[int]] = {}
    for unit_id, parent_id in session.execute(select(Unit.id, Unit.parent_id)):
        children.setdefault(parent_id, []).append(unit_id)
    found, frontier = {root_id}, [root_id]
    while frontier:
        for child in children.get(frontier.pop(), []):
            if child not in found:
                found.add(child)
                frontier.append(child)
    return found


def is_below(session: Session, unit_id: int, ancestor_id: int) -> bool:
    return unit_id != ancestor_id and unit_id in subtree_ids(session, ancestor_id)


def unit_codes(session: Session) -> dict[int, str]:
    """Every unit's code by id, for labelling rows that hold unit ids."""
    return {row.id: row.code for row in session.execute(select(Unit.id, Unit.code))}
