"""The handlers' reference data and rules, read from the database and the city's settings."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.adapters.db.models import Category, Channel, Region, Unit
from hotline.domain.deadlines import StageLimits
from hotline.domain.handlers.facts import ChannelInfo, Rules, UnitInfo
from hotline.services.actions.deadlines import domain_limits
from hotline.services.context import Hotline
from hotline.services.reference.units import contact_label, is_below


def _info(unit: Unit) -> UnitInfo:
    return UnitInfo(unit.id, unit.code, unit.region_code, contact_label(unit))


class SessionReference:
    """:class:`hotline.domain.handlers.facts.Reference` over the action's session."""

    def __init__(self, hotline: Hotline, session: Session) -> None:
        self.hotline, self.session = hotline, session

    def unit(self, code: str) -> UnitInfo | None:
        unit = self.session.scalars(select(Unit).where(Unit.code == code)).first()
        return _info(unit) if unit is not None and unit.active else None

    def unit_by_id(self, unit_id: int) -> UnitInfo | None:
        unit = self.session.get(Unit, unit_id)
        return _info(unit) if unit is not None else None

    def is_below(self, unit_id: int, ancestor_id: int) -> bool:
        return is_below(self.session, unit_id, ancestor_id)

    def category_active(self, code: str) -> bool:
        category = self.session.get(Category, code)
        return category is not None and category.active

    def region_exists(self, code: str) -> bool:
        return self.session.get(Region, code) is not None

    def channel(self, code: str) -> ChannelInfo | None:
        channel = self.session.get(Channel, code)
        if channel is None:
            return None
        return ChannelInfo(channel.needs_callback, channel.requires_verification)

    def stage_limits(self, category_code: str | None, urgency: str) -> StageLimits:
        category = self.session.get(Category, category_code) if category_code else None
        return domain_limits(self.hotline, category, urgency)


def handler_rules(hotline: Hotline) -> Rules:
    return Rules(
        clock=hotline.clock,
        policy=hotline.policy,
        closing=hotline.closing_rules,
        tz=hotline.settings.tz,
        return_reasons=tuple(hotline.profile.return_reasons),
    )


class MemoryReference:
    """:class:`hotline.domain.handlers.facts.Reference` over reference rows read once (the bulk
    sink's: no session per action). The rows are detached; nothing here writes."""

    def __init__(self, hotline: Hotline, session: Session) -> None:
        self.hotline = hotline
        self.units = {unit.id: unit for unit in session.scalars(select(Unit))}
        self.by_code = {unit.code: unit for unit in self.units.values()}
        self.categories = {c.code: c for c in session.scalars(select(Category))}
        self.regions = set(session.scalars(select(Region.code)))
        self.channels = {c.code: c for c in session.scalars(select(Channel))}
        session.expunge_all()

    def unit(self, code: str) -> UnitInfo | None:
        unit = self.by_code.get(code)
        return _info(unit) if unit is not None and unit.active else None

    def unit_by_id(self, unit_id: int) -> UnitInfo | None:
        unit = self.units.get(unit_id)
        return _info(unit) if unit is not None else None

    def is_below(self, unit_id: int, ancestor_id: int) -> bool:
        parent = self.units[unit_id].parent_id if unit_id in self.units else None
        while parent is not None:
            if parent == ancestor_id:
                return True
            parent = self.units[parent].parent_id
        return False

    def category_active(self, code: str) -> bool:
        category = self.categories.get(code)
        return category is not None and category.active

    def region_exists(self, code: str) -> bool:
        return code in self.regions

    def channel(self, code: str) -> ChannelInfo | None:
        channel = self.channels.get(code)
        if channel is None:
            return None
        return ChannelInfo(channel.needs_callback, channel.requires_verification)

    def stage_limits(self, category_code: str | None, urgency: str) -> StageLimits:
        category = self.categories.get(category_code) if category_code else None
        return domain_limits(self.hotline, category, urgency)
