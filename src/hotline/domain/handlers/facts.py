"""What a handler reads: the case's facts (read-only protocols), the reference data it looks up,
the rules it applies. Sinks hand these in; a handler never reaches past them.

The online path passes its ORM rows (they satisfy the protocols as they are) and a reference
backed by the session; a bulk sink passes its in-memory rows and reference tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Protocol

from hotline.domain.deadlines import CalendarClock, StageLimits
from hotline.domain.roles import Actor
from hotline.domain.rules import ClosingRules
from hotline.domain.sla import TimeLimitPolicy


class AssignmentRecord(Protocol):
    """One unit's share of a case (主办 chain or 协办)."""

    @property
    def id(self) -> int: ...
    @property
    def unit_id(self) -> int: ...
    @property
    def role(self) -> str: ...
    @property
    def parent_id(self) -> int | None: ...
    @property
    def status(self) -> str: ...
    @property
    def dispatched_at(self) -> datetime: ...
    @property
    def accepted_at(self) -> datetime | None: ...
    @property
    def due_at(self) -> datetime | None: ...


class RequestRecord(Protocol):
    """A unit's return or extension request."""

    @property
    def id(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def assignment_id(self) -> int | None: ...
    @property
    def status(self) -> str: ...
    @property
    def requested_at(self) -> datetime: ...
    @property
    def requested_due_at(self) -> datetime | None: ...


class CaseRecord(Protocol):
    """The case as the handlers read it (requests in the order they were made)."""

    @property
    def status(self) -> str: ...
    @property
    def channel_code(self) -> str: ...
    @property
    def category_code(self) -> str | None: ...
    @property
    def district_code(self) -> str | None: ...
    @property
    def urgency(self) -> str: ...
    @property
    def caller_phone(self) -> str | None: ...
    @property
    def anonymous(self) -> bool: ...
    @property
    def supervised(self) -> bool: ...
    @property
    def lead_unit_id(self) -> int | None: ...
    @property
    def accept_due_at(self) -> datetime | None: ...
    @property
    def reply_due_at(self) -> datetime | None: ...
    @property
    def result_type(self) -> str | None: ...
    @property
    def callback_attempts(self) -> int: ...
    @property
    def reopen_count(self) -> int: ...
    @property
    def extension_count(self) -> int: ...
    @property
    def assignments(self) -> Sequence[AssignmentRecord]: ...
    @property
    def requests(self) -> Sequence[RequestRecord]: ...


@dataclass(frozen=True, slots=True)
class UnitInfo:
    """A unit as an action needs it."""

    id: int
    code: str
    region_code: str | None
    contact: str | None  # who answers for it (交办 names the person), see units.contact_label


@dataclass(frozen=True, slots=True)
class ChannelInfo:
    needs_callback: bool = True
    requires_verification: bool = False


class Reference(Protocol):
    """The reference data a handler looks up (units, categories, regions, channels)."""

    def unit(self, code: str) -> UnitInfo | None:
        """The active unit with ``code``."""
        ...

    def unit_by_id(self, unit_id: int) -> UnitInfo | None: ...

    def is_below(self, unit_id: int, ancestor_id: int) -> bool:
        """Whether ``unit_id`` is strictly below ``ancestor_id`` in the organisation."""
        ...

    def category_active(self, code: str) -> bool: ...

    def region_exists(self, code: str) -> bool: ...

    def channel(self, code: str) -> ChannelInfo | None: ...

    def stage_limits(self, category_code: str | None, urgency: str) -> StageLimits:
        """The category's limits for ``urgency`` (its normal ones, else the city's default)."""
        ...


@dataclass(frozen=True, slots=True)
class Rules:
    """The city's rules the handlers apply."""

    clock: CalendarClock
    policy: TimeLimitPolicy
    closing: ClosingRules
    tz: tzinfo
    return_reasons: tuple[str, ...] = ()  # empty: any code


@dataclass(frozen=True, slots=True)
class Context:
    """Who acts, when, under which rules, with which reference data."""

    actor: Actor
    now: datetime
    rules: Rules
    reference: Reference
