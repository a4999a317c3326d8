"""The code lists a screen needs to show Chinese names instead of codes: channels, return
reasons and administrative regions. Read-only; every staff role may read them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from hotline.adapters.db.models import Channel, Region
from hotline.domain.roles import Actor, Permission, require
from hotline.services.context import Hotline

TOP_LEVELS = ("district", "zone")  # 区县 and 功能区: what a district filter offers


def vocabularies(
    hotline: Hotline, actor: Actor, region_parent: str | None = None
) -> dict[str, Any]:
    """Channels in the profile's order, return reasons, and the regions directly under
    ``region_parent`` (the districts and zones when it is not given)."""
    require(actor.role, Permission.READ_CASE)
    with hotline.db.transaction() as session:
        channels = session.scalars(select(Channel).order_by(Channel.sort_order, Channel.code))
        regions_stmt = select(Region).order_by(Region.code)
        if region_parent is None:
            regions_stmt = regions_stmt.where(Region.level.in_(TOP_LEVELS))
        else:
            regions_stmt = regions_stmt.where(Region.parent_code == region_parent)
        return {
            "channels": [{"code": c.code, "name": c.name, "active": c.active} for c in channels],
            "return_reasons": [
                {"code": code, "name": name}
                for code, name in hotline.profile.return_reasons.items()
            ],
            "regions": [
                {"code": r.code, "name": r.name, "level": r.level, "parent": r.parent_code}
                for r in session.scalars(regions_stmt)
            ],
        }
