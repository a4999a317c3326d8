"""Editions of the notices and reports (通报), produced on schedule and mailed to recipients.

The worker asks :func:`run_schedule` on each periodic pass which editions are due (the city
profile's ``reports.schedule``: daily at 18:00, weekly on Monday, monthly on the 1st, local
time). Each due period is produced exactly once — HTML and xlsx of the city edition and of
each district's cut (区县版) that a recipient receives, stored with size and sha256; a unique key
makes a second worker's attempt a no-op — and one outbox job per recipient is queued in the same
transaction. The ``deliver_report`` job mails the recipient's stored edition, the HTML as the
body and the xlsx as the attachment; a failure is recorded on the delivery and retried with
backoff by the outbox.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer

from hotline.adapters.db.models import OutboxItem, Region, ReportDelivery, ReportEdition
from hotline.adapters.notify.smtp import Mail, MailAttachment
from hotline.domain.errors import InvalidInput, NotFound
from hotline.domain.vocabulary import DeliveryStatus
from hotline.profile import RecipientSpec, ReportScheduleSpec
from hotline.reports.notices.periods import period_of
from hotline.services import outbox
from hotline.services.context import Hotline
from hotline.services.reporting.production import CITY, produce_formats

log = logging.getLogger("hotline.editions")

KINDS = ("daily", "weekly", "monthly")
FORMATS = ("html", "xlsx")
KIND_LABELS = {"daily": "当日通报", "weekly": "周汇报", "monthly": "月度报告", "period": "梳理通报"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {"html": "text/html; charset=utf-8", "xlsx": XLSX_TYPE}
JOB_KIND = "deliver_report"
NOT_CONFIGURED = "未配置 SMTP 服务器（HOTLINE_SMTP_HOST），未发送"

# (hotline, kind, period key, districts, now) → the bytes per format of the city edition (scope
# '') and of each district's cut, each from one build of its notice, all read in one snapshot
# as of now: production.produce_formats.
Producer = Callable[[Hotline, str, str, Sequence[str], datetime], dict[str, dict[str, bytes]]]


class Mailer(Protocol):
    def send(self, mail: Mail) -> None: ...


# -- the schedule (pure) -----------------------------------------------------------------------


def _at(day: date, hhmm: str, tz: Any) -> datetime:
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=tz)


def _latest_weekday(today: date, weekday: int) -> date:
    return today - timedelta(days=(today.isoweekday() - weekday) % 7)


def due_periods(schedule: ReportScheduleSpec, now_local: datetime) -> list[tuple[str, str]]:
    """The latest period of each enabled kind whose production time has passed: today's daily
    notice from 18:00 (else yesterday's), last week's summary from Monday, last month's report
    from the 1st. Returning the latest also catches up after a worker was down."""
    today, tz = now_local.date(), now_local.tzinfo
    due: list[tuple[str, str]] = []
    if "daily" in schedule.enabled:
        day = today if now_local >= _at(today, schedule.daily_at, tz) else today - timedelta(1)
        due.append(("daily", day.isoformat()))
    if "weekly" in schedule.enabled:
        run_on = _latest_weekday(today, schedule.weekly_weekday)
        if now_local < _at(run_on, schedule.weekly_at, tz):
            run_on -= timedelta(days=7)
        year, week, _ = (run_on - timedelta(days=7)).isocalendar()
        due.append(("weekly", f"{year}-W{week:02d}"))
    if "monthly" in schedule.enabled:
        run_on = today.replace(day=schedule.monthly_day)
        if now_local < _at(run_on, schedule.monthly_at, tz):
            run_on = (run_on.replace(day=1) - timedelta(days=1)).replace(day=schedule.monthly_day)
        previous = run_on.replace(day=1) - timedelta(days=1)
        due.append(("monthly", f"{previous:%Y-%m}"))
    return due


def check_period(kind: str, key: str) -> None:
    """Refuse a kind or period key that cannot name an edition (the notices' own key rules)."""
    if kind not in KINDS:
        raise InvalidInput(f"报表类型须为 {'/'.join(KINDS)} 之一", fields=("kind",))
    period_of(kind, key)


# -- production --------------------------------------------------------------------------------


def _produced(session: Session, kind: str, key: str) -> bool:
    stmt = select(ReportEdition.id).where(
        ReportEdition.kind == kind, ReportEdition.period_key == key
    )
    return session.scalars(stmt.limit(1)).first() is not None


def _edition(
    kind: str, key: str, scope: str, fmt: str, content: bytes, now: datetime
) -> ReportEdition:
    return ReportEdition(kind=kind, period_key=key, district_code=scope, format=fmt,
                         content=content, size=len(content),
                         sha256=hashlib.sha256(content).hexdigest(), produced_at=now)  # fmt: skip


def _recipients(hotline: Hotline, kind: str) -> list[RecipientSpec]:
    return [r for r in hotline.profile.reports.recipients if kind in r.kinds]


def cut_districts(hotline: Hotline, kind: str) -> list[str]:
    """The districts whose leaders receive ``kind``: each gets a cut of its own."""
    return sorted({r.district for r in _recipients(hotline, kind) if r.district})


Stored = dict[str, tuple[ReportEdition, ReportEdition]]  # scope → (HTML body, xlsx attachment)


def _queue_deliveries(
    hotline: Hotline, session: Session, kind: str, stored: Stored, now: datetime
) -> int:
    """One delivery per recipient of the edition it receives: a district's recipient its
    district's cut, a city-level one the city edition."""
    configured = bool(hotline.settings.smtp_host)
    recipients = _recipients(hotline, kind)
    for recipient in recipients:
        body, attachment = stored[recipient.district or CITY]
        delivery = ReportDelivery(
            edition_id=body.id, attachment_id=attachment.id, recipient=recipient.email,
            district_code=recipient.district, attempts=0, created_at=now,
            status=(DeliveryStatus.PENDING if configured else DeliveryStatus.SKIPPED).value,
            last_error=None if configured else NOT_CONFIGURED,
        )  # fmt: skip
        session.add(delivery)
        session.flush()
        if configured:
            job = outbox.enqueue(session, JOB_KIND, {"delivery_id": delivery.id}, now)
            session.flush()
            delivery.outbox_id = job.id
    return len(recipients)


def _store(
    session: Session, kind: str, key: str, contents: dict[str, dict[str, bytes]], now: datetime
) -> Stored:
    stored: Stored = {}
    for scope, formats in contents.items():
        html, xlsx = (_edition(kind, key, scope, fmt, formats[fmt], now) for fmt in FORMATS)
        session.add_all([html, xlsx])
        stored[scope] = (html, xlsx)
    session.flush()
    return stored


def produce_edition(
    hotline: Hotline, kind: str, key: str, producer: Producer, now: datetime
) -> dict[str, Any] | None:
    """Produce and store one period's HTML and xlsx — the city edition and the cut of every
    district with a recipient — and queue its deliveries, exactly once: ``None`` if the period
    was produced already (by this or another worker)."""
    check_period(kind, key)
    with hotline.db.transaction() as session:
        if _produced(session, kind, key):
            return None
    districts = cut_districts(hotline, kind)
    contents = producer(hotline, kind, key, districts, now)
    try:
        with hotline.db.transaction() as session:
            if _produced(session, kind, key):
                return None
            stored = _store(session, kind, key, contents, now)
            queued = _queue_deliveries(hotline, session, kind, stored, now)
            ids = [edition.id for pair in stored.values() for edition in pair]
            return {"kind": kind, "key": key, "editions": ids, "districts": districts,
                    "queued": queued}  # fmt: skip
    except IntegrityError:  # another worker stored the same period between our two looks
        return None


def run_schedule(hotline: Hotline, now: datetime, producer: Producer) -> list[dict[str, Any]]:
    """The worker's hook: produce every due, not yet produced period. A production that fails
    is logged and tried again on the next pass; it never stops the worker."""
    local = now.astimezone(hotline.settings.tz)
    produced = []
    for kind, key in due_periods(hotline.profile.reports.schedule, local):
        try:
            result = produce_edition(hotline, kind, key, producer, now)
        except Exception:
            log.exception("producing the %s edition %s failed; retried on the next pass", kind, key)
            continue
        if result is not None:
            produced.append(result)
    return produced


# -- delivery ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Outgoing:
    mail: Mail
    sent: bool


def _outgoing(hotline: Hotline, delivery_id: int, now: datetime) -> _Outgoing:
    """The mail of one delivery: the stored edition its recipient receives, exactly as
    produced (a district leader's is the district's cut, 区县版)."""
    with hotline.db.transaction() as session:
        delivery = session.get(ReportDelivery, delivery_id)
        if delivery is None:
            raise NotFound(f"没有第 {delivery_id} 号报表投递")
        body = session.get(ReportEdition, delivery.edition_id)
        assert body is not None  # a foreign key
        attachment = session.get(ReportEdition, delivery.attachment_id or 0)
        title = f"【{hotline.profile.name}城市管理热线】{KIND_LABELS[body.kind]} {body.period_key}"
        html, xlsx = body.content, attachment.content if attachment is not None else None
        district, kind, key = delivery.district_code, body.kind, body.period_key
        region = session.get(Region, district) if district else None
        legacy = bool(district) and body.district_code != district
        sent = delivery.status == DeliveryStatus.SENT
    if legacy and not sent:
        # queued before cuts were stored (migration 0021): it points at the city edition, so
        # the cut is built now, as it was then
        assert district is not None
        cut = produce_formats(hotline, kind, key, [district], now)[district]
        html, xlsx = cut["html"], cut["xlsx"] if xlsx is not None else None
    if district:
        title += f"（{region.name if region else district}版）"
    files: tuple[MailAttachment, ...] = ()
    if xlsx is not None:
        name = f"{KIND_LABELS[kind]}-{key}{'-' + district if district else ''}.xlsx"
        files = (MailAttachment(name, xlsx, CONTENT_TYPES["xlsx"]),)
    return _Outgoing(Mail(delivery.recipient, title, html.decode("utf-8"), files), sent)


def _record(hotline: Hotline, delivery_id: int, now: datetime, error: str | None) -> None:
    with hotline.db.transaction() as session:
        delivery = session.get(ReportDelivery, delivery_id)
        if delivery is None:
            return
        delivery.attempts += 1
        if error is None:
            delivery.status, delivery.sent_at = DeliveryStatus.SENT.value, now
            delivery.last_error = None
            return
        delivery.last_error = error[:4000]
        job = session.get(OutboxItem, delivery.outbox_id or 0)
        last_try = job is None or job.attempts >= job.max_attempts
        delivery.status = (DeliveryStatus.FAILED if last_try else DeliveryStatus.RETRYING).value


def deliver(hotline: Hotline, delivery_id: int, now: datetime, mailer: Mailer) -> bool:
    """Mail one delivery (the ``deliver_report`` job). Already sent: nothing to do (a job run
    twice after a lost lease never mails twice once recorded). A failure is recorded, then
    raised again so that the outbox retries with backoff."""
    outgoing = _outgoing(hotline, delivery_id, now)
    if outgoing.sent:
        return False
    try:
        mailer.send(outgoing.mail)
    except Exception as exc:
        _record(hotline, delivery_id, now, f"{type(exc).__name__}: {exc}")
        raise
    _record(hotline, delivery_id, now, None)
    return True


# -- reading -----------------------------------------------------------------------------------


def _delivery_data(delivery: ReportDelivery, job: OutboxItem | None) -> dict[str, Any]:
    retry_at = (
        job.run_after_at if job is not None and delivery.status == DeliveryStatus.RETRYING else None
    )
    return {
        "id": delivery.id,
        "recipient": delivery.recipient,
        "district": delivery.district_code,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "last_error": delivery.last_error,
        "sent_at": delivery.sent_at.isoformat() if delivery.sent_at else None,
        "next_attempt_at": retry_at.isoformat() if retry_at else None,
    }


def _editions_data(session: Session, editions: list[ReportEdition]) -> list[dict[str, Any]]:
    """Editions with their deliveries and the deliveries' outbox jobs, three queries in all."""
    deliveries = session.scalars(
        select(ReportDelivery).where(ReportDelivery.edition_id.in_([e.id for e in editions]))
        .order_by(ReportDelivery.id)
    ).all()  # fmt: skip
    outbox_ids = [d.outbox_id for d in deliveries if d.outbox_id]
    jobs = {job.id: job for job in session.scalars(
        select(OutboxItem).where(OutboxItem.id.in_(outbox_ids)))}  # fmt: skip
    by_edition: dict[int, list[dict[str, Any]]] = {e.id: [] for e in editions}
    for d in deliveries:
        by_edition[d.edition_id].append(_delivery_data(d, jobs.get(d.outbox_id or 0)))
    return [
        {
            "id": edition.id,
            "kind": edition.kind,
            "kind_label": KIND_LABELS.get(edition.kind, edition.kind),
            "period_key": edition.period_key,
            "district": edition.district_code or None,
            "format": edition.format,
            "size": edition.size,
            "sha256": edition.sha256,
            "produced_at": edition.produced_at.isoformat(),
            "deliveries": by_edition[edition.id],
        }
        for edition in editions
    ]


def list_editions(
    hotline: Hotline, kind: str | None = None, limit: int = 50, district: str | None = None
) -> list[dict[str, Any]]:
    """The newest editions first, each with its deliveries (status, attempts, last error);
    with ``district``, only that district's cuts."""
    if kind is not None and kind not in KINDS:
        raise InvalidInput(f"报表类型须为 {'/'.join(KINDS)} 之一", fields=("kind",))
    if not 1 <= limit <= 1000:
        raise InvalidInput("limit 须在 1–1000 之间", fields=("limit",))
    with hotline.db.transaction() as session:
        stmt = select(ReportEdition).order_by(ReportEdition.produced_at.desc(),
                                              ReportEdition.id.desc())  # fmt: skip
        if kind is not None:
            stmt = stmt.where(ReportEdition.kind == kind)
        if district is not None:
            stmt = stmt.where(ReportEdition.district_code == district)
        # the stored file stays in the database: a listing never needs it
        editions = list(session.scalars(stmt.options(defer(ReportEdition.content)).limit(limit)))
        return _editions_data(session, editions)


def edition_content(hotline: Hotline, edition_id: int) -> tuple[str, str, bytes]:
    """(file name, content type, bytes) of one stored edition, exactly as produced."""
    with hotline.db.transaction() as session:
        edition = session.get(ReportEdition, edition_id)
        if edition is None:
            raise NotFound(f"没有第 {edition_id} 号报表")
        scope = f"-{edition.district_code}" if edition.district_code else ""
        name = f"{edition.kind}-{edition.period_key}{scope}.{edition.format}"
        return name, CONTENT_TYPES[edition.format], edition.content
