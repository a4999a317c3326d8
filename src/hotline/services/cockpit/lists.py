"""The cases behind one cockpit figure, as the caller may see them (one read transaction)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from hotline.domain.roles import Actor
from hotline.services.cockpit.figures import window_of
from hotline.services.cockpit.tiles import TILES, TileQuery, tile_cases
from hotline.services.context import Hotline

LABELS = {tile.key: tile.label for tile in TILES}


def cases_behind_tile(
    hotline: Hotline, actor: Actor, day: date, query: TileQuery, now: datetime
) -> dict[str, Any]:
    """The tile's count for the day (and district), how many the caller sees, a page of them."""
    window = window_of(hotline, day, now)
    with hotline.db.transaction() as session:
        listed = tile_cases(session, window, query, actor)
    return {
        "tile": query.tile,
        "label": LABELS[query.tile],
        "day": day.isoformat(),
        "district": query.district,
        **listed,
    }
