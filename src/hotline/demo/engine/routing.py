"""Who a generated case goes to: the application's routing rules where they load.

``hotline.services.reference.routing`` resolves the profile's rules (routing.yaml) against the
stored units and gives the lead unit, co-units and the sub-dispatch chain; results are cached per
category and place. Should that module be missing or refuse, a fallback sends the case to the
district bureau (or the city bureau) with no chain, so the generator keeps working while routing
evolves.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from hotline.demo.engine.reference import CategoryRef, Place, Reference, UnitRef
from hotline.profile import CityProfile

log = logging.getLogger(__name__)
CACHE_LIMIT = 400_000  # routes per worker (about 150 MB)


@dataclass(frozen=True)
class Route:
    lead: UnitRef
    co_units: tuple[UnitRef, ...]
    chain: tuple[UnitRef, ...]  # the sub-dispatch steps below the lead
    rule: str | None
    district: str  # the district or zone the case belongs to (a zone's streets route there)


class Router:
    def __init__(self, reference: Reference, session: Session, profile: CityProfile) -> None:
        self.reference = reference
        self.cache: dict[tuple[str, ...], Route] = {}
        self.context: Any = None
        self.keys_channel = self.keys_urgency = False
        try:
            from hotline.services.reference.routing import context_from_db

            self.context = context_from_db(session, profile)
            rules = self.context.rules
            self.keys_channel = any(rule.match.channels for rule in rules)
            self.keys_urgency = any(rule.match.urgencies for rule in rules)
        except Exception as exc:  # routing is optional for the generator
            log.warning("routing rules unavailable, using the district fallback: %s", exc)

    def __call__(self, category: CategoryRef, place: Place, channel: str, urgency: str) -> Route:
        key = (
            category.code,
            place.district,
            place.street or "",
            place.community or "",
            channel if self.keys_channel else "",
            urgency if self.keys_urgency else "",
        )
        found = self.cache.get(key)
        if found is None:
            if len(self.cache) > CACHE_LIMIT:
                self.cache.clear()
            found = self.cache[key] = self._route(category, place, channel, urgency)
        return found

    def _route(self, category: CategoryRef, place: Place, channel: str, urgency: str) -> Route:
        if self.context is not None:
            try:
                return self._by_rules(category, place, channel, urgency) or self._fallback(place)
            except Exception as exc:
                log.warning("routing failed for %s, using the fallback: %s", category.code, exc)
                self.context = None
        return self._fallback(place)

    def _by_rules(
        self, category: CategoryRef, place: Place, channel: str, urgency: str
    ) -> Route | None:
        from hotline.domain.routing import route
        from hotline.services.reference.routing import Place as RoutePlace
        from hotline.services.reference.routing import build_query

        where = RoutePlace(place.district, place.street, place.community)
        query = build_query(self.context, category.code, where, channel=channel, urgency=urgency)
        found = route(query, self.context.rules, self.context.directory)
        units = self.reference.units
        if found is None or found.lead not in units:
            return None
        return Route(
            units[found.lead],
            tuple(units[code] for code in found.co_units if code in units),
            tuple(units[code] for code in found.sub_dispatch if code in units),
            found.rule_id,
            query.district_code or place.district,
        )

    def _fallback(self, place: Place) -> Route:
        units = self.reference.units.values()
        bureaus = [
            u
            for u in units
            if u.region_code == place.district and u.kind in ("district_bureau", "zone_bureau")
        ]
        city = [u for u in units if u.kind == "city_bureau"] or list(units)
        return Route((bureaus or city)[0], (), (), None, place.district)
