"""Exclusions and appeals (剔除/申诉), only as recorded: a request names a case to exclude from one
indicator or deduction, or points to add or take from one entity, with a reason; a city leader or
administrator other than the requester approves or rejects it. Only approved adjustments count
in the evaluation. Every step is appended to the adjustment's audit trail.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from hotline.adapters.db.models import Case, EvaluationAdjustment, EvaluationAdjustmentEvent, User
from hotline.domain.errors import ConcurrentChange, Conflict, Forbidden, InvalidInput, NotFound
from hotline.domain.indicators import month_period
from hotline.domain.roles import Actor, Permission, may
from hotline.domain.scoring import INDICATOR_NAMES, KNOWN_DEDUCTIONS, KNOWN_INDICATORS
from hotline.services.accounts.users import actor_of
from hotline.services.context import Hotline
from hotline.services.evaluation.inputs import check_entity_kind, entities_of

KINDS = ("exclude", "points")
STATUSES = ("pending", "approved", "rejected")
TARGET_LABELS = {"media_exposure": "媒体曝光", "overdue_supervision": "督办超期"}
MAX_POINTS = 100.0


@dataclass(frozen=True)
class AdjustmentRequest:
    month: str
    kind: str
    reason: str
    case: str | None = None  # case number, for an exclusion
    target: str | None = None  # the indicator or deduction the case is excluded from
    entity_kind: str | None = None  # for points: district | unit | street
    entity_code: str | None = None
    points: float | None = None


def _audit(session: Session, adjustment: EvaluationAdjustment, action: str, actor: Actor,
           now: datetime, note: str | None) -> None:  # fmt: skip
    session.add(EvaluationAdjustmentEvent(adjustment_id=adjustment.id, action=action,
                                          actor=actor.name, at=now, note=note))  # fmt: skip


def _require_reason(text: str | None, field: str) -> str:
    if not text or not text.strip():
        raise InvalidInput("须说明理由", fields=(field,))
    return text.strip()


def _check_exclusion(session: Session, actor: Actor, request: AdjustmentRequest) -> int:
    known = KNOWN_INDICATORS | KNOWN_DEDUCTIONS
    if request.target not in known:
        raise InvalidInput(
            f"剔除对象须为指标或扣分项之一：{'、'.join(sorted(known))}", fields=("target",)
        )
    if not request.case:
        raise InvalidInput("剔除须指明工单编号", fields=("case",))
    case = session.scalars(select(Case).where(Case.number == request.case)).first()
    if case is None:
        raise NotFound(f"没有工单 {request.case}", fields=("case",))
    if actor.district_code and case.district_code != actor.district_code:
        raise Forbidden("区级用户只能为本区的工单申请剔除")
    return case.id


def _check_points(session: Session, actor: Actor, request: AdjustmentRequest) -> None:
    kind = check_entity_kind(request.entity_kind or "")
    codes = {entity.code for entity in entities_of(session, kind)}
    if request.entity_code not in codes:
        raise InvalidInput(f"没有这个考评对象：{request.entity_code}", fields=("entity_code",))
    points = request.points
    if points is None or not math.isfinite(points) or points == 0 or abs(points) > MAX_POINTS:
        raise InvalidInput(f"调整分值须为非零且绝对值不超过 {MAX_POINTS:g}", fields=("points",))
    if actor.district_code and request.entity_code != actor.district_code:
        raise Forbidden("区级用户只能为本区申请加减分")


def request_adjustment(
    hotline: Hotline, actor: Actor, request: AdjustmentRequest, now: datetime
) -> dict[str, Any]:
    """Record a pending exclusion or points adjustment; it counts only once approved."""
    if not may(actor.role, Permission.REQUEST_ADJUSTMENT):
        raise Forbidden(f"角色「{actor.role.value}」不能申请考评剔除或调整")
    month_period(request.month)
    reason = _require_reason(request.reason, "reason")
    if request.kind not in KINDS:
        raise InvalidInput(f"调整类型须为 {'/'.join(KINDS)} 之一", fields=("kind",))
    with hotline.db.transaction() as session:
        case_id = None
        if request.kind == "exclude":
            case_id = _check_exclusion(session, actor, request)
        else:
            _check_points(session, actor, request)
        adjustment = EvaluationAdjustment(
            month=request.month, kind=request.kind, case_id=case_id, target=request.target
            if request.kind == "exclude" else None,
            entity_kind=request.entity_kind if request.kind == "points" else None,
            entity_code=request.entity_code if request.kind == "points" else None,
            points=request.points if request.kind == "points" else None, reason=reason,
            status="pending", requested_by=actor.name, requested_at=now,
        )  # fmt: skip
        session.add(adjustment)
        session.flush()
        _audit(session, adjustment, "request", actor, now, reason)
        session.flush()
        return _as_data(session, adjustment)


def decide_adjustment(
    hotline: Hotline,
    actor: Actor,
    adjustment_id: int,
    approve: bool,
    note: str,
    now: datetime,
    expected_version: int | None = None,
) -> dict[str, Any]:
    """Approve or reject a pending adjustment, once; a second decision is refused (409)."""
    if not may(actor.role, Permission.DECIDE_ADJUSTMENT) or actor.district_code:
        raise Forbidden("只有市级领导或管理员可以审批考评剔除和调整")
    note = _require_reason(note, "note")
    try:
        with hotline.db.transaction() as session:
            adjustment = _pending(session, adjustment_id, expected_version)
            if adjustment.requested_by == actor.name:
                raise Forbidden("申请人不能审批自己的申请")
            adjustment.status = "approved" if approve else "rejected"
            adjustment.decided_by, adjustment.decided_at = actor.name, now
            adjustment.decision_note = note
            _audit(session, adjustment, "approve" if approve else "reject", actor, now, note)
            session.flush()
            return _as_data(session, adjustment)
    except StaleDataError as exc:
        raise ConcurrentChange(f"第 {adjustment_id} 号调整已被他人同时审批") from exc


def _pending(
    session: Session, adjustment_id: int, expected_version: int | None
) -> EvaluationAdjustment:
    adjustment = session.get(EvaluationAdjustment, adjustment_id)
    if adjustment is None:
        raise NotFound(f"没有第 {adjustment_id} 号考评调整")
    if expected_version is not None and adjustment.version != expected_version:
        raise ConcurrentChange(f"第 {adjustment_id} 号调整已被修改，请刷新后重试")
    if adjustment.status != "pending":
        raise Conflict(
            f"第 {adjustment_id} 号调整已{_STATUS_LABELS[adjustment.status]}，不能再审批"
        )
    return adjustment


_STATUS_LABELS = {"pending": "待审批", "approved": "批准", "rejected": "驳回"}


def list_adjustments(
    hotline: Hotline, actor: Actor, month: str | None = None, status: str | None = None
) -> list[dict[str, Any]]:
    """Adjustments with their audit trails, oldest first; district users see their district's."""
    if not may(actor.role, Permission.READ_REPORTS):
        raise Forbidden(f"角色「{actor.role.value}」不能查看考评调整")
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"状态须为 {'/'.join(STATUSES)} 之一", fields=("status",))
    with hotline.db.transaction() as session:
        stmt = select(EvaluationAdjustment).order_by(EvaluationAdjustment.id)
        if month is not None:
            month_period(month)
            stmt = stmt.where(EvaluationAdjustment.month == month)
        if status is not None:
            stmt = stmt.where(EvaluationAdjustment.status == status)
        rows = _all_as_data(session, list(session.scalars(stmt)))
    return [row for row in rows if _visible(actor, row)]


def _visible(actor: Actor, row: dict[str, Any]) -> bool:
    if not actor.district_code:
        return True
    return actor.district_code in (row["entity_code"], row["case_district"])


def _as_data(session: Session, adjustment: EvaluationAdjustment) -> dict[str, Any]:
    return _all_as_data(session, [adjustment])[0]


def _all_as_data(session: Session, adjustments: list[EvaluationAdjustment]) -> list[dict[str, Any]]:
    """Adjustments with their case and audit trail: three queries however many there are."""
    case_ids = [a.case_id for a in adjustments if a.case_id]
    cases = {
        case_id: (number, district)
        for case_id, number, district in session.execute(
            select(Case.id, Case.number, Case.district_code).where(Case.id.in_(case_ids))
        )
    }
    trails: dict[int, list[dict[str, Any]]] = {a.id: [] for a in adjustments}
    events = session.scalars(
        select(EvaluationAdjustmentEvent)
        .where(EvaluationAdjustmentEvent.adjustment_id.in_(list(trails)))
        .order_by(EvaluationAdjustmentEvent.id)
    )
    for e in events:
        trails[e.adjustment_id].append(
            {"action": e.action, "actor": e.actor, "at": e.at.isoformat(), "note": e.note}
        )
    return [
        _adjustment_data(a, cases.get(a.case_id or 0, (None, None)), trails[a.id])
        for a in adjustments
    ]


def _adjustment_data(
    adjustment: EvaluationAdjustment,
    case: tuple[str | None, str | None],
    audit: list[dict[str, Any]],
) -> dict[str, Any]:
    target = adjustment.target
    return {
        "id": adjustment.id,
        "version": adjustment.version,
        "month": adjustment.month,
        "kind": adjustment.kind,
        "case": case[0],
        "case_district": case[1],
        "target": target,
        "target_label": INDICATOR_NAMES.get(target or "")
        or TARGET_LABELS.get(target or "", target),
        "entity_kind": adjustment.entity_kind,
        "entity_code": adjustment.entity_code,
        "points": adjustment.points,
        "reason": adjustment.reason,
        "status": adjustment.status,
        "status_label": _STATUS_LABELS[adjustment.status],
        "requested_by": adjustment.requested_by,
        "requested_at": adjustment.requested_at.isoformat(),
        "decided_by": adjustment.decided_by,
        "decided_at": adjustment.decided_at.isoformat() if adjustment.decided_at else None,
        "decision_note": adjustment.decision_note,
        "audit": audit,
    }


def actor_by_name(hotline: Hotline, name: str) -> Actor:
    """The user acting from the command line, so that the audit trail names a real person."""
    with hotline.db.transaction() as session:
        user = session.scalars(select(User).where(User.name == name)).first()
        if user is None or user.disabled:
            raise NotFound(f"没有可用的用户「{name}」", fields=("by",))
        return actor_of(user)
