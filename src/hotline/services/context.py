"""What every service needs, built once by :mod:`hotline.bootstrap` and passed down."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from hotline.adapters.db.database import Database
from hotline.adapters.notify.base import LogNotifier, Notifier
from hotline.config import Settings
from hotline.domain.rules import ClosingRules
from hotline.domain.sla import TimeLimitPolicy
from hotline.profile import CityProfile
from hotline.services.reference.cache import ReferenceCache


class DeadlineClock(Protocol):
    """The working-time arithmetic the services need (see hotline.domain.calendar)."""

    standard_day_minutes: int

    def add_working_minutes(self, start: datetime, minutes: int) -> datetime: ...

    def working_minutes_between(self, earlier: datetime, later: datetime) -> int: ...

    def working_periods(self, day: date) -> tuple[tuple[datetime, datetime], ...]: ...


@dataclass
class Hotline:
    settings: Settings
    db: Database
    clock: DeadlineClock
    now: Callable[[], datetime]
    policy: TimeLimitPolicy = field(default_factory=TimeLimitPolicy)
    notifier: Notifier = field(default_factory=LogNotifier)
    reference: ReferenceCache = field(init=False)

    def __post_init__(self) -> None:
        self.reference = ReferenceCache(self.settings.reference_cache_seconds)

    @property
    def profile(self) -> CityProfile:
        return self.settings.profile

    @property
    def closing_rules(self) -> ClosingRules:
        return self.profile.closing_rules.to_domain()
