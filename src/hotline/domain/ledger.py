"""The problem ledger's rules (挂号销账): when a problem is written off, when it recurs, and when
it goes under priority supervision. Pure: the services hand in the facts and the time.

A problem is written off (销账) only when every case linked to it is finished (结案 or 直办) and
its result was confirmed *after the last complaint came in*: a verification that passed
(核查通过) or a reached callback whose result was satisfied (满意/基本满意). A confirmation
that a later reopen, failed verification or re-sorting took back does not count. Taking the time
of the last complaint as the bar means a complaint that arrives after a confirmation (the
barbecue stall is back) needs a fresh confirmation, while one confirmed visit can settle every
complaint about the same manhole, whoever of the callers could be reached. A consultation
answered on the call (直办) is settled by that answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from hotline.domain.lifecycle import Status

FINISHED = frozenset({Status.CLOSED.value, Status.ANSWERED_DIRECTLY.value})
# A move back to handling takes back any earlier confirmation of the result.
BACK_TO_HANDLING = frozenset(
    {Status.ACCEPTED.value, Status.DISPATCHED.value, Status.REGISTERED.value}
)
SATISFIED = frozenset({"satisfied", "basically_satisfied"})
# The orders the ledger is listed in: oldest first (age); most complaints, most recurrences, or
# latest complaint first.
SORTS = ("age", "count", "recurrences", "recent")


class ProblemStatus(StrEnum):
    OPEN = "open"  # 挂号: on the ledger
    WRITTEN_OFF = "written_off"  # 销账
    MERGED = "merged"  # its cases were moved to another problem (merged_into_id)
    VOID = "void"  # its only cases were voided (作废)


PROBLEM_STATUS_LABELS = {
    ProblemStatus.OPEN: "在账",
    ProblemStatus.WRITTEN_OFF: "已销账",
    ProblemStatus.MERGED: "已合并",
    ProblemStatus.VOID: "已作废",
}


@dataclass(frozen=True, slots=True)
class TrailEvent:
    """What the ledger needs of one history event."""

    action: str
    to_status: str | None
    at: datetime
    details: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class CaseState:
    """One linked case: where it stands, when it came in, when its result was last confirmed."""

    status: str
    received_at: datetime
    confirmed_at: datetime | None


def confirmed_at(events: Iterable[TrailEvent]) -> datetime | None:
    """When the case's result was last confirmed, if no later step took it back.

    ``events`` in history order.
    """
    confirmed: datetime | None = None
    for event in events:
        if _confirms(event):
            confirmed = event.at
        elif event.to_status in BACK_TO_HANDLING:
            confirmed = None
    return confirmed


def _confirms(event: TrailEvent) -> bool:
    if event.action == "answer_directly":  # 直办: the operator settled it on the call itself
        return True
    if event.action == "verify":
        return bool(event.details.get("passed"))
    if event.action == "record_callback" and event.to_status == Status.CLOSED.value:
        return event.details.get("result_satisfaction") in SATISFIED
    return False


def write_off_at(cases: Sequence[CaseState]) -> datetime | None:
    """The confirmation that lets the problem be written off, or None while it may not be."""
    if not cases or any(case.status not in FINISHED for case in cases):
        return None
    confirmations = [case.confirmed_at for case in cases if case.confirmed_at is not None]
    if not confirmations:
        return None
    latest = max(confirmations)
    last_complaint = max(case.received_at for case in cases)
    return latest if latest >= last_complaint else None


def is_recurrence(problem_status: str, case_status: str) -> bool:
    """A complaint still being handled, linked to a written-off problem, is a recurrence."""
    return problem_status == ProblemStatus.WRITTEN_OFF and case_status not in FINISHED


def priority_supervision_due(case_count: int, threshold: int, already_at: str | None) -> bool:
    """Repeated ``threshold`` times or more, and not yet under priority (or higher) supervision."""
    return case_count >= threshold and already_at not in ("priority", "head")
