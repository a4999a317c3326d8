"""Roles and what each may do: one role × action table (also in docs/roles.md).

Scope (which cases a user sees at all) is separate from permission: out of scope → 404, in scope
but not permitted → 403. Scope rules live in :func:`scope_of`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from hotline.domain.errors import Forbidden
from hotline.domain.lifecycle import Action


class Role(StrEnum):
    OPERATOR = "operator"  # 话务员
    DISPATCHER = "dispatcher"  # 派遣员/值班长 (city centre, or a district centre with a district)
    HANDLER = "handler"  # 承办人, bound to a unit
    INSPECTOR = "inspector"  # 核查员/监督员
    SUPERVISOR = "supervisor"  # 督办员
    LEADER = "leader"  # 领导 (city, or a district with a district)
    ADMIN = "admin"  # 系统管理员
    PARTNER = "partner"  # a partner platform filing through Open311 with an API key


class Permission(StrEnum):
    CREATE_CASE = "create_case"
    READ_CASE = "read_case"
    REVEAL_PERSONAL_DATA = "reveal_personal_data"
    UPLOAD_ATTACHMENT = "upload_attachment"
    MANAGE_USERS = "manage_users"
    SUPERVISE = "supervise"  # open or close a supervision (督办单)
    RESPOND_SUPERVISION = "respond_supervision"  # the target unit answers it
    VIEW_CLASSIFIER_REPORT = "view_classifier_report"  # the classifier's production accuracy
    READ_REPORTS = "read_reports"  # notices, reports and hotspots (通报、报表、热点预警)
    REQUEST_ADJUSTMENT = "request_adjustment"  # ask for an evaluation exclusion or appeal
    DECIDE_ADJUSTMENT = "decide_adjustment"  # approve or reject one (city level, not the requester)
    MANAGE_STANDARD_ANSWERS = "manage_standard_answers"  # write the 知识库/常用语 texts


A = Action
P = Permission
R = Role

ROLE_TABLE: dict[Role, frozenset[Action | Permission]] = {
    R.OPERATOR: frozenset(
        {
            P.CREATE_CASE,
            P.READ_CASE,
            P.REVEAL_PERSONAL_DATA,
            P.UPLOAD_ATTACHMENT,
            A.REGISTER,
            A.ANSWER_DIRECTLY,
            A.VOID,
            A.RECORD_CALLBACK,
        }
    ),
    R.DISPATCHER: frozenset(
        {
            P.CREATE_CASE,
            P.READ_CASE,
            P.REVEAL_PERSONAL_DATA,
            P.UPLOAD_ATTACHMENT,
            A.REGISTER,
            A.ANSWER_DIRECTLY,
            A.VOID,
            A.DISPATCH,
            A.APPROVE_RETURN,
            A.REJECT_RETURN,
            A.APPROVE_EXTENSION,
            A.REFUSE_EXTENSION,
            A.VERIFY,
            A.RECORD_CALLBACK,
            A.REOPEN,
            A.CLOSE,
            P.SUPERVISE,
            P.READ_REPORTS,
            P.REQUEST_ADJUSTMENT,
        }
    ),
    R.HANDLER: frozenset(
        {
            P.READ_CASE,
            P.UPLOAD_ATTACHMENT,
            A.ACCEPT,
            A.SUB_DISPATCH,
            A.RETURN,
            A.REQUEST_EXTENSION,
            A.REPLY,
            A.CO_OPINION,
            P.RESPOND_SUPERVISION,
        }
    ),
    R.INSPECTOR: frozenset({P.READ_CASE, P.UPLOAD_ATTACHMENT, A.VERIFY}),
    R.SUPERVISOR: frozenset(
        {
            P.READ_CASE,
            P.REVEAL_PERSONAL_DATA,
            A.REOPEN,
            P.SUPERVISE,
            P.VIEW_CLASSIFIER_REPORT,
            P.READ_REPORTS,
            P.REQUEST_ADJUSTMENT,
            P.MANAGE_STANDARD_ANSWERS,
        }
    ),
    R.LEADER: frozenset(
        {
            P.READ_CASE,
            A.APPROVE_EXTENSION,
            A.REFUSE_EXTENSION,
            P.SUPERVISE,
            P.VIEW_CLASSIFIER_REPORT,
            P.READ_REPORTS,
            P.REQUEST_ADJUSTMENT,
            P.DECIDE_ADJUSTMENT,
        }
    ),
    # Administrators deploy models (`hotline classifier deploy`), so they read how they do.
    R.ADMIN: frozenset(
        {
            P.READ_CASE,
            P.REVEAL_PERSONAL_DATA,
            P.MANAGE_USERS,
            P.VIEW_CLASSIFIER_REPORT,
            P.READ_REPORTS,
            P.REQUEST_ADJUSTMENT,
            P.DECIDE_ADJUSTMENT,
            P.MANAGE_STANDARD_ANSWERS,
        }
    ),
    # Partners see only the public Open311 view, never the internal case API.
    R.PARTNER: frozenset({P.CREATE_CASE}),
}


def may(role: Role, what: Action | Permission) -> bool:
    return what in ROLE_TABLE[role]


def require(role: Role, what: Action | Permission) -> None:
    if not may(role, what):
        raise Forbidden(f"角色「{role.value}」无权执行「{what.value}」")


class ScopeKind(StrEnum):
    ALL = "all"  # the whole city
    DISTRICT = "district"  # cases in one district
    UNIT = "unit"  # cases where the unit or a unit below it is lead or co-unit


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind
    district_code: str | None = None
    unit_id: int | None = None


def scope_of(role: Role, unit_id: int | None, district_code: str | None) -> Scope:
    """Handlers see their unit's subtree; district dispatchers and leaders their district."""
    if role is Role.HANDLER:
        if unit_id is None:
            raise Forbidden("承办人必须绑定承办单位")
        return Scope(ScopeKind.UNIT, unit_id=unit_id)
    if role in (Role.DISPATCHER, Role.LEADER, Role.OPERATOR, Role.SUPERVISOR, Role.INSPECTOR) and (
        district_code
    ):
        return Scope(ScopeKind.DISTRICT, district_code=district_code)
    return Scope(ScopeKind.ALL)


@dataclass(frozen=True)
class Actor:
    """Who acts: a user's name, role and where it sits. ``system`` for the worker's own steps."""

    name: str
    role: Role
    unit_id: int | None = None
    district_code: str | None = None

    @property
    def scope(self) -> Scope:
        return scope_of(self.role, self.unit_id, self.district_code)


SYSTEM = Actor(name="system", role=Role.ADMIN)
