"""Supervision (督办单) rules: the four levels, how long the target unit has to answer, which
levels mark the case supervised, and the warning when a 一把手督办 reaches no named head.

Beside the problem ledger's rules (:mod:`hotline.domain.ledger`), which open a 重点督办 when
complaints about one problem pile up. Pure: the services open, answer and close the records.
"""

from __future__ import annotations

from enum import StrEnum


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
