"""Editions of the notices and reports (通报), produced on schedule and mailed to recipients.

The worker asks :func:`run_schedule` on each periodic pass which editions are due (the city
profile's ``reports.schedule``: daily at 18:00, weekly on Monday, monthly on the 1st, local
time). Each due period is produced exactly once — HTML and xlsx, stored with size and sha256; a
unique key makes a second worker's attempt a no-op — and one outbox job per recipient is queued
in the same transaction. The ``deliver_report`` job mails the HTML as the body and the xlsx as
the attachment; a failure is recorded on the delivery and retried with backoff by the outbox.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer

from hotline.adapters.db.models import OutboxItem, Region, ReportDelivery, ReportEdition
from hotline.adapters.notify.smtp import Mail, MailAttachment
from hotline.domain.errors import InvalidInput, NotFound
from hotline.profile import RecipientSpec, ReportScheduleSpec
from hotline.reports.notices.periods import period_of
from hotline.services import outbox
from hotline.services.context import Hotline
from hotline.services.reporting.production import produce_formats

log = logging.getLogger("hotline.editions")

KINDS = ("daily", "weekly", "monthly")
FORMATS = ("html", "xlsx")
KIND_LABELS = {"daily": "当日通报", "weekly": "周汇报", "monthly": "月度报告", "period": "梳理通报"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {"html": "text/html; charset=utf-8", "xlsx": XLSX_TYPE}
JOB_KIND = "deliver_report"
NOT_CONFIGURED = "未配置 SMTP 服务器（HOTLINE_SMTP_HOST），未发送"

# (hotline, kind, period key) → the edition's bytes per format, from one build of the notice:
# report_production.produce_formats.
Producer = Callable[[Hotline, str, str], dict[str, bytes]]


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


def _edition(kind: str, key: str, fmt: str, content: bytes, now: datetime) -> ReportEdition:
    return ReportEdition(kind=kind, period_key=key, format=fmt, content=content,
                         size=len(content), sha256=hashlib.sha256(content).hexdigest(),
                         produced_at=now)  # fmt: skip


def _recipients(hotline: Hotline, kind: str) -> list[RecipientSpec]:
    return [r for r in hotline.profile.reports.recipients if kind in r.kinds]


def _queue_deliveries(
    hotline: Hotline, session: Session, body: ReportEdition, attachment: ReportEdition,
    now: datetime,
) -> int:  # fmt: skip
    configured = bool(hotline.settings.smtp_host)
    for recipient in _recipients(hotline, body.kind):
        delivery = ReportDelivery(
            edition_id=body.id, attachment_id=attachment.id, recipient=recipient.email,
            district_code=recipient.district, attempts=0, created_at=now,
            status="pending" if configured else "skipped",
            last_error=None if configured else NOT_CONFIGURED,
        )  # fmt: skip
        session.add(delivery)
        session.flush()
        if configured:
            job = outbox.enqueue(session, JOB_KIND, {"delivery_id": delivery.id}, now)
            session.flush()
            delivery.outbox_id = job.id
    return len(_recipients(hotline, body.kind))


def produce_edition(
    hotline: Hotline, kind: str, key: str, producer: Producer, now: datetime
) -> dict[str, Any] | None:
    """Produce and store one period's HTML and xlsx and queue its deliveries, exactly once:
    ``None`` if the period was produced already (by this or another worker)."""
    check_period(kind, key)
    with hotline.db.transaction() as session:
        if _produced(session, kind, key):
            return None
    contents = producer(hotline, kind, key)
    try:
        with hotline.db.transaction() as session:
            if _produced(session, kind, key):
                return None
            html, xlsx = (_edition(kind, key, fmt, contents[fmt], now) for fmt in FORMATS)
            session.add_all([html, xlsx])
            session.flush()
            queued = _queue_deliveries(hotline, session, html, xlsx, now)
            return {"kind": kind, "key": key, "editions": [html.id, xlsx.id], "queued": queued}
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


def _outgoing(hotline: Hotline, delivery_id: int) -> _Outgoing:
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
        sent = delivery.status == "sent"
    if district is not None and not sent:
        # a district leader gets the district's cut (its cases, lists, hotspots, problems)
        # beside the city's counts and ranking, built from the same data as the city edition
        cut = produce_formats(hotline, kind, key, district)
        html, xlsx = cut["html"], cut["xlsx"] if xlsx is not None else None
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
            delivery.status, delivery.sent_at, delivery.last_error = "sent", now, None
            return
        delivery.last_error = error[:4000]
        job = session.get(OutboxItem, delivery.outbox_id or 0)
        last_try = job is None or job.attempts >= job.max_attempts
        delivery.status = "failed" if last_try else "retrying"


def deliver(hotline: Hotline, delivery_id: int, now: datetime, mailer: Mailer) -> bool:
    """Mail one delivery (the ``deliver_report`` job). Already sent: nothing to do (a job run
    twice after a lost lease never mails twice once recorded). A failure is recorded, then
    raised again so that the outbox retries with backoff."""
    outgoing = _outgoing(hotline, delivery_id)
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
    retry_at = job.run_after_at if job is not None and delivery.status == "retrying" else None
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
            "format": edition.format,
            "size": edition.size,
            "sha256": edition.sha256,
            "produced_at": edition.produced_at.isoformat(),
            "deliveries": by_edition[edition.id],
        }
        for edition in editions
    ]


def list_editions(
    hotline: Hotline, kind: str | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """The newest editions first, each with its deliveries (status, attempts, last error)."""
    if kind is not None and kind not in KINDS:
        raise InvalidInput(f"报表类型须为 {'/'.join(KINDS)} 之一", fields=("kind",))
    if not 1 <= limit <= 1000:
        raise InvalidInput("limit 须在 1–1000 之间", fields=("limit",))
    with hotline.db.transaction() as session:
        stmt = select(ReportEdition).order_by(ReportEdition.produced_at.desc(),
                                              ReportEdition.id.desc())  # fmt: skip
        if kind is not None:
            stmt = stmt.where(ReportEdition.kind == kind)
        # the stored file stays in the database: a listing never needs it
        editions = list(session.scalars(stmt.options(defer(ReportEdition.content)).limit(limit)))
        return _editions_data(session, editions)


def edition_content(hotline: Hotline, edition_id: int) -> tuple[str, str, bytes]:
    """(file name, content type, bytes) of one stored edition, exactly as produced."""
    with hotline.db.transaction() as session:
        edition = session.get(ReportEdition, edition_id)
        if edition is None:
            raise NotFound(f"没有第 {edition_id} 号报表")
        name = f"{edition.kind}-{edition.period_key}.{edition.format}"
        return name, CONTENT_TYPES[edition.format], edition.content
