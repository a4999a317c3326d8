"""The public view of a case as an Open311 service request (field names exactly as the spec).

No caller data ever enters these dicts; free text (description, address, notes) is redacted.
Which history steps are public is configuration (``Open311Settings.public_steps``); an internal
step that opens or closes the case still shows, with a neutral note, so that ``status`` and
``status_notes`` never contradict each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from hotline.adapters.db.models import Case, Category
from hotline.domain.lifecycle import STATUS_LABELS, Status
from hotline.domain.rules import ResultType
from hotline.geo.crs import gcj02_to_wgs84
from hotline.services.context import Hotline
from hotline.services.open311.catalog import promised_limit
from hotline.services.open311.publication import coarse_address
from hotline.services.open311.redaction import redact
from hotline.services.open311.settings import Open311Settings

CLOSED_STATUSES = frozenset(
    {Status.CLOSED.value, Status.ANSWERED_DIRECTLY.value, Status.VOID.value}
)
SUBMISSION = "partner_submission"  # the event that keeps a partner's media_url
RESULT_LABELS = {
    ResultType.SOLVED.value: "已解决",
    ResultType.PROMISED.value: "承诺限时解决",
    ResultType.EXPLAINED.value: "解释说明",
    ResultType.NOT_FOUNDED.value: "反映情况不属实",
}
FIXED_NOTES = {
    "receive": "诉求已受理",
    "register": "已立案",
    "accept": "承办单位已签收，正在办理",
    "reopen": "重新办理",
    "close": "已办结，工单已结案",
    "answer_directly": "已直接答复",
    "void": "不予受理，工单已作废",
}


def open311_status(status: str) -> str:
    """The spec's two statuses: closed when the case is settled, open otherwise."""
    return "closed" if status in CLOSED_STATUSES else "open"


def w3c(moment: datetime | None, tz: tzinfo) -> str | None:
    """A W3C date-time in local time with its offset, to the second (2026-11-24T10:00:00+08:00)."""
    if moment is None:
        return None
    return moment.astimezone(tz).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class EventRow:
    id: int
    case_id: int
    seq: int
    action: str
    at: datetime
    from_status: str | None
    to_status: str | None
    details: dict[str, Any]


@dataclass
class Lookups:
    """Names and events the views of one page need, loaded in a few queries (queries.py)."""

    categories: dict[str, Category]
    unit_names: dict[int, str] = field(default_factory=dict)
    unit_names_by_code: dict[str, str] = field(default_factory=dict)
    region_names: dict[str, str] = field(default_factory=dict)
    events: dict[int, list[EventRow]] = field(default_factory=dict)
    first_cases: dict[int, str] = field(default_factory=dict)  # problem id → first public case


def _flips(event: EventRow) -> bool:
    """An event that moves the case between the spec's open and closed."""
    before = open311_status(event.from_status) if event.from_status else "open"
    return event.to_status is not None and open311_status(event.to_status) != before


def _reply_note(case: Case, event: EventRow, latest_reply: bool, cfg: Open311Settings) -> str:
    label = RESULT_LABELS.get(str(event.details.get("result_type")), "已答复")
    note = f"承办单位已办结答复（{label}）"
    if latest_reply and cfg.public_reply_text and case.reply_text:
        note += f"：{case.reply_text}"
    return note


def _rich_note(event: EventRow, lookups: Lookups, tz: tzinfo) -> str | None:
    details = event.details
    if event.action == "dispatch":
        unit = lookups.unit_names_by_code.get(str(details.get("unit")), "承办单位")
        return f"已派遣至{unit}办理"
    if event.action == "approve_extension":
        due = details.get("reply_due_at")
        when = w3c(datetime.fromisoformat(due), tz) if isinstance(due, str) else None
        return f"办理时限经批准延长至 {when[:16].replace('T', ' ')}" if when else "办理时限已延长"
    if event.action == "verify":
        return "答复经核查属实" if details.get("passed") else "核查未通过，已退回重新办理"
    if event.action == "partner_update":
        return str(details.get("description") or "合作平台更新")
    return None


def step_note(
    case: Case, event: EventRow, lookups: Lookups, cfg: Open311Settings, tz: tzinfo
) -> str | None:
    """The public text of one history step, or None when the step is not public."""
    public = event.action in cfg.public_steps
    if not public and not _flips(event):
        return None
    if not public:  # an internal step that settled or reopened the case: say only that
        return FIXED_NOTES["close"] if event.to_status in CLOSED_STATUSES else FIXED_NOTES["reopen"]
    if event.action == "reply":
        replies = [e.seq for e in lookups.events.get(case.id, []) if e.action == "reply"]
        return _reply_note(case, event, event.seq == max(replies, default=-1), cfg)
    note = _rich_note(event, lookups, tz)
    if note is None and event.action == "answer_directly" and cfg.public_reply_text:
        note = f"{FIXED_NOTES['answer_directly']}：{case.reply_text or ''}".rstrip("：")
    return note or FIXED_NOTES.get(event.action, event.action)


def public_notes(
    case: Case, lookups: Lookups, cfg: Open311Settings, tz: tzinfo
) -> list[tuple[EventRow, str]]:
    """The case's public steps in order, each with its redacted note."""
    notes = []
    for event in lookups.events.get(case.id, []):
        note = step_note(case, event, lookups, cfg, tz)
        if note is not None:
            notes.append((event, redact(note) or ""))
    return notes


def updated_at(case: Case) -> datetime:
    """The spec: for a closed request, updated_datetime is when it was closed."""
    if case.status in CLOSED_STATUSES and case.closed_at is not None:
        return case.closed_at
    return case.updated_at


def _media_url(case: Case, lookups: Lookups) -> str | None:
    for event in lookups.events.get(case.id, []):
        if event.action == SUBMISSION and event.details.get("media_url"):
            return str(event.details["media_url"])
    return None


def _wgs84(case: Case) -> tuple[float | None, float | None]:
    if case.lon is None or case.lat is None:
        return None, None
    lon, lat = case.lon, case.lat
    if case.coord_system == "gcj02":
        lon, lat = gcj02_to_wgs84(lon, lat)
    return round(lat, 6), round(lon, 6)


def _service_notice(hotline: Hotline, case: Case, category: Category | None) -> str | None:
    if case.promised_on is not None:
        return f"承办单位承诺于 {case.promised_on.isoformat()} 前解决"
    if category is None:
        return None
    return promised_limit(hotline, category, case.urgency)


def _extended(case: Case, lookups: Lookups) -> dict[str, Any]:
    parent = lookups.first_cases.get(case.problem_id) if case.problem_id else None
    duplicate = parent is not None and parent != case.number
    return {
        "channel": case.channel_code,
        "detailed_status": case.status,
        "detailed_status_name": STATUS_LABELS[Status(case.status)],
        "district": lookups.region_names.get(case.district_code or ""),
        "district_code": case.district_code,
        "duplicate": duplicate,
        "parent_service_request_id": parent if duplicate else None,
    }


def request_view(
    hotline: Hotline, case: Case, lookups: Lookups, cfg: Open311Settings, extensions: bool
) -> dict[str, Any]:
    """One service request, every spec field present (null where unknown), in spec order."""
    tz = hotline.settings.tz
    category = lookups.categories.get(case.category_code or "")
    notes = public_notes(case, lookups, cfg, tz)
    lat, lon = _wgs84(case)
    view: dict[str, Any] = {
        "service_request_id": case.number,
        "status": open311_status(case.status),
        "status_notes": notes[-1][1] if notes else None,
        "service_name": category.name if category else None,
        "service_code": case.category_code,
        "description": redact(case.content),
        "agency_responsible": lookups.unit_names.get(case.lead_unit_id or 0),
        "service_notice": _service_notice(hotline, case, category),
        "requested_datetime": w3c(case.created_at, tz),
        "updated_datetime": w3c(updated_at(case), tz),
        "expected_datetime": w3c(case.promise_due_at or case.reply_due_at, tz),
        "address": redact(coarse_address(case.address)),
        "address_id": None,
        "zipcode": None,
        "lat": lat,
        "long": lon,
        "media_url": _media_url(case, lookups),
    }
    if extensions:
        view["extended_attributes"] = _extended(case, lookups)
        view["notes"] = [
            {"datetime": w3c(event.at, tz), "description": note, "type": event.action}
            for event, note in notes
        ]
    return view
