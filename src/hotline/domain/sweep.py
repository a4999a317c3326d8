"""The deadline sweep's rules (docs/calendar.md): which line of a case it raises at ``now``, and
what raising one changes. Pure; :mod:`hotline.services.actions.sweeps` claims the cases in
batches and applies the decisions set-based, a bulk sink (the demo generator) case by case.

Each stage (签收 accept, 办结 reply) has a warning line and a deadline on the case, and a marker
column stamped when the line is raised, so that each is raised exactly once. A line is raised at
the line itself (``line <= now``) while the stage's clock runs (the case is in one of the stage's
states) and its marker is unset. A warning opens a 催办, a breach a 督办, addressed to the lead
unit, each once per stage and line (its ``source``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from hotline.domain.changes import CaseField, Event, Value
from hotline.domain.lifecycle import Status
from hotline.domain.supervision import Escalation, SupervisionLevel

# The states in which a stage's clock runs (the partial indexes of the claim read the same).
SWEPT_STATUSES: Mapping[str, tuple[str, ...]] = {
    "accept": (Status.DISPATCHED.value,),
    "reply": (Status.DISPATCHED.value, Status.ACCEPTED.value),
}
SWEEP_ACTOR = "system"


class SweptCase(Protocol):
    """A case as the sweep reads it: its state, lines, deadlines and markers."""

    @property
    def status(self) -> str: ...
    @property
    def accept_late(self) -> bool | None: ...
    @property
    def accept_warn_at(self) -> datetime | None: ...
    @property
    def accept_due_at(self) -> datetime | None: ...
    @property
    def reply_warn_at(self) -> datetime | None: ...
    @property
    def reply_due_at(self) -> datetime | None: ...
    @property
    def accept_warned_at(self) -> datetime | None: ...
    @property
    def accept_breached_at(self) -> datetime | None: ...
    @property
    def reply_warned_at(self) -> datetime | None: ...
    @property
    def reply_breached_at(self) -> datetime | None: ...


@dataclass(frozen=True, slots=True)
class SweepRule:
    """One line the sweep watches: its column on the case, the marker it stamps, and the
    supervision it opens."""

    stage: str  # accept | reply
    kind: str  # warning | breach
    line: CaseField  # the case column holding the line
    marker: CaseField  # the case column stamped when it is raised
    level: SupervisionLevel
    label: str  # the event's reason and the supervision's

    @property
    def key(self) -> str:
        return f"{self.stage}_{self.kind}"

    @property
    def statuses(self) -> tuple[str, ...]:
        """The states in which this stage's clock runs."""
        return SWEPT_STATUSES[self.stage]

    @property
    def source(self) -> str:
        """The supervision source: one open supervision per stage and line."""
        return f"sla_{self.key}"

    @property
    def deadline(self) -> CaseField:
        """The stage's deadline column (named in the event)."""
        return "accept_due_at" if self.stage == "accept" else "reply_due_at"

    def escalation(self) -> Escalation:
        return Escalation(self.level, self.label, self.source, SWEEP_ACTOR)

    def stamp(self, now: datetime) -> dict[CaseField, Value]:
        """The marker that makes the line raised once."""
        return {self.marker: now}


URGE, SUPERVISE = SupervisionLevel.URGE, SupervisionLevel.SUPERVISE
# In the order the sweep raises them.
RULES = (
    SweepRule("accept", "warning", "accept_warn_at", "accept_warned_at", URGE, "签收即将超时"),
    SweepRule("accept", "breach", "accept_due_at", "accept_breached_at", SUPERVISE, "签收超时"),
    SweepRule("reply", "warning", "reply_warn_at", "reply_warned_at", URGE, "办结即将超期"),
    SweepRule("reply", "breach", "reply_due_at", "reply_breached_at", SUPERVISE, "办结超期"),
)


def is_due(rule: SweepRule, case: SweptCase, now: datetime) -> bool:
    """Whether the sweep raises ``rule``'s line of ``case`` at ``now``."""
    line: datetime | None = getattr(case, rule.line)
    if line is None or line > now or getattr(case, rule.marker) is not None:
        return False
    if case.status not in rule.statuses:
        return False
    # A sub-dispatch puts the case back to dispatched after the lead unit accepted; the centre's
    # accept stage is settled then (accept_late frozen) and is not swept.
    return not (rule.stage == "accept" and case.accept_late is not None)


def due_rules(case: SweptCase, now: datetime) -> tuple[SweepRule, ...]:
    """The lines of ``case`` a sweep at ``now`` raises, in the order it raises them."""
    return tuple(rule for rule in RULES if is_due(rule, case, now))


@dataclass(frozen=True, slots=True)
class RaisedLine:
    """What raising one line changes: the marker (the supervision's mark, if it opens one, is
    the sink's: it is skipped while one of its level and source is open), the ``sla_warning`` /
    ``sla_breach`` event, and the supervision to open."""

    rule: SweepRule
    case_changes: Mapping[CaseField, Value]
    event: Event
    escalation: Escalation


def raise_line(
    rule: SweepRule, status: str, deadline: datetime | None, now: datetime
) -> RaisedLine:
    """Raise ``rule``'s line at ``now`` on a case in ``status`` whose stage deadline is
    ``deadline``."""
    details = {"stage": rule.stage, "due_at": deadline.isoformat() if deadline else None}
    event = Event(f"sla_{rule.kind}", SWEEP_ACTOR, now, status, status, rule.label, details)
    return RaisedLine(rule, rule.stamp(now), event, rule.escalation())
