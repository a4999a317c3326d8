"""mySociety's ``servicerequestupdates`` extension, both ways.

GET lists the public steps of public cases in a time window, oldest first, so a partner syncing
in windows sees every change in order. POST lets a partner add an update to a case it filed:
the update becomes a ``partner_update`` history event (the operators see it in the history; the
centre, not the partner, decides the case's own status, so a partner's "closed" is recorded,
never applied). A repeated POST with the same partner update_id answers with the same update_id
instead of adding a second event, so a partner may retry safely.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select

from hotline.adapters.db.models import Case, CaseEvent
from hotline.domain.errors import Forbidden, InvalidInput
from hotline.services.cases.history import append_event
from hotline.services.context import Hotline
from hotline.services.open311.filing import MAX_DESCRIPTION, check_media_url
from hotline.services.open311.partners import Partner
from hotline.services.open311.publication import published
from hotline.services.open311.queries import filed_case, flip_filter, load_lookups, span
from hotline.services.open311.redaction import redact
from hotline.services.open311.settings import Open311Settings
from hotline.services.open311.views import EventRow, open311_status, step_note, w3c

# The spec's two statuses and mySociety's additional ones (FixMyStreet sends them upper case).
PARTNER_STATUSES = frozenset(
    {
        "open",
        "closed",
        "fixed",
        "in_progress",
        "action_scheduled",
        "investigating",
        "duplicate",
        "not_councils_responsibility",
        "no_further_action",
        "internal_referral",
    }
)
PARTNER_UPDATE = "partner_update"


def update_id(number: str, seq: int) -> str:
    return f"{number}-{seq}"


@dataclass(frozen=True)
class UpdateQuery:
    start_date: datetime | None = None
    end_date: datetime | None = None
    page: int = 1
    page_size: int | None = None


def _update_view(hotline: Hotline, case: Case, event: EventRow, note: str) -> dict[str, Any]:
    return {
        "update_id": update_id(case.number, event.seq),
        "service_request_id": case.number,
        "status": open311_status(event.to_status or case.status),
        "updated_datetime": w3c(event.at, hotline.settings.tz),
        "description": note,
        "media_url": event.details.get("media_url") if event.action == PARTNER_UPDATE else None,
    }


def _page_bounds(q: UpdateQuery, cfg: Open311Settings) -> tuple[int, int]:
    size = cfg.max_requests if q.page_size is None else q.page_size
    if q.page < 1 or not 1 <= size <= cfg.max_requests:
        raise InvalidInput(f"page must be 1 or more, page_size between 1 and {cfg.max_requests}")
    return (q.page - 1) * size, size


def list_updates(
    hotline: Hotline, cfg: Open311Settings, q: UpdateQuery, now: datetime
) -> list[dict[str, Any]]:
    window = span(q.start_date, q.end_date, now, cfg.window_days, "start_date/end_date")
    offset, size = _page_bounds(q, cfg)
    stmt = (
        select(CaseEvent.id, CaseEvent.case_id)
        .join(Case, Case.id == CaseEvent.case_id)
        .where(published(cfg), CaseEvent.at >= window.start, CaseEvent.at <= window.end)
        .where(or_(CaseEvent.action.in_(cfg.public_steps), flip_filter()))
        .order_by(CaseEvent.at, CaseEvent.id)
        .offset(offset)
        .limit(size)
    )
    with hotline.db.transaction() as session:
        page = list(session.execute(stmt))
        cases = {
            c.id: c
            for c in session.scalars(select(Case).where(Case.id.in_({r.case_id for r in page})))
        }
        lookups = load_lookups(session, list(cases.values()), cfg)
    by_id = {e.id: e for rows in lookups.events.values() for e in rows}
    views = []
    for row in page:
        case, event = cases[row.case_id], by_id[row.id]
        note = step_note(case, event, lookups, cfg, hotline.settings.tz)
        if note is not None:
            views.append(_update_view(hotline, case, event, redact(note) or ""))
    return views


@dataclass(frozen=True)
class PartnerUpdate:
    service_request_id: str | None
    update_id: str | None
    updated_datetime: datetime | None
    status: str | None
    description: str | None
    media_url: str | None = None


def _validated(upd: PartnerUpdate) -> tuple[str, str, datetime, str, str]:
    required = ("service_request_id", "update_id", "updated_datetime", "status", "description")
    missing = [name for name in required if getattr(upd, name) is None]
    if missing:
        raise InvalidInput(f"{', '.join(missing)} was not provided", fields=tuple(missing))
    status = (upd.status or "").strip().lower()
    if status not in PARTNER_STATUSES:
        raise InvalidInput(f"unknown status {upd.status}", fields=("status",))
    if len(upd.description or "") > MAX_DESCRIPTION or len(upd.update_id or "") > 100:
        raise InvalidInput(
            "description (4000) or update_id (100) too long", fields=("description",)
        )
    check_media_url(upd.media_url)
    assert upd.updated_datetime is not None
    return (
        upd.service_request_id or "",
        upd.update_id or "",
        upd.updated_datetime,
        status,
        upd.description or "",
    )


def post_update(
    hotline: Hotline, partner: Partner, upd: PartnerUpdate, now: datetime
) -> list[dict[str, Any]]:
    """Record a partner's update on a case it filed; the answer carries our update_id."""
    number, their_id, their_time, status, text = _validated(upd)
    with hotline.db.transaction() as session:
        case = filed_case(session, number)
        if case.created_by != partner.name:
            raise Forbidden(f"api_key may not update {number}: it was not filed by this partner")
        session.refresh(case, with_for_update=True)
        for event in session.scalars(
            select(CaseEvent).where(
                CaseEvent.case_id == case.id, CaseEvent.action == PARTNER_UPDATE
            )
        ):
            if event.details.get("partner_update_id") == their_id:
                return [{"update_id": update_id(number, event.seq)}]
        event = append_event(
            session,
            case,
            action=PARTNER_UPDATE,
            actor=partner.name,
            at=now,
            from_status=case.status,
            to_status=case.status,
            details={
                "partner": partner.name,
                "partner_update_id": their_id,
                "partner_status": status,
                "partner_updated_at": their_time.isoformat(),
                "description": text,
                "media_url": upd.media_url,
            },
        )
        case.updated_at = now
        return [{"update_id": update_id(number, event.seq)}]
