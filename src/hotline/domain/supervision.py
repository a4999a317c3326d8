"""Supervision (督办单) rules: the four levels, how long the target unit has to answer, which
levels mark the case supervised, and the warning when a 一把手督办 reaches no named head.

Beside the problem ledger's rules (:mod:`hotline.domain.ledger`), which open a 重点督办 when
complaints about one problem pile up. Pure: the services open, answer and close the records.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from hotline.domain.sla import WorkingClock


class SupervisionLevel(StrEnum):
    """From the lightest to the heaviest: 催办 → 督办 → 重点督办 → 一把手督办."""

    URGE = "urge"  # 催办
    SUPERVISE = "supervise"  # 督办
    PRIORITY = "priority"  # 重点督办
    HEAD = "head"  # 一把手督办


class SupervisionStatus(StrEnum):
    OPEN = "open"  # waiting for the target unit's answer
    RESPONDED = "responded"  # the unit answered; the supervisor has not closed it
    CLOSED = "closed"  # closed by a supervisor, or by the problem's write-off


LEVEL_LABELS = {
    SupervisionLevel.URGE: "催办",
    SupervisionLevel.SUPERVISE: "督办",
    SupervisionLevel.PRIORITY: "重点督办",
    SupervisionLevel.HEAD: "一把手督办",
}
# Working days the target unit has to answer, counted from the opening.
RESPONSE_WORKING_DAYS = {
    SupervisionLevel.URGE: 1,
    SupervisionLevel.SUPERVISE: 2,
    SupervisionLevel.PRIORITY: 3,
    SupervisionLevel.HEAD: 3,
}
# A 催办 is a reminder; from 督办 up the case itself carries the mark (cases.supervised).
MARKS_CASE_SUPERVISED = frozenset(
    {SupervisionLevel.SUPERVISE, SupervisionLevel.PRIORITY, SupervisionLevel.HEAD}
)

NO_HEAD_WARNING = "目标单位未登记一把手姓名，一把手督办无法落实到人：请管理员在单位资料中补录"


def head_warning(level: str, head_name: str | None) -> str | None:
    """A 一把手督办 of a unit without a named head reaches nobody: say so."""
    if level == SupervisionLevel.HEAD and not head_name:
        return NO_HEAD_WARNING
    return None


# --- Opening one (the decision; the sinks write the record, the event and the notice) ---------


@dataclass(frozen=True, slots=True)
class TargetUnit:
    """The unit a supervision is addressed to, as its record, event and notice name it."""

    id: int
    code: str
    name: str
    head_name: str | None
    head_title: str | None
    contact: str | None  # who answers for it (services.reference.units.contact_label)


class SupervisionRecord(Protocol):
    """An existing supervision, as the once-per-level-and-source rule reads it."""

    @property
    def level(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def status(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Escalation:
    """A decision to supervise: which level, why (``reason``, for people; ``source``, for the
    once-per-level-and-source rule), by whom."""

    level: SupervisionLevel
    reason: str
    source: str
    actor: str = "system"


@dataclass(frozen=True, slots=True)
class Subject:
    """What is supervised: a case, or (``problem_id``) a ledger problem through the complaint
    that triggered it, whose history records the supervision."""

    case_id: int
    case_number: str
    district_code: str | None
    problem_id: int | None = None

    @classmethod
    def of_problem(
        cls,
        problem_id: int,
        problem_district: str | None,
        case_id: int,
        case_number: str,
        case_district: str | None,
    ) -> Subject:
        """A problem's supervision, in the district of the problem (else of the case)."""
        return cls(case_id, case_number, problem_district or case_district, problem_id)


def response_due(clock: WorkingClock, level: SupervisionLevel, now: datetime) -> datetime:
    """When the target unit must have answered a supervision opened at ``now``."""
    # Imported here: deadlines → changes → supervision (changes names the levels).
    from hotline.domain.deadlines import add_working_days

    return add_working_days(clock, now, RESPONSE_WORKING_DAYS[level])


def already_open(existing: Iterable[SupervisionRecord], level: str, source: str) -> bool:
    """A level and source is opened once while one of them is not closed (idempotency)."""
    return any(
        record.level == level and record.source == source
        and record.status != SupervisionStatus.CLOSED
        for record in existing
    )  # fmt: skip


def case_changes(level: str, now: datetime) -> dict[str, object]:
    """What opening a supervision changes on the case row: from 督办 up, the mark."""
    changes: dict[str, object] = {"updated_at": now}
    if level in MARKS_CASE_SUPERVISED:
        changes["supervised"] = True
    return changes


@dataclass(frozen=True, slots=True)
class NewSupervision:
    """One supervision decided: its record, the ``supervise`` event's details and the
    notification all come from here, whichever sink writes them (the ORM one online, a bulk one
    for generated data), so they cannot drift apart. The sink allocates the id."""

    subject: Subject
    escalation: Escalation
    unit: TargetUnit | None
    now: datetime
    due_at: datetime

    @property
    def level(self) -> SupervisionLevel:
        return self.escalation.level

    def record(self) -> dict[str, object]:
        """The supervision row's columns (id left to the sink)."""
        unit = self.unit
        return {
            "case_id": self.subject.case_id,
            "problem_id": self.subject.problem_id,
            "level": self.level.value,
            "source": self.escalation.source,
            "reason": self.escalation.reason,
            "target_unit_id": unit.id if unit else None,
            "head_name": unit.head_name if unit else None,
            "head_title": unit.head_title if unit else None,
            "district_code": self.subject.district_code,
            "status": SupervisionStatus.OPEN.value,
            "created_at": self.now,
            "created_by": self.escalation.actor,
            "due_at": self.due_at,
        }

    def event_details(self, supervision_id: int) -> dict[str, object]:
        """The ``supervise`` history event's details (the case's status does not change)."""
        details: dict[str, object] = {
            "supervision": supervision_id,
            "level": self.level.value,
            "source": self.escalation.source,
            "unit": self.unit.code if self.unit else None,
            "head": self.unit.contact if self.unit else None,
        }
        if warning := head_warning(self.level, self.unit.head_name if self.unit else None):
            details["warning"] = warning
        if self.subject.problem_id is not None:
            details["problem"] = self.subject.problem_id
        return details

    def notice(self, supervision_id: int) -> dict[str, object]:
        """The notification to the target unit (an outbox ``notify`` job's payload)."""
        return {
            "template": "supervision",
            "supervision": supervision_id,
            "case": self.subject.case_number,
            "level": self.level.value,
            "unit": self.unit.code if self.unit else None,
            "head": self.unit.contact if self.unit else None,
        }

    def case_changes(self) -> dict[str, object]:
        return case_changes(self.level, self.now)


def open_supervision(
    subject: Subject,
    escalation: Escalation,
    unit: TargetUnit | None,
    clock: WorkingClock,
    now: datetime,
    existing: Iterable[SupervisionRecord] = (),
) -> NewSupervision | None:
    """Open a supervision of ``subject`` addressed to ``unit``; None when one of this level and
    source is open among ``existing`` (the subject's supervisions: the case's, or the problem's
    for a problem's supervision)."""
    if already_open(existing, escalation.level, escalation.source):
        return None
    due_at = response_due(clock, escalation.level, now)
    return NewSupervision(subject, escalation, unit, now, due_at)
