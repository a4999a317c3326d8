"""The body of ``POST /api/v1/cases/{number}/actions``: one model per action, a union on ``action``.

The models document each action's fields in OpenAPI and check their types; the rules that need
the case (which unit may act, whether a request is pending, deadlines) are the domain handlers'
business: each body becomes the action's typed command (:mod:`hotline.domain.commands`).
``reason`` is written to the case's history with the action.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from hotline.domain.commands import Command, command_for
from hotline.domain.lifecycle import Action
from hotline.entrypoints.web.bounded_times import BoundedDate, BoundedDateTime
from hotline.entrypoints.web.schemas import Strict

Urgency = Literal["normal", "urgent", "emergency"]
ResultType = Literal["solved", "promised", "explained", "not_founded"]
SatisfactionLevel = Literal["satisfied", "basically_satisfied", "unsatisfied"]
ReopenTarget = Literal["same_unit", "resort"]


def _required_reason() -> Any:
    return Field(min_length=1, max_length=2000, description="原因，必填，记入历史")


class ActionBody(Strict):
    reason: str | None = Field(default=None, max_length=2000, description="原因/说明，记入历史")

    def to_command(self) -> Command:
        """The domain's command for this body (its types checked here; unset fields left out)."""
        values = self.model_dump(exclude={"reason"}, exclude_none=True)
        action = Action(values.pop("action"))  # each subclass declares its own literal
        return command_for(action, reason=self.reason, **values)


class Register(ActionBody):
    """立案: confirm the category (and district, urgency) of a received case."""

    action: Literal["register"]
    category_code: str | None = Field(default=None, max_length=32)
    district_code: str | None = Field(default=None, max_length=16)
    urgency: Urgency | None = None


class AnswerDirectly(ActionBody):
    """直办: the operator answers a consultation at once; the case is finished."""

    action: Literal["answer_directly"]
    reply_text: str = Field(min_length=1, max_length=4000)


class Void(ActionBody):
    """作废: a case that is no complaint (test call, nuisance); the reason is required."""

    action: Literal["void"]
    reason: str = _required_reason()


class Dispatch(ActionBody):
    """派遣: give the case to a lead unit (主办) and optional co-units (协办)."""

    action: Literal["dispatch"]
    unit: str = Field(max_length=32, description="主办单位代码")
    co_units: list[str] = Field(default_factory=list, description="协办单位代码")
    rule: str | None = Field(
        default=None, max_length=64, description="采纳的派遣规则编号（来自 POST /api/v1/route）"
    )
    category_code: str | None = Field(
        default=None, max_length=32, description="重新分类：改为该小类代码（时限按新类别）"
    )


class SubDispatch(ActionBody):
    """下派: the holding unit passes the case to a unit below it."""

    action: Literal["sub_dispatch"]
    unit: str = Field(max_length=32, description="下级单位代码")


class Accept(ActionBody):
    """签收: the holding unit takes the case."""

    action: Literal["accept"]


class Return(ActionBody):
    """退单: the unit sends the case back as not its responsibility."""

    action: Literal["return"]
    reason_code: str = Field(max_length=32, description="退单原因代码，见城市配置 return_reasons")
    reason: str = _required_reason()


class ApproveReturn(ActionBody):
    """同意退单: the case goes back to the centre (or to the unit that sub-dispatched it)."""

    action: Literal["approve_return"]


class RejectReturn(ActionBody):
    """驳回退单: the unit must handle the case."""

    action: Literal["reject_return"]


class RequestExtension(ActionBody):
    """申请延期: give exactly one of ``requested_due_at`` or ``extra_working_days``."""

    action: Literal["request_extension"]
    reason: str = _required_reason()
    requested_due_at: BoundedDateTime | None = Field(
        default=None, description="新的办结期限（2000–2099 年）；无时区的时间按本地时间"
    )
    extra_working_days: float | None = Field(default=None, gt=0, le=60)


class ApproveExtension(ActionBody):
    """批准延期: the deadline moves to the requested (or a granted) time."""

    action: Literal["approve_extension"]
    granted_due_at: BoundedDateTime | None = Field(
        default=None, description="批准的期限（2000–2099 年；无时区按本地时间）；默认按申请"
    )


class RefuseExtension(ActionBody):
    """不批准延期: the deadline stays; the reason is required."""

    action: Literal["refuse_extension"]
    reason: str = _required_reason()


class Reply(ActionBody):
    """办结答复: the unit's answer; a promise (承诺) needs the date it will be solved by."""

    action: Literal["reply"]
    result_type: ResultType
    reply_text: str = Field(min_length=1, max_length=4000)
    promised_on: BoundedDate | None = Field(
        default=None, description="承诺解决日期（result_type=promised；2000–2099 年）"
    )


class Verify(ActionBody):
    """核查: whether the reply is true; a failure sends the case back to the unit as rework."""

    action: Literal["verify"]
    passed: bool
    note: str | None = Field(default=None, max_length=4000)


class RecordCallback(ActionBody):
    """回访: the citizen's satisfaction; unreachable callbacks are retried, then closed."""

    action: Literal["record_callback"]
    outcome: Literal["reached", "unreachable", "refused"]
    process_satisfaction: SatisfactionLevel | None = None
    result_satisfaction: SatisfactionLevel | None = None
    solved: bool | None = None
    comment: str | None = Field(default=None, max_length=4000)
    reopen_to: ReopenTarget | None = Field(default=None, description="结果不满意时重办的去向")


class Reopen(ActionBody):
    """重办: back to the same unit (``same_unit``) or to the centre for re-sorting (``resort``)."""

    action: Literal["reopen"]
    reason: str = _required_reason()
    target: ReopenTarget | None = None


class Close(ActionBody):
    """结案: the centre closes a replied case."""

    action: Literal["close"]


class CoOpinion(ActionBody):
    """协办意见: a co-unit gives the lead unit its opinion while the lead unit holds the case."""

    action: Literal["co_opinion"]
    opinion: str = Field(min_length=1, max_length=4000, description="协办单位的意见，记入历史")


ANY_ACTION = (
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
ActionRequest = Annotated[ANY_ACTION, Field(discriminator="action")]
