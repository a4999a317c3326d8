"""The statuses of the records around a case, named once.

A case's own status and its actions are the lifecycle (:mod:`hotline.domain.lifecycle`); a
ledger problem's are beside the ledger rules (:mod:`hotline.domain.ledger`), a supervision's
beside the supervision levels (:mod:`hotline.domain.supervision`). This module names the rest:
a unit's share of a case, a return or extension request, a queued side effect and an edition's
delivery to one recipient. The database stores each as its ``value`` (a short string column);
code compares and writes members, never bare strings, so a misspelt status fails at import or
under mypy instead of matching nothing.
"""

from __future__ import annotations

from enum import StrEnum


class AssignmentStatus(StrEnum):
    """Where a unit's share of a case (case_assignments.status) stands."""

    PENDING = "pending"  # dispatched to the unit, not yet signed for (待签收)
    ACCEPTED = "accepted"  # signed for, at work (签收); also after a rejected return or reopen
    RETURNED = "returned"  # the unit handed it back (退单), the return was approved
    REPLIED = "replied"  # the unit answered: the lead's reply or a co-unit's opinion (办结)
    ENDED = "ended"  # superseded: a re-dispatch or a close took the work away
    CLOSED = "closed"  # a co-unit that never gave its opinion when the case closed


# The shares still at work: what a unit's inbox lists and a re-dispatch ends.
ASSIGNMENT_AT_WORK = frozenset({AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED})


class RequestStatus(StrEnum):
    """A return (退单) or extension (延期) request's decision (case_requests.status)."""

    PENDING = "pending"  # awaiting the centre (or the approving level)
    APPROVED = "approved"
    REJECTED = "rejected"  # a return the centre turned down (驳回)
    REFUSED = "refused"  # an extension the approver did not grant (不批准)
    WITHDRAWN = "withdrawn"  # its assignment ended before anyone decided


class OutboxStatus(StrEnum):
    """A queued side effect (outbox.status): mail, SMS, enrichment, notices."""

    PENDING = "pending"  # waiting for its run_after_at, or for a retry
    RUNNING = "running"  # claimed by a worker until lease_until_at
    DONE = "done"
    FAILED = "failed"  # gave up after max_attempts


class DeliveryStatus(StrEnum):
    """One report edition mailed to one recipient (report_deliveries.status)."""

    PENDING = "pending"  # queued, not tried yet
    RETRYING = "retrying"  # a try failed; the outbox tries again later
    SENT = "sent"
    FAILED = "failed"  # the last try failed
    SKIPPED = "skipped"  # no mail relay configured: recorded, never sent
