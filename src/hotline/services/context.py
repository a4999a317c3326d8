"""What every service needs, built once by :mod:`hotline.bootstrap` and passed down."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from hotline.adapters.db.database import Database
from hotline.adapters.notify.base import LogNotifier, Notifier
from hotline.config import Settings
from hotline.domain.deadlines import CalendarClock
from hotline.domain.rules import ClosingRules
from hotline.domain.sla import TimeLimitPolicy
from hotline.profile import CityProfile
from hotline.services.reference.cache import ReferenceCache


@dataclass
class Hotline:
    settings: Settings
    db: Database
    # The working calendar (holidays, 调休, working hours): working-time arithmetic, not a time
    # source. The moment comes from ``now``, read once at an entry point and passed down.
    clock: CalendarClock
    # Reads the moment (bootstrap.utc_now; a test's FakeClock): for entry points and jobs, which
    # pass what it gives down as ``now``; a service takes ``now`` as an argument instead.
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
