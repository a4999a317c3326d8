"""Reading cases: one view shape for every interface, personal data always masked here.

Unmasked caller data only leaves through :func:`reveal_caller`, which records who read it and why.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.adapters.db.models import (
    Case,
    CaseEvent,
    Category,
    Channel,
    PersonalDataAccess,
    Region,
    Unit,
    User,
)
from hotline.domain.errors import InvalidInput
from hotline.domain.lifecycle import STATUS_LABELS, Status
from hotline.domain.privacy import mask_name, mask_phone
from hotline.domain.roles import Actor, Permission, require
from hotline.domain.sla import SlaState, sla_state, stages_run
from hotline.domain.vocabulary import AssignmentStatus
from hotline.services.accounts.scope import load_case_in_scope
from hotline.services.actions.support import offered_actions
from hotline.services.context import Hotline
from hotline.services.ledger.supervision import supervisions_of_case
from hotline.services.reference.units import unit_codes


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _event_view(event: CaseEvent, people: dict[str, str | None]) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "action": event.action,
        "actor": event.actor,
        "actor_name": people.get(event.actor),
        "at": _iso(event.at),
        "from_status": event.from_status,
        "to_status": event.to_status,
        "reason": event.reason,
        "details": event.details,
        "hash": event.hash,
    }


def _assignments_view(case: Case, codes: dict[int, str]) -> list[dict[str, Any]]:
    return [
        {
            "id": a.id,
            "unit": codes.get(a.unit_id),
            "role": a.role,
            "status": a.status,
            "parent_id": a.parent_id,
            "dispatched_at": _iso(a.dispatched_at),
            "accepted_at": _iso(a.accepted_at),
            "replied_at": _iso(a.replied_at),
            "due_at": _iso(a.due_at),
        }
        for a in case.assignments
    ]


def _requests_view(case: Case) -> list[dict[str, Any]]:
    return [
        {
            "id": r.id,
            "kind": r.kind,
            "status": r.status,
            "reason_code": r.reason_code,
            "reason": r.reason,
            "requested_by": r.requested_by,
            "requested_at": _iso(r.requested_at),
            "requested_due_at": _iso(r.requested_due_at),
            "decided_by": r.decided_by,
            "decided_at": _iso(r.decided_at),
        }
        for r in case.requests
    ]


def summary_view(case: Case, codes: dict[int, str]) -> dict[str, Any]:
    """The fields of a case a list shows; caller data masked."""
    return {
        "number": case.number,
        "status": case.status,
        "status_label": STATUS_LABELS[Status(case.status)],
        "version": case.version,
        "channel": case.channel_code,
        "title": case.title,
        "content": case.content,
        "address": case.address,
        "lon": case.lon,
        "lat": case.lat,
        "coord_system": case.coord_system,
        "category_code": case.category_code,
        "urgency": case.urgency,
        "caller_name": mask_name(case.caller_name),
        "caller_phone": mask_phone(case.caller_phone),
        "anonymous": case.anonymous,
        "confidential": case.confidential,
        "district_code": case.district_code,
        "lead_unit": codes.get(case.lead_unit_id) if case.lead_unit_id else None,
        "problem_id": case.problem_id,
        "accept_due_at": _iso(case.accept_due_at),
        "reply_due_at": _iso(case.reply_due_at),
        "created_at": _iso(case.created_at),
        "updated_at": _iso(case.updated_at),
    }


def sla_view(case: Case, now: datetime) -> dict[str, str | None]:
    """The SLA state of each stage: on_track / warning / overdue, or met / missed once settled.
    The case list shows and filters by the same states (services/cases/lists.py). A case with
    the centre has no running stage: its deadlines are the last round's (``stages_run``)."""
    if not stages_run(case.status):
        return {"accept": None, "reply": None}
    return {
        "accept": _state(accept_stage_state(case, now)),
        "reply": _state(sla_state(case.reply_due_at, case.reply_warn_at, now, case.replied_at)),
    }


def accept_stage_state(case: Case, now: datetime) -> SlaState | None:
    """签收 is settled when the current round's lead unit accepts: ``accept_late`` is frozen then
    and cleared by every (re-)dispatch. An accepted_at of an earlier round's assignment (ended
    by a return to the centre or a reopen) does not settle the new round's stage."""
    if case.accept_due_at is None:
        return None
    if case.accept_late is not None:
        return SlaState.MISSED if case.accept_late else SlaState.MET
    return sla_state(case.accept_due_at, case.accept_warn_at, now)


def _state(state: SlaState | None) -> str | None:
    return state.value if state is not None else None


def full_view(
    hotline: Hotline, session: Session, case: Case, actor: Actor, now: datetime
) -> dict[str, Any]:
    codes = unit_codes(session)
    events = session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)
    ).all()
    people = _display_names(session, {event.actor for event in events})
    return {
        **summary_view(case, codes),
        "media_outlet": case.media_outlet,
        "media_link": case.media_link,
        "media_published_at": _iso(case.media_published_at),
        "result_type": case.result_type,
        "reply_text": case.reply_text,
        "promised_on": _iso(case.promised_on),
        "replied_at": _iso(case.replied_at),
        "supervised": case.supervised,
        "needs_verification": case.needs_verification,
        "needs_callback": case.needs_callback,
        "callback_attempts": case.callback_attempts,
        "reopen_count": case.reopen_count,
        "extension_count": case.extension_count,
        "closed_as": case.closed_as,
        "closed_at": _iso(case.closed_at),
        "accept_late": case.accept_late,
        "reply_late": case.reply_late,
        "verify_due_at": _iso(case.verify_due_at),
        "callback_due_at": _iso(case.callback_due_at),
        "promise_due_at": _iso(case.promise_due_at),
        "accept_warn_at": _iso(case.accept_warn_at),
        "reply_warn_at": _iso(case.reply_warn_at),
        "sla": sla_view(case, now),
        "received_on": _iso(case.received_on),
        "created_by": case.created_by,
        "co_units": [
            codes[a.unit_id]
            for a in case.assignments
            if a.role == "co" and a.status != AssignmentStatus.ENDED
        ],
        "assignments": _assignments_view(case, codes),
        "requests": _requests_view(case),
        "allowed_actions": [a.value for a in offered_actions(hotline, session, case, actor, now)],
        **_names_view(session, case),
        "supervisions": supervisions_of_case(session, case),
        "history": [_event_view(event, people) for event in events],
    }


def _display_names(session: Session, logins: set[str]) -> dict[str, str | None]:
    """Who acted, by the name people know them by (a case has a handful of actors)."""
    rows = session.execute(select(User.name, User.display_name).where(User.name.in_(logins)))
    return {login: display for login, display in rows}


def _names_view(session: Session, case: Case) -> dict[str, Any]:
    """The place and the Chinese names beside the codes, so a page never shows a bare code."""
    places = [case.district_code, case.street_code, case.community_code]
    wanted = [code for code in places if code]
    rows = session.execute(select(Region.code, Region.name).where(Region.code.in_(wanted)))
    region_names = {code: name for code, name in rows}
    lead_name = None
    if case.lead_unit_id is not None:
        lead_name = session.scalar(select(Unit.name).where(Unit.id == case.lead_unit_id))
    return {
        "street_code": case.street_code,
        "community_code": case.community_code,
        "district_name": region_names.get(case.district_code or ""),
        "street_name": region_names.get(case.street_code or ""),
        "community_name": region_names.get(case.community_code or ""),
        "lead_unit_name": lead_name,
        "category_name": _name_of(session, Category, case.category_code),
        "channel_name": _name_of(session, Channel, case.channel_code),
    }


def _name_of(
    session: Session, table: type[Category] | type[Channel], code: str | None
) -> str | None:
    if code is None:
        return None
    return session.scalar(select(table.name).where(table.code == code))


def get_case(hotline: Hotline, number: str, actor: Actor, now: datetime) -> dict[str, Any]:
    """The case as ``actor`` may see it at ``now`` (its SLA states and the actions offered
    depend on the moment)."""
    require(actor.role, Permission.READ_CASE)
    with hotline.db.transaction() as session:
        case = load_case_in_scope(session, number, actor)
        return full_view(hotline, session, case, actor, now)


def reveal_caller(
    hotline: Hotline, number: str, actor: Actor, purpose: str, now: datetime
) -> dict[str, Any]:
    """The unmasked caller name and phone, for roles with the right; every read is logged."""
    require(actor.role, Permission.REVEAL_PERSONAL_DATA)
    if not purpose or not purpose.strip() or len(purpose) > 300:
        raise InvalidInput("查看来电人信息须说明用途（不超过 300 字）", fields=("purpose",))
    with hotline.db.transaction() as session:
        case = load_case_in_scope(session, number, actor)
        session.add(
            PersonalDataAccess(
                user_name=actor.name,
                case_number=number,
                at=now,
                purpose=purpose.strip(),
                fields=["caller_name", "caller_phone"],
            )
        )
        return {
            "number": number,
            "caller_name": case.caller_name,
            "caller_phone": case.caller_phone,
        }


def access_log(hotline: Hotline, actor: Actor, number: str | None = None) -> list[dict[str, Any]]:
    require(actor.role, Permission.MANAGE_USERS)
    with hotline.db.transaction() as session:
        stmt = select(PersonalDataAccess).order_by(PersonalDataAccess.id)
        if number:
            stmt = stmt.where(PersonalDataAccess.case_number == number)
        return [
            {
                "user": row.user_name,
                "case_number": row.case_number,
                "at": _iso(row.at),
                "purpose": row.purpose,
                "fields": row.fields,
            }
            for row in session.scalars(stmt)
        ]
