"""SQLAlchemy 2 models: the ledger's tables. Times are aware UTC (``_at``), local dates ``_on``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    and_,
    bindparam,
    cast,
    literal_column,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from hotline.adapters.db.types import PortableJSON, UTCDateTime
from hotline.domain.lifecycle import Status
from hotline.domain.supervision import SupervisionStatus
from hotline.domain.vocabulary import AssignmentStatus, RequestStatus


class _SearchVector(TypeDecorator[str]):
    """A PostgreSQL ``tsvector`` written from its literal text (``'烧烤':3 '噪音':7``): the
    value is cast in SQL, so any INSERT or UPDATE may give it as a string."""

    impl = TSVECTOR
    cache_ok = True

    def bind_expression(self, bindvalue: BindParameter[str]) -> ColumnElement[str]:
        return cast(bindvalue, TSVECTOR)


# Case search terms: a tsvector on PostgreSQL, the tokens as text on SQLite (FTS5 reads them).
SEARCH_TERMS_TYPE = Text().with_variant(_SearchVector(), "postgresql")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def inline(status: StrEnum) -> ColumnElement[str]:
    """A status as SQL text in a partial index's WHERE (and in the queries that must match it
    word for word for the planner to use the index): a literal, not a bound parameter."""
    return literal_column(f"'{status.value}'")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: PortableJSON,
        list[Any]: PortableJSON,
    }


class Channel(Base):
    """来源渠道: seeded from the city profile, editable by the administrator."""

    __tablename__ = "channels"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    needs_callback: Mapped[bool] = mapped_column(Boolean, default=True)
    requires_verification: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class Region(Base):
    """Administrative divisions: districts/counties, functional zones, streets, communities."""

    __tablename__ = "regions"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))


class Unit(Base):
    """承办单位, in a hierarchy; ``head_*`` names who answers for it (一把手)."""

    __tablename__ = "units"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    head_name: Mapped[str | None] = mapped_column(String(100))
    head_title: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(40))
    head_phone: Mapped[str | None] = mapped_column(String(40))  # 一把手的联系电话
    deputy_name: Mapped[str | None] = mapped_column(String(100))  # 分管领导
    deputy_phone: Mapped[str | None] = mapped_column(String(40))
    duty_phone: Mapped[str | None] = mapped_column(String(40))  # 值班电话
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Category(Base):
    """Taxonomy node (部件/事件 → 大类 → 小类) with limits, routing principle and questions."""

    __tablename__ = "categories"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("categories.code"))
    keywords: Mapped[list[Any]] = mapped_column(default=list)
    limits: Mapped[dict[str, Any]] = mapped_column(default=dict)
    routing: Mapped[str] = mapped_column(String(16), default="territory")
    default_unit_kind: Mapped[str | None] = mapped_column(String(32))
    questions: Mapped[list[Any]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class ApiToken(Base):
    """Bearer tokens, stored as sha256 hashes only."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class CaseNumberCounter(Base):
    """The daily sequence behind case numbers; one row per local day, bumped atomically."""

    __tablename__ = "case_number_counters"
    day_on: Mapped[date] = mapped_column(Date, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)


class Case(Base):
    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(32), index=True)
    version: Mapped[int] = mapped_column(Integer)
    channel_code: Mapped[str] = mapped_column(ForeignKey("channels.code"), index=True)
    title: Mapped[str | None] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(300))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    coord_system: Mapped[str | None] = mapped_column(String(8))
    category_code: Mapped[str | None] = mapped_column(ForeignKey("categories.code"), index=True)
    urgency: Mapped[str] = mapped_column(String(16), default="normal")
    caller_name: Mapped[str | None] = mapped_column(String(100))
    caller_phone: Mapped[str | None] = mapped_column(String(40))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    # The caller agreed that the case may be published (Open311 GET); a phone case is published
    # only with it (docs/decisions/0039-open311-publishes-what-citizens-published.md).
    publication_consent: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    district_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    street_code: Mapped[str | None] = mapped_column(String(16))
    community_code: Mapped[str | None] = mapped_column(String(16))
    lead_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    media_outlet: Mapped[str | None] = mapped_column(String(200))
    media_link: Mapped[str | None] = mapped_column(String(500))
    media_published_at: Mapped[datetime | None]
    accept_due_at: Mapped[datetime | None]
    reply_due_at: Mapped[datetime | None]
    # SLA bookkeeping: when each stage crosses its warning line (precomputed so the sweep is an
    # index range scan: SWEEP_INDEXES below), when the sweep raised it (exactly once), and the
    # breach flag frozen at the transition that settles the stage (accept / reply).
    accept_warn_at: Mapped[datetime | None]
    reply_warn_at: Mapped[datetime | None]
    accept_warned_at: Mapped[datetime | None]
    accept_breached_at: Mapped[datetime | None]
    reply_warned_at: Mapped[datetime | None]
    reply_breached_at: Mapped[datetime | None]
    accept_late: Mapped[bool | None] = mapped_column(Boolean)
    reply_late: Mapped[bool | None] = mapped_column(Boolean)
    verify_due_at: Mapped[datetime | None]
    callback_due_at: Mapped[datetime | None]
    promise_due_at: Mapped[datetime | None]
    result_type: Mapped[str | None] = mapped_column(String(16))
    reply_text: Mapped[str | None] = mapped_column(Text)
    promised_on: Mapped[date | None] = mapped_column(Date)
    replied_at: Mapped[datetime | None]
    supervised: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_verification: Mapped[bool | None] = mapped_column(Boolean)
    needs_callback: Mapped[bool | None] = mapped_column(Boolean)
    callback_attempts: Mapped[int] = mapped_column(Integer, default=0)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    extension_count: Mapped[int] = mapped_column(Integer, default=0)
    closed_as: Mapped[str | None] = mapped_column(String(32))
    closed_at: Mapped[datetime | None] = mapped_column(index=True)
    problem_id: Mapped[int | None] = mapped_column(ForeignKey("problems.id"), index=True)
    callback_next_at: Mapped[datetime | None] = mapped_column(index=True)
    received_on: Mapped[date] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64))
    anonymised_at: Mapped[datetime | None]
    # 0017: the text-search terms (adapters/db/case_search.py), never loaded with the case.
    search_terms: Mapped[str | None] = mapped_column(SEARCH_TERMS_TYPE, deferred=True)

    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="case", order_by="Assignment.id", cascade="all, delete-orphan"
    )
    requests: Mapped[list[CaseRequest]] = relationship(
        back_populates="case", order_by="CaseRequest.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", order_by="CaseEvent.seq", cascade="all"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it)


# The deadline sweep (services/actions/sweeps.py) raises each stage's warning line and deadline
# once. The states in which a stage's clock runs, and the predicate "not raised yet, clock running",
# live here because they are both the sweep's claim condition and its partial indexes' WHERE: each
# index then holds only the cases the sweep may still raise, and the planner can use it only if the
# claim query carries the same terms (rendered inline, never as parameters). The index is on (line,
# id), the claim's order, and the only index on the line: the planner, taking "line passed" and "not
# raised yet" as independent, expects a fifth of the open cases to match, not 1 %, and then rates
# walking the primary key, or a plain index on the line, as cheap as this one while they read every
# open case (migration 0005 dropped the plain ones, used by nothing else).
SWEPT_STATUSES: dict[str, tuple[str, ...]] = {
    "accept": ("dispatched",),
    "reply": ("dispatched", "accepted"),
}


def sweep_pending(stage: str, marker: str) -> ColumnElement[bool]:
    """Cases whose ``marker`` the sweep has still to stamp, in a state where ``stage`` runs."""
    statuses: BindParameter[list[str]] = bindparam(
        f"{stage}_swept", list(SWEPT_STATUSES[stage]), expanding=True, literal_execute=True
    )
    terms = [getattr(Case, marker).is_(None), Case.status.in_(statuses)]
    if stage == "accept":
        # A sub-dispatch puts the case back to dispatched after the lead unit accepted; the
        # centre's accept stage is settled then (accept_late frozen) and must not be swept.
        terms.append(Case.accept_late.is_(None))
    return and_(*terms)


# A period's cases with their problems, read without the rows (the repeat rate, the notices).
RECEIVED_PROBLEM_INDEX = Index(
    "ix_cases_received_problem", Case.received_on, Case.problem_id, Case.id
)
# A period's cases by street and category, read without the rows (hotspot detection).
RECEIVED_STREET_CATEGORY_INDEX = Index(
    "ix_cases_received_street_category",
    Case.received_on,
    Case.street_code,
    Case.category_code,
    Case.status,
)

# Cases waiting for a unit's reply (the reply clock may have run out): a notice's "overdue at
# its moment" reads those past their deadline from the partial index below, index-only.
PENDING_REPLY: tuple[str, ...] = tuple(
    s.value
    for s in (Status.RECEIVED, Status.REGISTERED, Status.DISPATCHED, Status.ACCEPTED,
              Status.RETURNED)
)  # fmt: skip


def reply_pending() -> ColumnElement[bool]:
    """The status test of PENDING_REPLY_INDEX, rendered inline so the planner can match it."""
    statuses: BindParameter[list[str]] = bindparam(
        "reply_pending", list(PENDING_REPLY), expanding=True, literal_execute=True
    )
    return Case.status.in_(statuses)


PENDING_REPLY_INDEX = Index(
    "ix_cases_pending_reply_due",
    Case.reply_due_at,
    postgresql_include=["id", "district_code", "confidential", "replied_at"],
    postgresql_where=reply_pending(),
    sqlite_where=reply_pending(),
)
# Cases by their latest reply: those answered after a notice's moment (it may be made days
# later), with what deciding "overdue at that moment" reads.
REPLIED_INDEX = Index(
    "ix_cases_replied_at",
    Case.replied_at,
    postgresql_include=["id", "reply_due_at", "status", "district_code", "confidential"],
    postgresql_where=Case.replied_at.is_not(None),
    sqlite_where=Case.replied_at.is_not(None),
)

SWEEP_INDEXES = tuple(
    Index(
        f"ix_cases_sweep_{stage}_{kind}",
        getattr(Case, line),
        Case.id,
        postgresql_where=sweep_pending(stage, marker),
        sqlite_where=sweep_pending(stage, marker),
    )
    for stage, kind, line, marker in (
        ("accept", "warning", "accept_warn_at", "accept_warned_at"),
        ("accept", "breach", "accept_due_at", "accept_breached_at"),
        ("reply", "warning", "reply_warn_at", "reply_warned_at"),
        ("reply", "breach", "reply_due_at", "reply_breached_at"),
    )
)


class Problem(Base):
    """问题台账: one real-world problem at one place, registered (挂号) at its first case and
    written off (销账) only when its cases are closed and the result verified or confirmed."""

    __tablename__ = "problems"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(16), index=True)  # domain.ledger.ProblemStatus
    title: Mapped[str] = mapped_column(String(200))
    category_code: Mapped[str | None] = mapped_column(String(32))
    district_code: Mapped[str | None] = mapped_column(String(16), index=True)
    street_code: Mapped[str | None] = mapped_column(String(16))
    lead_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    case_count: Mapped[int] = mapped_column(Integer, default=0)
    recurrence_count: Mapped[int] = mapped_column(Integer, default=0)
    first_case_at: Mapped[datetime]
    last_case_at: Mapped[datetime]
    written_off_at: Mapped[datetime | None]
    written_off_by: Mapped[str | None] = mapped_column(String(64))
    supervision_level: Mapped[str | None] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, default=1)
    # 0006: the last recurrence (a new complaint after 销账), and where a merged problem went.
    reopened_at: Mapped[datetime | None]
    merged_into_id: Mapped[int | None] = mapped_column(Integer)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it)


class ProblemLink(Base):
    """Audit of linking and unlinking cases to problems: who or what, when, score and reasons."""

    __tablename__ = "problem_links"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problems.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))  # link | unlink | suggest
    score: Mapped[float | None] = mapped_column(Float)
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]


class RepeatModel(Base):
    """The fitted IDF table of the repeat-complaint text model (hotline.repeats.TextModel), so
    that every process scores alike; the newest row is the one in force."""

    __tablename__ = "repeat_models"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(16))
    n_docs: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]


class Assignment(Base):
    """A unit's share of a case: lead (主办) or co-unit (协办), possibly sub-dispatched (下派)."""

    __tablename__ = "case_assignments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    role: Mapped[str] = mapped_column(String(8))  # lead | co
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("case_assignments.id"))
    status: Mapped[str] = mapped_column(String(16))  # domain.vocabulary.AssignmentStatus
    dispatched_at: Mapped[datetime]
    dispatched_by: Mapped[str] = mapped_column(String(64))
    accepted_at: Mapped[datetime | None]
    replied_at: Mapped[datetime | None]
    reply_text: Mapped[str | None] = mapped_column(Text)
    due_at: Mapped[datetime | None]
    case: Mapped[Case] = relationship(back_populates="assignments")


class CaseRequest(Base):
    """A return (退单) or an extension (延期) request awaiting a decision."""

    __tablename__ = "case_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # return | extension
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("case_assignments.id"))
    status: Mapped[str] = mapped_column(String(16))  # domain.vocabulary.RequestStatus
    reason_code: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime]
    requested_due_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)
    case: Mapped[Case] = relationship(back_populates="requests")


class Callback(Base):
    """回访 attempts and their answers."""

    __tablename__ = "case_callbacks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    # The lead unit the answer is about (an unsatisfied process is recorded against it).
    unit_id: Mapped[int | None] = mapped_column(Integer, index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    process_satisfaction: Mapped[str | None] = mapped_column(String(24))
    result_satisfaction: Mapped[str | None] = mapped_column(String(24))
    solved: Mapped[bool | None] = mapped_column(Boolean)
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(index=True)
    by: Mapped[str] = mapped_column(String(64))


class CaseEvent(Base):
    """History: append-only (database triggers refuse UPDATE and DELETE) and hash-chained."""

    __tablename__ = "case_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    seq: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(index=True)
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    case: Mapped[Case] = relationship(back_populates="events")
    __table_args__ = (
        UniqueConstraint("case_id", "seq", name="uq_case_events_case_seq"),
        # Answers by time (the notices' 办结), read without the rows.
        Index(
            "ix_case_events_answer_at",
            "at",
            "action",
            "case_id",
            postgresql_where=text("action IN ('reply', 'answer_directly')"),
            sqlite_where=text("action IN ('reply', 'answer_directly')"),
        ),
    )


class OutboxItem(Base):
    """Side effects (enrichment, mail, SMS, notices) queued in the changing transaction."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16))  # domain.vocabulary.OutboxStatus
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    run_after_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    lease_until_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
    __table_args__ = (Index("ix_outbox_due", "status", "run_after_at"),)


class Attachment(Base):
    """Photos before/after and documents; the bytes live on disk under the attachment dir."""

    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # before | after | document
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(255))
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime]
    # Where and when a photo was taken (migration 0020, docs/decisions/0027): the uploading
    # phone's position (WGS-84 degrees, accuracy radius in metres) and capture time, and the
    # camera's own time from the file's EXIF block when it has one.
    longitude: Mapped[float | None] = mapped_column(Float)
    latitude: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    captured_at: Mapped[datetime | None]
    exif_taken_at: Mapped[datetime | None]


class Supervision(Base):
    """督办单: an escalation of a case or of a ledger problem (problem_id) to a unit, answerable
    by its head (the rules: domain/supervision.py)."""

    __tablename__ = "supervisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    problem_id: Mapped[int | None] = mapped_column(Integer, index=True)
    level: Mapped[str] = mapped_column(String(16))  # domain.supervision.SupervisionLevel
    source: Mapped[str] = mapped_column(String(32))  # sla_warning | sla_breach | manual | …
    reason: Mapped[str] = mapped_column(Text)
    target_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    head_name: Mapped[str | None] = mapped_column(String(100))
    head_title: Mapped[str | None] = mapped_column(String(100))
    district_code: Mapped[str | None] = mapped_column(String(16), index=True)
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)  # SupervisionStatus
    response: Mapped[str | None] = mapped_column(Text)
    responded_at: Mapped[datetime | None]
    responded_by: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(index=True)  # the notices' 督办事项 (0021)
    created_by: Mapped[str] = mapped_column(String(64))


class CalendarYear(Base):
    """A year whose official notice an administrator has entered in full as overrides."""

    __tablename__ = "calendar_years"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    note: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class CalendarOverride(Base):
    """Local working-calendar changes and years the official calendar package does not know."""

    __tablename__ = "calendar_overrides"
    day_on: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # workday | holiday
    note: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class IdempotencyKey(Base):
    """A create request's Idempotency-Key, per user, kept for a day."""

    __tablename__ = "idempotency_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # in_flight | done
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_idempotency_user_key"),)


class PersonalDataAccess(Base):
    """Every unmasked read of a caller's name or phone: who, when, which case, why."""

    __tablename__ = "personal_data_access"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_name: Mapped[str] = mapped_column(String(64), index=True)
    case_number: Mapped[str] = mapped_column(String(32), index=True)
    at: Mapped[datetime]
    purpose: Mapped[str] = mapped_column(String(300))
    fields: Mapped[list[Any]] = mapped_column(default=list)


class IndicatorFact(Base):
    """What a case's history contributes to the indicators (hotline.domain.indicator_facts),
    each fact with the interval it was believed in, so figures "as of T" can be read back.
    Derived from case_events by the indicator refresh; never edited by hand. Unknown grouping
    keys are '' (and unit 0), never NULL, so every fact lands in exactly one group."""

    __tablename__ = "indicator_facts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    origin_seq: Mapped[int] = mapped_column(Integer)
    period_at: Mapped[datetime]
    period_on: Mapped[date] = mapped_column(Date)
    unit_id: Mapped[int] = mapped_column(Integer)
    district_code: Mapped[str] = mapped_column(String(16))
    street_code: Mapped[str] = mapped_column(String(16))
    category_code: Mapped[str] = mapped_column(String(32))
    channel_code: Mapped[str] = mapped_column(String(32))
    valid_from_at: Mapped[datetime]
    valid_to_at: Mapped[datetime | None]
    __table_args__ = (
        Index("ix_indicator_facts_period", "period_on", "kind"),
        # The repeat rate counts a period's current intake facts of repeated cases: this index
        # holds every column that count reads (index-only), for intake facts alone.
        Index(
            "ix_indicator_facts_intake",
            "period_on",
            "case_id",
            "district_code",
            "street_code",
            "category_code",
            "channel_code",
            "unit_id",
            postgresql_where=text("kind = 'intake' AND valid_to_at IS NULL"),
            sqlite_where=text("kind = 'intake' AND valid_to_at IS NULL"),
        ),
    )


class CaseIntakeCell(Base):
    """Live (non-void) cases per received day, street and category ('' where unknown), kept by
    triggers on ``cases`` (migration 0014, adapters/db/intake_cells.py); read by the hotspots."""

    __tablename__ = "case_intake_cells"
    received_on: Mapped[date] = mapped_column(Date, primary_key=True)
    street_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    category_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class IndicatorRollup(Base):
    """Counts of the currently valid facts per local day, kind and one grouping dimension
    (dim 'total' with key '' is the ungrouped count); kept in step with indicator_facts."""

    __tablename__ = "indicator_rollup"
    day_on: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    dim: Mapped[str] = mapped_column(String(12), primary_key=True)
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    # reports read one dimension over a stretch of days: covering, in that order (0009)
    __table_args__ = (Index("ix_indicator_rollup_dim_day", "dim", "day_on", "kind", "key", "n"),)


class IndicatorCaseState(Base):
    """Up to which history event (seq) a case's indicator facts are derived."""

    __tablename__ = "indicator_case_state"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)
    refreshed_at: Mapped[datetime]


class IndicatorWatermark(Base):
    """The newest case event the indicator refresh has looked at."""

    __tablename__ = "indicator_watermark"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime]


class IndicatorSettlement(Base):
    """A settled month (结算): its figures are frozen in indicator_settled_counts, with the
    indicator definitions in force; both tables refuse UPDATE and DELETE (triggers)."""

    __tablename__ = "indicator_settlements"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7), unique=True)
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date] = mapped_column(Date)
    settled_at: Mapped[datetime]
    settled_by: Mapped[str] = mapped_column(String(64))
    definitions: Mapped[list[Any]] = mapped_column(default=list)
    totals: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # how facts were derived and counted when settled (domain.indicator_facts.INDICATOR_VERSION);
    # months settled before the column existed were settled under version 1
    indicator_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class IndicatorSettledCount(Base):
    """The rollup of a settled month as of its settlement time (same shape as the rollup)."""

    __tablename__ = "indicator_settled_counts"
    settlement_id: Mapped[int] = mapped_column(
        ForeignKey("indicator_settlements.id"), primary_key=True
    )
    day_on: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    dim: Mapped[str] = mapped_column(String(12), primary_key=True)
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    __table_args__ = (
        Index("ix_indicator_settled_counts_dim_day", "settlement_id", "dim", "day_on", "kind",
              "key", "n"),
    )  # fmt: skip


class CaseClassification(Base):
    """What the classifier suggested for a case and what the centre chose at 立案, so that
    production accuracy is a query (docs/classifier.md). One row per case: the ``enrich`` job
    writes the suggestion, ``register`` the choice, in whichever order they happen. The final
    category (after any re-sorting) is the case's own ``category_code``."""

    __tablename__ = "case_classifications"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    model_version: Mapped[str | None] = mapped_column(String(64), index=True)
    suggested_at: Mapped[datetime | None]
    # Taxonomy codes of the model's first three labels (null: a label mapped to no code).
    top1_code: Mapped[str | None] = mapped_column(String(32))
    top2_code: Mapped[str | None] = mapped_column(String(32))
    top3_code: Mapped[str | None] = mapped_column(String(32))
    top1_probability: Mapped[float | None] = mapped_column(Float)
    # Every guess as recorded: [{rank, label, code, probability}].
    suggestions: Mapped[list[Any]] = mapped_column(default=list)
    registered_code: Mapped[str | None] = mapped_column(String(32))
    registered_by: Mapped[str | None] = mapped_column(String(64))
    registered_at: Mapped[datetime | None]


# -- evaluation (考评) and report editions ------------------------------------------------------


class EvaluationAdjustment(Base):
    """剔除/申诉: a case excluded from one indicator or deduction, or points added or taken from
    one entity, for one month. Only approved ones count; the decision is recorded, never erased."""

    __tablename__ = "evaluation_adjustments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # exclude | points
    entity_kind: Mapped[str | None] = mapped_column(String(16))  # district | unit | street
    entity_code: Mapped[str | None] = mapped_column(String(32))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    target: Mapped[str | None] = mapped_column(String(32))  # indicator or deduction code
    points: Mapped[float | None] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # pending | approved | rejected
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it)


class EvaluationAdjustmentEvent(Base):
    """The audit trail of an adjustment: requested, approved, rejected — who, when, why."""

    __tablename__ = "evaluation_adjustment_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    adjustment_id: Mapped[int] = mapped_column(ForeignKey("evaluation_adjustments.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(Text)


class ReportEdition(Base):
    """Every produced edition of a notice or report (通报), kept as the bytes that were sent."""

    __tablename__ = "report_editions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # daily | weekly | monthly
    period_key: Mapped[str] = mapped_column(String(16))  # 2026-11-25 | 2026-W48 | 2026-10
    format: Mapped[str] = mapped_column(String(8))  # html | xlsx
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    produced_at: Mapped[datetime]
    # the district whose cut (区县版) this is; '' for the city edition (a NULL would escape the
    # unique key: migration 0021)
    district_code: Mapped[str] = mapped_column(String(16), default="", server_default="")
    __table_args__ = (
        UniqueConstraint(
            "kind", "period_key", "format", "district_code", name="uq_report_editions_period"
        ),
    )


class ReportDelivery(Base):
    """One edition mailed to one recipient: its status and attempts, visible to operators."""

    __tablename__ = "report_deliveries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("report_editions.id"), index=True)
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("report_editions.id"))
    recipient: Mapped[str] = mapped_column(String(200))
    district_code: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))  # domain.vocabulary.DeliveryStatus
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    outbox_id: Mapped[int | None] = mapped_column(Integer)
    __table_args__ = (
        UniqueConstraint("edition_id", "recipient", name="uq_report_deliveries_recipient"),
    )


class BrowserSession(Base):
    """A web workbench session (cookie ``hotline_session``), stored as a sha256 hash only.

    It ends at ``expires_at`` (absolute), after the idle timeout counted from ``last_seen_at``
    (written at most once a minute), or when revoked (logout, user disabled).
    """

    __tablename__ = "browser_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class StandardAnswer(Base):
    """A standard answer (知识库/常用语) kept by supervisors and inserted by operators and units
    into a direct answer or a reply. ``category_code`` ties it to a taxonomy node (any level);
    none means it fits any case. Retired answers stay for the record but are no longer offered.
    """

    __tablename__ = "standard_answers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    category_code: Mapped[str | None] = mapped_column(ForeignKey("categories.code"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime]
    retired_by: Mapped[str | None] = mapped_column(String(64))
    retired_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it)


# The case list's text search (docs/decisions/0018-case-text-search-index.md): on PostgreSQL a GIN
# index on the terms, on the same table as the filters so that a search and a district or status
# filter meet in one bitmap; on SQLite an FTS5 table that triggers keep from cases.search_terms
# (migration 0017).
CASE_SEARCH_INDEX = Index(
    "ix_cases_search_terms", Case.search_terms, postgresql_using="gin"
).ddl_if(dialect="postgresql")
# Schema objects of one database only, which the models cannot describe on the other: the GIN
# index exists on PostgreSQL only; SQLite's FTS5 table and its shadow tables are made by
# migration 0017 and are not models. The drift check (migrate.drift) leaves them out.
POSTGRESQL_ONLY_INDEXES = frozenset({"ix_cases_search_terms"})
SQLITE_ONLY_TABLE_PREFIX = "case_search_fts"


def compared_in_drift(dialect: str) -> Callable[..., bool]:
    """Alembic's ``include_object`` for the drift check on ``dialect``."""

    def include(_object: object, name: str | None, type_: str, *_args: object) -> bool:
        if type_ == "table" and name and name.startswith(SQLITE_ONLY_TABLE_PREFIX):
            return dialect != "sqlite"
        if type_ == "index" and name in POSTGRESQL_ONLY_INDEXES:
            return dialect == "postgresql"
        return True

    return include


# The case list (services/cases/lists.py): open cases by deadline, with what the workbench's
# filters read, so that "my unit's / a district's open cases by deadline" read a few hundred
# index entries instead of every case the unit or district ever had; a user's own cases; the
# pending extension and return requests the dispatcher's desk lists.
OPEN_CASE_STATUSES: tuple[str, ...] = tuple(
    s.value
    for s in (Status.RECEIVED, Status.REGISTERED, Status.DISPATCHED, Status.ACCEPTED,
              Status.RETURNED, Status.REPLIED, Status.VERIFYING, Status.CALLBACK_PENDING)
)  # fmt: skip


def case_open() -> ColumnElement[bool]:
    """The WHERE of the open-case indexes, rendered inline so that the planner can match it."""
    statuses: BindParameter[list[str]] = bindparam(
        "case_open", list(OPEN_CASE_STATUSES), expanding=True, literal_execute=True
    )
    return Case.status.in_(statuses)


CASE_LIST_INDEXES = (
    Index(
        "ix_cases_open_reply_due",
        Case.reply_due_at,
        Case.id,
        postgresql_where=case_open(),
        sqlite_where=case_open(),
    ),
    Index(
        "ix_cases_open_accept_due",
        Case.accept_due_at,
        Case.id,
        postgresql_where=case_open(),
        sqlite_where=case_open(),
    ),
    Index(
        "ix_cases_open_district_reply_due",
        Case.district_code,
        Case.reply_due_at,
        postgresql_where=case_open(),
        sqlite_where=case_open(),
    ),
    Index("ix_cases_created_by_created_at", Case.created_by, Case.created_at),
    # 0019: counts read it alone (index-only): status, deadlines, district, lead unit
    Index(
        "ix_cases_open_list",
        Case.status,
        Case.id,
        postgresql_where=case_open(),
        postgresql_include=[
            "district_code",
            "lead_unit_id",
            "accept_due_at",
            "accept_warn_at",
            "accept_late",
            "reply_due_at",
            "reply_warn_at",
            "replied_at",
        ],
        sqlite_where=case_open(),
    ),
    Index(
        "ix_case_assignments_unit_case_current",
        Assignment.unit_id,
        Assignment.case_id,
        postgresql_where=Assignment.status != inline(AssignmentStatus.ENDED),
        sqlite_where=Assignment.status != inline(AssignmentStatus.ENDED),
    ),
    Index(
        "ix_case_requests_pending",
        CaseRequest.kind,
        CaseRequest.case_id,
        postgresql_where=CaseRequest.status == inline(RequestStatus.PENDING),
        sqlite_where=CaseRequest.status == inline(RequestStatus.PENDING),
    ),
)


AT_WORK = [inline(AssignmentStatus.PENDING), inline(AssignmentStatus.ACCEPTED)]

# A unit's live inbox (GET /api/v1/me/counters, services/cases/counters.py, migration 0020): the
# assignments it still has to act on and the supervisions still open against it, by time, so
# that a poll every 30 s reads a unit's few hundred entries, not every case it ever handled.
UNIT_INBOX_INDEXES = (
    Index(
        "ix_case_assignments_unit_active",
        Assignment.unit_id,
        Assignment.dispatched_at,
        postgresql_where=Assignment.status.in_(AT_WORK),
        sqlite_where=Assignment.status.in_(AT_WORK),
    ),
    Index(
        "ix_supervisions_unit_open",
        Supervision.target_unit_id,
        Supervision.created_at,
        postgresql_where=Supervision.status == inline(SupervisionStatus.OPEN),
        sqlite_where=Supervision.status == inline(SupervisionStatus.OPEN),
    ),
)


class CockpitFigures(Base):
    """The leaders' cockpit's figures of one local day (received, dispatched, overdue, …, per
    district) and its hotspots, as the worker last computed them (services/cockpit, migration
    0027): the cockpit reads one row instead of counting a day of a 10-million-case ledger on
    every screen's refresh, and shows how old the row is."""

    __tablename__ = "cockpit_figures"
    day_on: Mapped[date] = mapped_column(Date, primary_key=True)
    computed_at: Mapped[datetime]
    as_of: Mapped[datetime]  # the moment the figures speak for: the day's end, or computed_at
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)  # tile → district → n
    hotspots: Mapped[list[Any]] = mapped_column(default=list)


class DemoRun(Base):
    """One `hotline demo` build or catch-up (migration 0024): what tells a demo database from a
    real centre's, so that `make run` catches a demo up and never adds generated cases to real
    ones (docs/decisions/0033)."""

    __tablename__ = "demo_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    seed: Mapped[int] = mapped_column(Integer)
    per_day: Mapped[float] = mapped_column(Float)
    cases: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
