"""The case lifecycle: states, actions and the one transition table (docs/lifecycle.md).

Some actions have several possible targets (a reply goes to verification, callback or straight to
the centre's review); the table lists every allowed target and the service chooses among them with
the rules in :mod:`hotline.domain.rules`. A (state, action) pair absent from the table is illegal.
"""

from __future__ import annotations

from enum import StrEnum

from hotline.domain.errors import IllegalTransition


class Status(StrEnum):
    RECEIVED = "received"  # 登记 (numbered)
    REGISTERED = "registered"  # 立案
    ANSWERED_DIRECTLY = "answered_directly"  # 直办
    VOID = "void"  # 作废
    DISPATCHED = "dispatched"  # 派遣
    ACCEPTED = "accepted"  # 签收
    RETURNED = "returned"  # 退单, awaiting the centre (or the parent unit)
    REPLIED = "replied"  # 办结, awaiting the centre's close
    VERIFYING = "verifying"  # 核查
    CALLBACK_PENDING = "callback_pending"  # 待回访
    CLOSED = "closed"  # 结案


class Action(StrEnum):
    REGISTER = "register"
    ANSWER_DIRECTLY = "answer_directly"
    VOID = "void"
    DISPATCH = "dispatch"
    SUB_DISPATCH = "sub_dispatch"
    ACCEPT = "accept"
    RETURN = "return"
    APPROVE_RETURN = "approve_return"
    REJECT_RETURN = "reject_return"
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    REFUSE_EXTENSION = "refuse_extension"
    REPLY = "reply"
    VERIFY = "verify"
    RECORD_CALLBACK = "record_callback"
    REOPEN = "reopen"
    CLOSE = "close"
    CO_OPINION = "co_opinion"


STATUS_LABELS: dict[Status, str] = {
    Status.RECEIVED: "已登记",
    Status.REGISTERED: "已立案",
    Status.ANSWERED_DIRECTLY: "直接答复",
    Status.VOID: "已作废",
    Status.DISPATCHED: "已派遣",
    Status.ACCEPTED: "已签收",
    Status.RETURNED: "退单待审",
    Status.REPLIED: "已办结",
    Status.VERIFYING: "核查中",
    Status.CALLBACK_PENDING: "待回访",
    Status.CLOSED: "已结案",
}

ACTION_LABELS: dict[Action, str] = {
    Action.REGISTER: "立案",
    Action.ANSWER_DIRECTLY: "直接答复",
    Action.VOID: "作废",
    Action.DISPATCH: "派遣",
    Action.SUB_DISPATCH: "下派",
    Action.ACCEPT: "签收",
    Action.RETURN: "退单",
    Action.APPROVE_RETURN: "同意退单",
    Action.REJECT_RETURN: "驳回退单",
    Action.REQUEST_EXTENSION: "申请延期",
    Action.APPROVE_EXTENSION: "批准延期",
    Action.REFUSE_EXTENSION: "不批准延期",
    Action.REPLY: "办结答复",
    Action.VERIFY: "核查",
    Action.RECORD_CALLBACK: "回访",
    Action.REOPEN: "重办",
    Action.CLOSE: "结案",
    Action.CO_OPINION: "协办意见",
}

S = Status
A = Action

# The one transition table: (state, action) → every state the action may lead to.
TRANSITIONS: dict[tuple[Status, Action], frozenset[Status]] = {
    (S.RECEIVED, A.REGISTER): frozenset({S.REGISTERED}),
    (S.RECEIVED, A.ANSWER_DIRECTLY): frozenset({S.ANSWERED_DIRECTLY}),
    (S.RECEIVED, A.VOID): frozenset({S.VOID}),
    (S.REGISTERED, A.DISPATCH): frozenset({S.DISPATCHED}),
    (S.REGISTERED, A.VOID): frozenset({S.VOID}),
    (S.DISPATCHED, A.ACCEPT): frozenset({S.ACCEPTED}),
    (S.DISPATCHED, A.RETURN): frozenset({S.RETURNED}),
    (S.DISPATCHED, A.REQUEST_EXTENSION): frozenset({S.DISPATCHED}),
    (S.DISPATCHED, A.APPROVE_EXTENSION): frozenset({S.DISPATCHED}),
    (S.DISPATCHED, A.REFUSE_EXTENSION): frozenset({S.DISPATCHED}),
    (S.ACCEPTED, A.SUB_DISPATCH): frozenset({S.DISPATCHED}),
    (S.ACCEPTED, A.RETURN): frozenset({S.RETURNED}),
    (S.ACCEPTED, A.REQUEST_EXTENSION): frozenset({S.ACCEPTED}),
    (S.ACCEPTED, A.APPROVE_EXTENSION): frozenset({S.ACCEPTED}),
    (S.ACCEPTED, A.REFUSE_EXTENSION): frozenset({S.ACCEPTED}),
    (S.ACCEPTED, A.REPLY): frozenset({S.VERIFYING, S.CALLBACK_PENDING, S.REPLIED}),
    # A co-unit (协办) gives its opinion to the lead unit while the lead unit holds the case;
    # the case itself does not move.
    (S.DISPATCHED, A.CO_OPINION): frozenset({S.DISPATCHED}),
    (S.ACCEPTED, A.CO_OPINION): frozenset({S.ACCEPTED}),
    # A return from a sub-dispatched unit goes back to its parent unit (accepted); a lead unit's
    # return goes back to the centre for re-dispatch (registered).
    (S.RETURNED, A.APPROVE_RETURN): frozenset({S.REGISTERED, S.ACCEPTED}),
    (S.RETURNED, A.REJECT_RETURN): frozenset({S.ACCEPTED}),
    (S.REPLIED, A.CLOSE): frozenset({S.CLOSED}),
    (S.REPLIED, A.REOPEN): frozenset({S.DISPATCHED, S.REGISTERED}),
    (S.VERIFYING, A.VERIFY): frozenset({S.CALLBACK_PENDING, S.CLOSED, S.ACCEPTED}),
    (S.CALLBACK_PENDING, A.RECORD_CALLBACK): frozenset(
        {S.CLOSED, S.CALLBACK_PENDING, S.DISPATCHED, S.REGISTERED}
    ),
    (S.CALLBACK_PENDING, A.REOPEN): frozenset({S.DISPATCHED, S.REGISTERED}),
    (S.CALLBACK_PENDING, A.CLOSE): frozenset({S.CLOSED}),
    (S.CLOSED, A.REOPEN): frozenset({S.DISPATCHED, S.REGISTERED}),
}

TERMINAL: frozenset[Status] = frozenset({S.ANSWERED_DIRECTLY, S.VOID})


def allowed_actions(status: Status) -> list[Action]:
    """The actions the table allows from ``status``, in declaration order."""
    return [action for (state, action) in TRANSITIONS if state == status]


def targets(status: Status, action: Action) -> frozenset[Status]:
    """Every state ``action`` may lead to from ``status``; refuses an illegal pair."""
    allowed = TRANSITIONS.get((status, action))
    if allowed is None:
        raise IllegalTransition(
            f"工单处于「{STATUS_LABELS[status]}」状态，不能执行「{ACTION_LABELS[action]}」"
            f"（{status.value} → {action.value}）"
        )
    return allowed


def transition(status: Status, action: Action, chosen: Status) -> Status:
    """Check that ``action`` may take a case from ``status`` to ``chosen``; return ``chosen``."""
    allowed = targets(status, action)
    if chosen not in allowed:
        raise IllegalTransition(
            f"「{ACTION_LABELS[action]}」不能使工单从「{STATUS_LABELS[status]}」"
            f"变为「{STATUS_LABELS[chosen]}」"
        )
    return chosen
