"""Time-limit policy and SLA states (docs/time-limits.md): warnings, breaches, channel overrides,
extension approval levels. Pure: the working clock is passed in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from hotline.domain.errors import InvalidInput
from hotline.domain.lifecycle import Status


class WorkingClock(Protocol):
    standard_day_minutes: int

    def add_working_minutes(self, start: datetime, minutes: int) -> datetime: ...

    def working_minutes_between(self, earlier: datetime, later: datetime) -> int: ...


class SlaState(StrEnum):
    ON_TRACK = "on_track"  # 正常
    WARNING = "warning"  # 预警 (past the warning line)
    OVERDUE = "overdue"  # 超期, stage still open
    MET = "met"  # settled in time
    MISSED = "missed"  # settled late


class Stage(StrEnum):
    ACCEPT = "accept"  # 签收
    REPLY = "reply"  # 办结
    VERIFY = "verify"  # 核查
    CALLBACK = "callback"  # 回访


@dataclass(frozen=True)
class ChannelLimit:
    """A channel's own reply limit: ``same_day`` (媒体曝光 当日办结) or N working days."""

    same_day: bool = False
    reply_working_days: float | None = None


@dataclass(frozen=True)
class ExtensionLevel:
    name: str  # duty_chief | section_head | centre_leader
    label: str
    up_to_working_days: float | None  # None: no upper bound
    roles: frozenset[str]
    city_level_only: bool = False


DEFAULT_LEVELS = (
    ExtensionLevel("duty_chief", "值班长", 3, frozenset({"dispatcher", "leader"})),
    ExtensionLevel("section_head", "科长", 10, frozenset({"leader"})),
    ExtensionLevel("centre_leader", "中心领导", None, frozenset({"leader"}), city_level_only=True),
)


@dataclass(frozen=True)
class TimeLimitPolicy:
    warn_fraction: float = 0.75
    verify_working_days: float = 2
    callback_working_days: float = 2
    callback_retry_minutes: int = 120  # spacing between attempts to reach a citizen
    max_extensions: int = 2
    extension_levels: tuple[ExtensionLevel, ...] = DEFAULT_LEVELS
    channel_limits: dict[str, ChannelLimit] = field(
        default_factory=lambda: {
            "media": ChannelLimit(same_day=True),
            "deputy": ChannelLimit(reply_working_days=10),
        }
    )


def warning_line(clock: WorkingClock, start: datetime, due: datetime, fraction: float) -> datetime:
    """The instant ``fraction`` of the stage's working time has passed (natural time where the
    stage has no working time at all, e.g. an emergency over a weekend)."""
    total = clock.working_minutes_between(start, due)
    if total <= 0:
        return start + (due - start) * fraction
    return clock.add_working_minutes(start, int(total * fraction))


# 登记 and 立案: the case is with the centre and no unit's stage clock runs. A case sent back for
# re-sorting (重新分拣, after an unsatisfied callback or an approved return) keeps its last round's
# deadlines until the next dispatch sets new ones; they are history then, not a running clock.
CENTRE_HELD: frozenset[str] = frozenset({Status.RECEIVED.value, Status.REGISTERED.value})


def stages_run(status: str) -> bool:
    """Whether a case in ``status`` has stage clocks running (a unit holds it, or it is open
    past the centre); a closed case's stages are settled, which ``sla_state`` reads."""
    return status not in CENTRE_HELD


def sla_state(
    due: datetime | None,
    warn_at: datetime | None,
    now: datetime,
    settled_at: datetime | None = None,
) -> SlaState | None:
    """The state of one stage; None where the stage has no deadline."""
    if due is None:
        return None
    if settled_at is not None:
        return SlaState.MET if settled_at <= due else SlaState.MISSED
    if now > due:
        return SlaState.OVERDUE
    if warn_at is not None and now >= warn_at:
        return SlaState.WARNING
    return SlaState.ON_TRACK


def extension_level(policy: TimeLimitPolicy, working_days: float) -> ExtensionLevel:
    """The approval level an extension of ``working_days`` needs (the first that covers it)."""
    for level in policy.extension_levels:
        if level.up_to_working_days is None or working_days <= level.up_to_working_days:
            return level
    raise InvalidInput(
        f"延期 {working_days:g} 个工作日超出可批准范围", fields=("requested_due_at",)
    )


def may_approve(level: ExtensionLevel, role: str, district_code: str | None) -> bool:
    if role not in level.roles:
        return False
    return not (level.city_level_only and district_code is not None)


def approval_level(
    clock: WorkingClock,
    policy: TimeLimitPolicy,
    reply_due_at: datetime | None,
    due: datetime,
    now: datetime,
) -> ExtensionLevel:
    """Who may approve moving the reply deadline to ``due``, by the working days it adds to the
    current deadline (to now, where the case has none)."""
    minutes = clock.working_minutes_between(reply_due_at or now, due)
    return extension_level(policy, max(minutes, 0) / clock.standard_day_minutes)
