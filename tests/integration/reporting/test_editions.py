"""Editions on schedule, stored once per period, mailed through a real local SMTP server
(aiosmtpd) with the xlsx attached; failed deliveries retried with backoff and visible."""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from hotline.adapters.db.models import OutboxItem, ReportDelivery, ReportEdition
from hotline.domain.lifecycle import Action
from hotline.domain.roles import Actor
from hotline.entrypoints.worker import WorkerStats, run_due_jobs, run_worker
from hotline.profile import RecipientSpec
from hotline.services.context import Hotline
from hotline.services.reporting.editions import (
    NOT_CONFIGURED,
    edition_content,
    list_editions,
    produce_edition,
    run_schedule,
)
from hotline.services.reporting.production import produce_formats
from tests.conftest import FakeClock
from tests.integration.reporting.test_indicators import Story


@dataclass
class Inbox:
    """An aiosmtpd handler keeping every message it accepts."""

    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        parsed["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
        self.messages.append(parsed)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@dataclass
class CountingProducer:
    """Stands in for production.produce_formats: for the city and each district asked, a small
    HTML page and a real xlsx."""

    calls: list[tuple[str, str]] = field(default_factory=list)

    def __call__(
        self, _hotline: Hotline, kind: str, key: str, districts: Sequence[str], _now: datetime
    ) -> dict[str, dict[str, bytes]]:
        self.calls.append((kind, key))
        produced = {}
        for scope in ("", *districts):
            html = f"<html><body><h1>{kind} {key} {scope}</h1><p>受理 3 件</p></body></html>"
            produced[scope] = {"html": html.encode(), "xlsx": self._xlsx()}
        return produced

    @staticmethod
    def _xlsx() -> bytes:
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(["区县", "受理"])
        sheet.append(["历下区", 3])
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()


def at_local(hotline: Hotline, clock: FakeClock, moment: str) -> datetime:
    local = datetime.fromisoformat(moment).replace(tzinfo=hotline.settings.tz)
    clock.current = local.astimezone(UTC)
    return clock.current


def recipients(hotline: Hotline, *emails: str) -> None:
    hotline.profile.reports.recipients = [
        RecipientSpec(email=email, district="370102" if "lixia" in email else None)
        for email in emails
    ]


def mail_to(hotline: Hotline, port: int) -> None:
    hotline.settings.smtp_host, hotline.settings.smtp_port = "127.0.0.1", port


def test_the_schedule_produces_each_period_exactly_once(hotline: Hotline, clock: FakeClock) -> None:
    producer = CountingProducer()
    recipients(hotline)
    at_local(hotline, clock, "2026-11-24T17:59")  # a Tuesday, before the daily notice's hour
    first = run_schedule(hotline, clock(), producer)
    assert [(r["kind"], r["key"]) for r in first] == [
        ("daily", "2026-11-23"), ("weekly", "2026-W47"), ("monthly", "2026-10")
    ]  # fmt: skip
    assert run_schedule(hotline, clock(), producer) == []  # nothing twice
    at_local(hotline, clock, "2026-11-24T18:00")
    assert [(r["kind"], r["key"]) for r in run_schedule(hotline, clock(), producer)] == [
        ("daily", "2026-11-24")
    ]
    at_local(hotline, clock, "2026-11-30T08:00")  # Monday: last week's summary
    keys = [(r["kind"], r["key"]) for r in run_schedule(hotline, clock(), producer)]
    assert keys == [("daily", "2026-11-29"), ("weekly", "2026-W48")]
    at_local(hotline, clock, "2026-12-01T08:00")
    keys = [(r["kind"], r["key"]) for r in run_schedule(hotline, clock(), producer)]
    assert keys == [("daily", "2026-11-30"), ("monthly", "2026-11")]
    assert len(producer.calls) == len(set(producer.calls)) == 8  # one build per period


def test_editions_are_stored_with_size_and_sha256(hotline: Hotline, clock: FakeClock) -> None:
    recipients(hotline)
    producer = CountingProducer()
    produce_edition(hotline, "daily", "2026-11-24", producer, clock())
    assert produce_edition(hotline, "daily", "2026-11-24", producer, clock()) is None
    (xlsx, html) = list_editions(hotline, "daily")
    assert (html["format"], xlsx["format"]) == ("html", "xlsx")
    name, content_type, content = edition_content(hotline, html["id"])
    assert name == "daily-2026-11-24.html" and content_type.startswith("text/html")
    assert html["size"] == len(content) and len(html["sha256"]) == 64


def test_without_smtp_the_deliveries_are_shown_as_skipped(
    hotline: Hotline, clock: FakeClock
) -> None:
    recipients(hotline, "zhihui@jnrx12345.example")
    produce_edition(hotline, "daily", "2026-11-24", CountingProducer(), clock())
    (delivery,) = list_editions(hotline, "daily")[-1]["deliveries"]
    assert (delivery["status"], delivery["last_error"]) == ("skipped", NOT_CONFIGURED)
    with hotline.db.transaction() as session:
        assert (
            session.scalars(select(OutboxItem).where(OutboxItem.kind == "deliver_report")).all()
            == []
        )


def test_a_real_smtp_server_receives_the_mail_with_its_attachment(
    hotline: Hotline, clock: FakeClock, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    mail_to(hotline, port)
    recipients(hotline, "zhihui@jnrx12345.example", "lixia@jncgj.example")
    produce_edition(hotline, "monthly", "2026-10", CountingProducer(), clock())
    stats = run_worker_jobs(hotline)
    assert stats.done == 2 and stats.failed == 0
    assert sorted(m["To"] for m in inbox.messages) == [
        "lixia@jncgj.example", "zhihui@jnrx12345.example"
    ]  # fmt: skip
    to = {m["To"]: m for m in inbox.messages}
    message = to["zhihui@jnrx12345.example"]  # city level: the stored city edition
    assert message["Subject"] == "【济南市城市管理热线】月度报告 2026-10"
    body = message.get_body(("html",))
    assert body is not None and "<h1>monthly 2026-10 </h1>" in body.get_content()
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "月度报告-2026-10.xlsx"
    sheet = load_workbook(io.BytesIO(attachment.get_content())).active
    assert sheet is not None and sheet["A2"].value == "历下区" and sheet["B2"].value == 3
    # a district's recipient gets its district's stored cut
    lixia = to["lixia@jncgj.example"]
    assert lixia["Subject"] == "【济南市城市管理热线】月度报告 2026-10（历下区版）"
    cut = lixia.get_body(("html",))
    assert cut is not None and "<h1>monthly 2026-10 370102</h1>" in cut.get_content()
    (cut_file,) = list(lixia.iter_attachments())
    assert cut_file.get_filename() == "月度报告-2026-10-370102.xlsx"
    deliveries = list_editions(hotline, "monthly")[-1]["deliveries"]
    assert {(d["status"], d["attempts"]) for d in deliveries} == {("sent", 1)}
    assert run_worker_jobs(hotline).done == 0  # sent once, never again


def run_worker_jobs(hotline: Hotline) -> WorkerStats:
    stats = WorkerStats()
    while run_due_jobs(hotline, "w1", stats):
        pass
    return stats


def test_a_failed_delivery_is_retried_with_backoff_and_visible(
    hotline: Hotline, clock: FakeClock, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    mail_to(hotline, free_port())  # nobody listens there: connection refused
    recipients(hotline, "zhihui@jnrx12345.example")
    produce_edition(hotline, "daily", "2026-11-24", CountingProducer(), clock())
    assert run_worker_jobs(hotline).failed == 1
    (delivery,) = list_editions(hotline)[-1]["deliveries"]
    assert (delivery["status"], delivery["attempts"]) == ("retrying", 1)
    assert "ConnectionRefusedError" in delivery["last_error"]
    assert delivery["next_attempt_at"] == (clock() + timedelta(seconds=30)).isoformat()
    assert run_worker_jobs(hotline).failed == 0  # not due yet: backoff
    mail_to(hotline, port)  # the relay is back
    clock.advance(seconds=31)
    assert run_worker_jobs(hotline).done == 1
    (delivery,) = list_editions(hotline)[-1]["deliveries"]
    assert (delivery["status"], delivery["attempts"], delivery["last_error"]) == ("sent", 2, None)
    assert len(inbox.messages) == 1


def test_a_delivery_that_keeps_failing_is_given_up_and_shown_failed(
    hotline: Hotline, clock: FakeClock
) -> None:
    mail_to(hotline, free_port())
    recipients(hotline, "zhihui@jnrx12345.example")
    produce_edition(hotline, "daily", "2026-11-24", CountingProducer(), clock())
    for _ in range(5):
        run_worker_jobs(hotline)
        clock.advance(hours=1)
    (delivery,) = list_editions(hotline)[-1]["deliveries"]
    assert (delivery["status"], delivery["attempts"]) == ("failed", 5)
    assert delivery["next_attempt_at"] is None


def test_the_worker_produces_the_real_editions_on_schedule(
    hotline: Hotline, clock: FakeClock, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    mail_to(hotline, port)
    recipients(hotline, "zhihui@jnrx12345.example")
    at_local(hotline, clock, "2026-11-24T18:30")
    run_worker(hotline, once=True, worker_id="w1")
    produced = {(e["kind"], e["period_key"], e["format"]) for e in list_editions(hotline)}
    assert ("daily", "2026-11-24", "xlsx") in produced and len(produced) == 6
    subjects = sorted(m["Subject"] for m in inbox.messages)
    assert subjects == [
        "【济南市城市管理热线】周汇报 2026-W47",
        "【济南市城市管理热线】当日通报 2026-11-24",
        "【济南市城市管理热线】月度报告 2026-10",
    ]
    for message in inbox.messages:
        (attachment,) = list(message.iter_attachments())
        load_workbook(io.BytesIO(attachment.get_content()))  # a real workbook


def test_each_district_leader_receives_the_stored_cut_of_their_district(
    hotline: Hotline,
    actors: dict[str, Actor],
    clock: FakeClock,
    smtp_server: tuple[Inbox, int],
) -> None:
    """Issue 18 item 8: the city edition and one cut per district with a recipient are stored
    as editions of their own, in one production; each recipient is mailed exactly the stored
    bytes of the edition it receives — the city leaders the city edition, a district leader
    its district's cut (its own overdue case, the city ranking beside it)."""
    inbox, port = smtp_server
    story = Story(hotline, actors, clock)
    story.at("2026-10-12")
    lixia_case = story.dispatched()  # 历下, never replied: overdue at the month's end
    shizhong_case = story.dispatched("SZ-CGJ", district_code="370103")
    story.do(lixia_case, Action.ACCEPT, "handler")
    story.at("2026-11-02")
    mail_to(hotline, port)
    hotline.profile.reports.recipients = [
        RecipientSpec(email="zhihui@jnrx12345.example"),
        RecipientSpec(email="lixia@jncgj.example", district="370102"),
        RecipientSpec(email="lixia-2@jncgj.example", district="370102"),
        RecipientSpec(email="shizhong@jncgj.example", district="370103"),
    ]
    result = produce_edition(hotline, "monthly", "2026-10", produce_formats, clock())
    assert result is not None and result["districts"] == ["370102", "370103"]
    editions = list_editions(hotline, "monthly")
    assert sorted((e["district"] or "", e["format"]) for e in editions) == [
        ("", "html"), ("", "xlsx"), ("370102", "html"), ("370102", "xlsx"),
        ("370103", "html"), ("370103", "xlsx"),
    ]  # fmt: skip
    cut = next(e for e in editions if (e["district"], e["format"]) == ("370102", "html"))
    assert sorted(d["recipient"] for d in cut["deliveries"]) == [
        "lixia-2@jncgj.example", "lixia@jncgj.example"
    ]  # fmt: skip
    name, _type, stored = edition_content(hotline, cut["id"])
    assert name == "monthly-2026-10-370102.html"
    page = stored.decode()
    assert "月度报告（历下区版）" in page and "考评排名" in page
    assert lixia_case in page and shizhong_case not in page
    with hotline.db.transaction() as session:
        city_html = session.scalars(
            select(ReportEdition).where(
                ReportEdition.district_code == "", ReportEdition.format == "html"
            )
        ).one()
        assert session.scalars(
            select(ReportDelivery.recipient).where(ReportDelivery.edition_id == city_html.id)
        ).all() == ["zhihui@jnrx12345.example"]
    clock.advance(hours=1)  # a notice rebuilt now would say so in its production time
    assert run_worker_jobs(hotline).kinds["deliver_report"] == 4
    to = {m["To"]: m for m in inbox.messages}
    body = to["lixia@jncgj.example"].get_body(("html",))
    assert body is not None  # the stored bytes (mail turns line ends into CRLF), not a rebuild
    assert body.get_content().replace("\r\n", "\n").rstrip() == page.rstrip()
    assert to["shizhong@jncgj.example"]["Subject"].endswith("（市中区版）")
    city = to["zhihui@jnrx12345.example"].get_body(("html",))
    assert city is not None and "历下区版" not in city.get_content()
    assert "考评排名" in city.get_content() and lixia_case not in city.get_content()
