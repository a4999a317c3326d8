"""A per-process count of writes to the reference tables (units, categories, regions, channels).

Caches of reference data (services/reference/cache.py) compare it to notice, at once, any change
made through the ORM in this process; changes made by another process reach them when their
time-to-live runs out.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from hotline.adapters.db.models import Category, Channel, Region, Unit

_generation = 0


def generation() -> int:
    return _generation


def _bump(*_args: Any) -> None:
    global _generation
    _generation += 1


for _model in (Unit, Category, Region, Channel):
    for _name in ("after_insert", "after_update", "after_delete"):
        event.listen(_model, _name, _bump)
