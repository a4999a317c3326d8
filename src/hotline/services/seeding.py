"""``hotline seed``: load the city profile's reference data; idempotent (upsert by code).

Existing rows are updated to match the profile, except fields an administrator has taken over
(``active``); nothing is deleted, so history that points at a retired code stays readable.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.adapters.db.models import Category, Channel, Region, Unit
from hotline.profile import CityProfile
from hotline.services.context import Hotline


@dataclass
class SeedReport:
    channels: int = 0
    regions: int = 0
    units: int = 0
    categories: int = 0


def _seed_channels(session: Session, profile: CityProfile) -> int:
    for order, spec in enumerate(profile.channels):
        row = session.get(Channel, spec.code) or Channel(code=spec.code, active=True)
        row.name, row.sort_order = spec.name, order
        row.needs_callback, row.requires_verification = (
            spec.needs_callback,
            spec.requires_verification,
        )
        session.add(row)
    return len(profile.channels)


def _seed_regions(session: Session, profile: CityProfile) -> int:
    for spec in profile.regions:
        row = session.get(Region, spec.code) or Region(code=spec.code)
        row.name, row.level, row.parent_code = spec.name, spec.level, spec.parent
        session.add(row)
    session.flush()
    return len(profile.regions)


def _seed_units(session: Session, profile: CityProfile) -> int:
    by_code = {unit.code: unit for unit in session.scalars(select(Unit))}
    for spec in profile.units:  # parents come before children in the profile
        row = by_code.get(spec.code) or Unit(code=spec.code, active=True)
        row.name, row.kind, row.region_code = spec.name, spec.kind, spec.region
        row.parent_id = by_code[spec.parent].id if spec.parent else None
        row.head_title, row.phone = spec.head_title, spec.phone
        row.head_name = spec.head_name or row.head_name
        session.add(row)
        session.flush()
        by_code[spec.code] = row
    return len(profile.units)


def _seed_categories(session: Session, profile: CityProfile) -> int:
    for spec in profile.categories:
        row = session.get(Category, spec.code) or Category(code=spec.code, active=True)
        row.name, row.kind, row.level, row.parent_code = (
            spec.name,
            spec.kind,
            spec.level,
            spec.parent,
        )
        row.keywords, row.routing = list(spec.keywords), spec.routing
        row.limits = {key: value.model_dump() for key, value in spec.limits.items()}
        row.default_unit_kind, row.questions = spec.default_unit_kind, list(spec.questions)
        session.add(row)
        session.flush()
    return len(profile.categories)


def seed_reference_data(hotline: Hotline) -> SeedReport:
    profile = hotline.profile
    with hotline.db.transaction() as session:
        return SeedReport(
            channels=_seed_channels(session, profile),
            regions=_seed_regions(session, profile),
            units=_seed_units(session, profile),
            categories=_seed_categories(session, profile),
        )
