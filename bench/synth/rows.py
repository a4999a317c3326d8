"""The simulated case state and how it becomes table rows.

Attribute names follow :mod:`hotline.adapters.db.models` on purpose: the services' own deadline
functions (``set_dispatch_deadlines``, ``move_reply_deadline``, ``reply_stage_start``) are called
on these objects unchanged. Rows are lists of strings in PostgreSQL COPY text format (``\\N`` for
NULL, times as naive UTC ``YYYY-MM-DD HH:MM:SS.ffffff``, booleans ``1``/``0``); SQLite takes the
same strings through its column affinities. A row lists a superset of the columns; the writer
keeps the ones the migrated table has (see ``COLUMNS`` and ``bench.synth.sink``).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

N = "\\N"

COLUMNS: dict[str, tuple[str, ...]] = {
    "cases": (
        "id",
        "number",
        "status",
        "version",
        "channel_code",
        "title",
        "content",
        "address",
        "lon",
        "lat",
        "coord_system",
        "category_code",
        "urgency",
        "caller_name",
        "caller_phone",
        "anonymous",
        "confidential",
        "district_code",
        "street_code",
        "community_code",
        "lead_unit_id",
        "media_outlet",
        "media_link",
        "media_published_at",
        "accept_due_at",
        "reply_due_at",
        "accept_warn_at",
        "reply_warn_at",
        "accept_warned_at",
        "accept_breached_at",
        "reply_warned_at",
        "reply_breached_at",
        "accept_late",
        "reply_late",
        "verify_due_at",
        "callback_due_at",
        "promise_due_at",
        "result_type",
        "reply_text",
        "promised_on",
        "replied_at",
        "supervised",
        "needs_verification",
        "needs_callback",
        "callback_attempts",
        "reopen_count",
        "extension_count",
        "closed_as",
        "closed_at",
        "received_on",
        "created_at",
        "updated_at",
        "created_by",
        "anonymised_at",
        "problem_id",
        "callback_next_at",
    ),
    "case_events": (
        "case_id",
        "seq",
        "action",
        "actor",
        "at",
        "from_status",
        "to_status",
        "reason",
        "details",
        "prev_hash",
        "hash",
    ),
    "case_assignments": (
        "id",
        "case_id",
        "unit_id",
        "role",
        "parent_id",
        "status",
        "dispatched_at",
        "dispatched_by",
        "accepted_at",
        "replied_at",
        "reply_text",
        "due_at",
    ),
    "case_requests": (
        "case_id",
        "kind",
        "assignment_id",
        "status",
        "reason_code",
        "reason",
        "requested_by",
        "requested_at",
        "requested_due_at",
        "decided_by",
        "decided_at",
        "decision_note",
    ),
    "case_callbacks": (
        "case_id",
        "attempt",
        "outcome",
        "process_satisfaction",
        "result_satisfaction",
        "solved",
        "comment",
        "at",
        "by",
        "unit_id",
    ),
    "supervisions": (
        "id",
        "case_id",
        "problem_id",
        "level",
        "source",
        "reason",
        "target_unit_id",
        "head_name",
        "head_title",
        "district_code",
        "due_at",
        "status",
        "response",
        "responded_at",
        "responded_by",
        "outcome",
        "closed_at",
        "closed_by",
        "created_at",
        "created_by",
    ),
}
TABLES = tuple(COLUMNS)


def ts(moment: datetime | None) -> str:
    if moment is None:
        return N
    iso = moment.isoformat(timespec="microseconds")
    return iso[:10] + " " + iso[11:26]


def text(value: object) -> str:
    return N if value is None else str(value)


def flag(value: bool | None) -> str:
    return N if value is None else ("1" if value else "0")


def day(value: date | None) -> str:
    return N if value is None else value.isoformat()


_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
dumps = _ENCODER.encode  # the canonical details JSON, the same bytes the domain hashes


def _quote(value: str | None) -> str:
    return "null" if value is None else '"' + value + '"'


def chain_hash(
    number: str,
    seq: int,
    action: str,
    actor: str,
    iso: str,
    from_status: str | None,
    to_status: str | None,
    reason: str | None,
    details_json: str,
    prev: str,
) -> str:
    """:func:`hotline.domain.history.event_hash`, built without a dict: 6 µs of CPU with the
    details JSON, where ``seal`` takes 17 µs and ``event_hash`` alone 10.

    ``iso`` is the UTC time's ``isoformat(timespec="microseconds")``. Valid because every string
    here needs no JSON escaping (see ``bench.synth.text``); the generator checks one case per
    chunk against the domain function.
    """
    canonical = (
        f'{{"action":"{action}","actor":"{actor}","at":"{iso[:26]}Z","case":"{number}",'
        f'"details":{details_json},"from":{_quote(from_status)},"prev":"{prev}",'
        f'"reason":{_quote(reason)},"seq":{seq},"to":{_quote(to_status)}}}'
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


class AssignmentSim:
    __slots__ = (
        "accepted_at",
        "dispatched_at",
        "dispatched_by",
        "due_at",
        "id",
        "parent_id",
        "replied_at",
        "reply_text",
        "role",
        "status",
        "unit",
    )

    def __init__(
        self,
        id: int,
        unit: Any,
        role: str,
        parent_id: int | None,
        at: datetime,
        by: str,
        due_at: datetime | None,
    ) -> None:
        self.id, self.unit, self.role, self.parent_id = id, unit, role, parent_id
        self.status, self.dispatched_at, self.dispatched_by = "pending", at, by
        self.accepted_at: datetime | None = None
        self.replied_at: datetime | None = None
        self.reply_text: str | None = None
        self.due_at = due_at

    def row(self, case_id: int) -> list[str]:
        return [
            str(self.id),
            str(case_id),
            str(self.unit.id),
            self.role,
            text(self.parent_id),
            self.status,
            ts(self.dispatched_at),
            self.dispatched_by,
            ts(self.accepted_at),
            ts(self.replied_at),
            text(self.reply_text),
            ts(self.due_at),
        ]


class RequestSim:
    __slots__ = (
        "assignment_id",
        "decided_at",
        "decided_by",
        "decision_note",
        "kind",
        "reason",
        "reason_code",
        "requested_at",
        "requested_by",
        "requested_due_at",
        "status",
    )

    def __init__(
        self,
        kind: str,
        assignment_id: int,
        reason_code: str | None,
        reason: str,
        by: str,
        at: datetime,
        due: datetime | None,
    ) -> None:
        self.kind, self.assignment_id, self.status = kind, assignment_id, "pending"
        self.reason_code, self.reason, self.requested_by = reason_code, reason, by
        self.requested_at, self.requested_due_at = at, due
        self.decided_by: str | None = None
        self.decided_at: datetime | None = None
        self.decision_note: str | None = None

    def row(self, case_id: int) -> list[str]:
        return [
            str(case_id),
            self.kind,
            str(self.assignment_id),
            self.status,
            text(self.reason_code),
            self.reason,
            self.requested_by,
            ts(self.requested_at),
            ts(self.requested_due_at),
            text(self.decided_by),
            ts(self.decided_at),
            text(self.decision_note),
        ]


class SupervisionSim:
    __slots__ = (
        "closed_at",
        "closed_by",
        "created_at",
        "created_by",
        "district_code",
        "due_at",
        "id",
        "level",
        "outcome",
        "reason",
        "responded_at",
        "responded_by",
        "response",
        "source",
        "unit",
    )

    def __init__(
        self,
        id: int,
        level: str,
        source: str,
        reason: str,
        unit: Any,
        district: str | None,
        due_at: datetime,
        at: datetime,
        by: str,
    ) -> None:
        self.id, self.level, self.source, self.reason = id, level, source, reason
        self.unit, self.district_code, self.due_at = unit, district, due_at
        self.created_at, self.created_by = at, by
        self.responded_at: datetime | None = None
        self.response: str | None = None
        self.responded_by: str | None = None
        self.closed_at: datetime | None = None
        self.closed_by: str | None = None
        self.outcome: str | None = None

    def open_at(self, moment: datetime) -> bool:
        return self.closed_at is None or self.closed_at > moment

    def row(self, case_id: int, now: datetime) -> list[str]:
        closed = self.closed_at is not None and self.closed_at <= now
        responded = self.responded_at is not None and self.responded_at <= now
        status = "closed" if closed else "responded" if responded else "open"
        unit = self.unit
        return [
            str(self.id),
            str(case_id),
            N,
            self.level,
            self.source,
            self.reason,
            text(unit.id if unit else None),
            text(unit.head_name if unit else None),
            text(unit.head_title if unit else None),
            text(self.district_code),
            ts(self.due_at),
            status,
            text(self.response if responded else None),
            ts(self.responded_at if responded else None),
            text(self.responded_by if responded else None),
            text(self.outcome if closed else None),
            ts(self.closed_at if closed else None),
            text(self.closed_by if closed else None),
            ts(self.created_at),
            self.created_by,
        ]


_CASE_DEFAULTS: dict[str, Any] = dict.fromkeys(COLUMNS["cases"])
_CASE_DEFAULTS.update(
    version=0, callback_attempts=0, reopen_count=0, extension_count=0, supervised=False
)


class CaseSim:
    """One case while its life is simulated; ``row`` gives its ``cases`` row."""

    id: int
    number: str
    status: str
    version: int
    channel_code: str
    title: str | None
    content: str
    address: str | None
    lon: float | None
    lat: float | None
    coord_system: str | None
    category_code: str | None
    urgency: str
    caller_name: str | None
    caller_phone: str | None
    anonymous: bool
    confidential: bool
    district_code: str | None
    street_code: str | None
    community_code: str | None
    lead_unit_id: int | None
    media_outlet: str | None
    media_link: str | None
    media_published_at: datetime | None
    accept_due_at: datetime | None
    reply_due_at: datetime | None
    accept_warn_at: datetime | None
    reply_warn_at: datetime | None
    accept_warned_at: datetime | None
    accept_breached_at: datetime | None
    reply_warned_at: datetime | None
    reply_breached_at: datetime | None
    accept_late: bool | None
    reply_late: bool | None
    verify_due_at: datetime | None
    callback_due_at: datetime | None
    promise_due_at: datetime | None
    result_type: str | None
    reply_text: str | None
    promised_on: date | None
    replied_at: datetime | None
    supervised: bool
    needs_verification: bool | None
    needs_callback: bool | None
    callback_attempts: int
    reopen_count: int
    extension_count: int
    closed_as: str | None
    closed_at: datetime | None
    received_on: date
    created_at: datetime
    updated_at: datetime
    created_by: str
    callback_next_at: datetime | None

    def __init__(self) -> None:
        self.assignments: list[AssignmentSim] = []
        self.requests: list[RequestSim] = []
        self.callbacks: list[list[str]] = []
        self.supervisions: list[SupervisionSim] = []
        self.events: list[tuple[Any, ...]] = []
        self.last_hash = "0" * 64
        self.__dict__.update(_CASE_DEFAULTS)

    def row(self) -> list[str]:
        g = self.__dict__
        return [
            str(self.id),
            self.number,
            self.status,
            str(len(self.events)),
            self.channel_code,
            text(self.title),
            self.content,
            text(self.address),
            text(g["lon"]),
            text(g["lat"]),
            text(self.coord_system),
            text(self.category_code),
            self.urgency,
            text(self.caller_name),
            text(self.caller_phone),
            flag(self.anonymous),
            flag(self.confidential),
            text(self.district_code),
            text(self.street_code),
            text(self.community_code),
            text(self.lead_unit_id),
            text(self.media_outlet),
            text(self.media_link),
            ts(self.media_published_at),
            ts(self.accept_due_at),
            ts(self.reply_due_at),
            ts(self.accept_warn_at),
            ts(self.reply_warn_at),
            ts(self.accept_warned_at),
            ts(self.accept_breached_at),
            ts(self.reply_warned_at),
            ts(self.reply_breached_at),
            flag(self.accept_late),
            flag(self.reply_late),
            ts(self.verify_due_at),
            ts(self.callback_due_at),
            ts(self.promise_due_at),
            text(self.result_type),
            text(self.reply_text),
            day(self.promised_on),
            ts(self.replied_at),
            flag(self.supervised),
            flag(self.needs_verification),
            flag(self.needs_callback),
            str(self.callback_attempts),
            str(self.reopen_count),
            str(self.extension_count),
            text(self.closed_as),
            ts(self.closed_at),
            day(self.received_on),
            ts(self.created_at),
            ts(self.updated_at),
            self.created_by,
            N,
            N,
            ts(self.callback_next_at),
        ]

    def event_rows(self) -> list[list[str]]:
        case_id = str(self.id)
        return [
            [
                case_id,
                str(seq),
                action,
                actor,
                at[:10] + " " + at[11:26],
                text(frm),
                text(to),
                text(reason),
                details,
                prev,
                digest,
            ]
            for seq, action, actor, at, frm, to, reason, details, prev, digest in self.events
        ]
