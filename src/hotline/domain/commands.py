"""One typed command per lifecycle action: what the actor asks for, nothing the case decides.

The web API's action schemas build these (after checking the JSON's types); tests and other
callers holding plain values build them by keyword. A command coerces the plain forms a caller
may hold (an enum's value, an ISO date, a list of codes) into its types on construction, and
refuses what cannot be coerced with an :class:`InvalidInput` naming the field. Rules that need
the case (which unit may act, deadlines, required reasons and texts) are the handlers' business
(:mod:`hotline.domain.handlers`): they run after the guard, so an action the case does not allow
is refused as such (403/409) whatever its input.

``reason`` travels with every command: it is written to the history with the action.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields
from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar, Literal, TypeVar

from hotline.domain.errors import InvalidInput
from hotline.domain.indicators import supported_day
from hotline.domain.lifecycle import Action
from hotline.domain.rules import CallbackOutcome, ReopenTarget, ResultType, Satisfaction

Urgency = Literal["normal", "urgent", "emergency"]
URGENCIES: tuple[Urgency, ...] = ("normal", "urgent", "emergency")

Kind = TypeVar("Kind", bound=StrEnum)


def _set(command: object, name: str, value: object) -> None:
    object.__setattr__(command, name, value)  # frozen: coercion happens once, on construction


def _enum(kind: type[Kind], value: object, name: str, message: str | None = None) -> Kind:
    if isinstance(value, kind):
        return value
    try:
        return kind(str(value))
    except ValueError as exc:
        allowed = "/".join(item.value for item in kind)
        raise InvalidInput(message or f"字段「{name}」须为 {allowed}", fields=(name,)) from exc


def _optional_enum(kind: type[Kind], value: object, name: str) -> Kind | None:
    return None if value is None else _enum(kind, value, name)


def _day(value: object, name: str) -> date | None:
    """A calendar day in the supported span (a date, or an ISO ``YYYY-MM-DD``)."""
    if value is None:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return supported_day(value, name)
    try:
        day = date.fromisoformat(str(value))
    except ValueError as exc:
        raise InvalidInput(f"字段「{name}」须为日期 YYYY-MM-DD", fields=(name,)) from exc
    return supported_day(day, name)


def _moment(value: object, name: str) -> datetime | None:
    """An ISO 8601 time in the supported span; one without an offset stays naive (local time,
    applied by the handler, which knows the zone)."""
    if value is None:
        return None
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise InvalidInput(f"字段「{name}」须为 ISO 8601 时间", fields=(name,)) from exc
    supported_day(moment.date(), name)  # year 1 or 9999 would overflow on the way to UTC
    return moment


def _flag(value: object, name: str, *, optional: bool = False) -> bool | None:
    if value is None and optional:
        return None
    if not isinstance(value, bool):
        raise InvalidInput(f"字段「{name}」须为 true 或 false", fields=(name,))
    return value


@dataclass(frozen=True, kw_only=True, slots=True)
class Register:
    """立案: confirm the category (and district, urgency) of a received case."""

    action: ClassVar[Action] = Action.REGISTER
    category_code: str | None = None
    district_code: str | None = None
    urgency: Urgency | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        if self.urgency is not None and self.urgency not in URGENCIES:
            raise InvalidInput(f"紧急程度须为 {'/'.join(URGENCIES)}", fields=("urgency",))


@dataclass(frozen=True, kw_only=True, slots=True)
class AnswerDirectly:
    """直办: the operator answers a consultation at once; the case is finished."""

    action: ClassVar[Action] = Action.ANSWER_DIRECTLY
    reply_text: str
    reason: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Void:
    """作废: no complaint at all (test call, nuisance); the reason is required."""

    action: ClassVar[Action] = Action.VOID
    reason: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Dispatch:
    """派遣: to a lead unit (主办) and co-units (协办), optionally re-sorting the category."""

    action: ClassVar[Action] = Action.DISPATCH
    unit: str
    co_units: tuple[str, ...] = ()
    rule: str | None = None  # the routing rule the dispatcher followed
    category_code: str | None = None  # 重新分类
    reason: str | None = None

    def __post_init__(self) -> None:
        codes: Any = self.co_units
        if not isinstance(codes, list | tuple) or not all(isinstance(c, str) for c in codes):
            raise InvalidInput("协办单位须为单位代码列表", fields=("co_units",))
        _set(self, "co_units", tuple(codes))


@dataclass(frozen=True, kw_only=True, slots=True)
class SubDispatch:
    """下派: the holding unit passes the case to a unit below it."""

    action: ClassVar[Action] = Action.SUB_DISPATCH
    unit: str
    reason: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Accept:
    """签收."""

    action: ClassVar[Action] = Action.ACCEPT
    reason: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Return:
    """退单: not this unit's responsibility; a reason code from the city's list and a reason."""

    action: ClassVar[Action] = Action.RETURN
    reason_code: str
    reason: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class ApproveReturn:
    """同意退单."""

    action: ClassVar[Action] = Action.APPROVE_RETURN
    reason: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class RejectReturn:
    """驳回退单: the unit must handle the case."""

    action: ClassVar[Action] = Action.REJECT_RETURN
    reason: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class RequestExtension:
    """申请延期: exactly one of ``requested_due_at`` or ``extra_working_days``."""

    action: ClassVar[Action] = Action.REQUEST_EXTENSION
    requested_due_at: datetime | None = None
    extra_working_days: float | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        _set(self, "requested_due_at", _moment(self.requested_due_at, "requested_due_at"))
        days: object = self.extra_working_days
        if days is not None and (not isinstance(days, int | float) or isinstance(days, bool)):
            raise InvalidInput("延期天数须为 1–60 的工作日数", fields=("extra_working_days",))


@dataclass(frozen=True, kw_only=True, slots=True)
class ApproveExtension:
    """批准延期: to the requested deadline, or to ``granted_due_at``."""

    action: ClassVar[Action] = Action.APPROVE_EXTENSION
    granted_due_at: datetime | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        _set(self, "granted_due_at", _moment(self.granted_due_at, "granted_due_at"))


@dataclass(frozen=True, kw_only=True, slots=True)
class RefuseExtension:
    """不批准延期: the deadline stays; the reason is required."""

    action: ClassVar[Action] = Action.REFUSE_EXTENSION
    reason: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Reply:
    """办结答复: the unit's answer; a promise (承诺) names the day it will be solved by."""

    action: ClassVar[Action] = Action.REPLY
    result_type: ResultType
    reply_text: str
    promised_on: date | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        allowed = "/".join(item.value for item in ResultType)
        message = f"办结类型须为 {allowed}"
        _set(self, "result_type", _enum(ResultType, self.result_type, "result_type", message))
        _set(self, "promised_on", _day(self.promised_on, "promised_on"))


@dataclass(frozen=True, kw_only=True, slots=True)
class Verify:
    """核查: whether the reply is true; a failure sends the case back to the unit."""

    action: ClassVar[Action] = Action.VERIFY
    passed: bool
    note: str | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        _flag(self.passed, "passed")


@dataclass(frozen=True, kw_only=True, slots=True)
class RecordCallback:
    """回访: the citizen's answer; unreachable callbacks are retried, then closed."""

    action: ClassVar[Action] = Action.RECORD_CALLBACK
    outcome: CallbackOutcome
    process_satisfaction: Satisfaction | None = None
    result_satisfaction: Satisfaction | None = None
    solved: bool | None = None
    comment: str | None = None
    reopen_to: ReopenTarget | None = None  # where a result not satisfied goes back to
    reason: str | None = None

    def __post_init__(self) -> None:
        _flag(self.solved, "solved", optional=True)
        _set(self, "outcome", _enum(CallbackOutcome, self.outcome, "outcome"))
        for name, kind in (
            ("process_satisfaction", Satisfaction),
            ("result_satisfaction", Satisfaction),
            ("reopen_to", ReopenTarget),
        ):
            _set(self, name, _optional_enum(kind, getattr(self, name), name))


@dataclass(frozen=True, kw_only=True, slots=True)
class Reopen:
    """重办: back to the same unit or to the centre for re-sorting; the reason is required."""

    action: ClassVar[Action] = Action.REOPEN
    target: ReopenTarget | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        _set(self, "target", _optional_enum(ReopenTarget, self.target, "target"))


@dataclass(frozen=True, kw_only=True, slots=True)
class Close:
    """结案: the centre closes a replied case."""

    action: ClassVar[Action] = Action.CLOSE
    reason: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class CoOpinion:
    """协办意见: a co-unit's opinion to the lead unit."""

    action: ClassVar[Action] = Action.CO_OPINION
    opinion: str
    reason: str | None = None


Command = (
    Register
    | AnswerDirectly
    | Void
    | Dispatch
    | SubDispatch
    | Accept
    | Return
    | ApproveReturn
    | RejectReturn
    | RequestExtension
    | ApproveExtension
    | RefuseExtension
    | Reply
    | Verify
    | RecordCallback
    | Reopen
    | Close
    | CoOpinion
)

COMMAND_TYPES: dict[Action, type[Command]] = {
    kind.action: kind
    for kind in (
        Register,
        AnswerDirectly,
        Void,
        Dispatch,
        SubDispatch,
        Accept,
        Return,
        ApproveReturn,
        RejectReturn,
        RequestExtension,
        ApproveExtension,
        RefuseExtension,
        Reply,
        Verify,
        RecordCallback,
        Reopen,
        Close,
        CoOpinion,
    )
}


def command_for(action: Action, **values: Any) -> Command:
    """The command for ``action`` from plain values (field names as in the API)."""
    kind = COMMAND_TYPES[action]
    declared = {f.name: f for f in fields(kind)}
    unknown = sorted(set(values) - set(declared))
    if unknown:
        raise InvalidInput(
            f"「{action.value}」没有字段 {'、'.join(unknown)}", fields=tuple(unknown)
        )
    for name, declared_field in declared.items():
        required = declared_field.default is MISSING and declared_field.default_factory is MISSING
        if required and values.get(name) is None:
            raise InvalidInput(f"缺少必填字段「{name}」", fields=(name,))
    return kind(**values)
