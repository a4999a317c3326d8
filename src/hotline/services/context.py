"""What every service needs, built once by :mod:`hotline.bootstrap` and passed down."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from hotline.adapters.db.database import Database
from hotline.config import Settings
from hotline.domain.rules import ClosingRules
from hotline.profile import CityProfile


class DeadlineClock(Protocol):
    """The working-time arithmetic the services need (see hotline.domain.calendar)."""

    standard_day_minutes: int

    def add_working_minutes(self, start: datetime, minutes: int) -> datetime: ...

    def working_minutes_between(self, earlier: datetime, later: datetime) -> int: ...


@dataclass
class Hotline:
    settings: Settings
    db: Database
    clock: DeadlineClock
    now: Callable[[], datetime]
    enrichment_steps: list[str] = field(default_factory=list)

    @property
    def profile(self) -> CityProfile:
        return self.settings.profile

    @property
    def closing_rules(self) -> ClosingRules:
        return self.profile.closing_rules.to_domain()
