"""The mail as it goes on the wire: HTML body, plain fallback, a Chinese-named attachment."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from hotline.adapters.notify.smtp import (
    Mail,
    MailAttachment,
    MailNotConfigured,
    SmtpMailer,
    build_message,
)
from hotline.config import Settings


def test_the_message_round_trips_through_mime() -> None:
    xlsx = MailAttachment("当日通报-2026-11-25.xlsx", b"PK\x03\x04data", "application/zip")
    mail = Mail("a@b.example", "【济南市】当日通报 2026-11-25", "<p>受理 3 件</p>", (xlsx,))
    wire = build_message(mail, "12345@jn.example", "济南市城市管理热线").as_bytes()
    parsed = message_from_bytes(wire, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    assert parsed["Subject"] == "【济南市】当日通报 2026-11-25"
    assert "济南市城市管理热线" in str(parsed["From"])
    html = parsed.get_body(("html",))
    assert html is not None and "<p>受理 3 件</p>" in html.get_content()
    plain = parsed.get_body(("plain",))
    assert plain is not None and "HTML" in plain.get_content()
    (attachment,) = list(parsed.iter_attachments())
    assert attachment.get_filename() == "当日通报-2026-11-25.xlsx"
    assert attachment.get_content() == b"PK\x03\x04data"


def test_no_host_means_not_configured() -> None:
    with pytest.raises(MailNotConfigured, match="HOTLINE_SMTP_HOST"):
        SmtpMailer.from_settings(Settings(smtp_host=None))
    mailer = SmtpMailer.from_settings(
        Settings(
            smtp_host="relay.example",
            smtp_port=587,
            smtp_starttls=True,
            smtp_user="u",
            smtp_password="p",
        )
    )
    assert (mailer.host, mailer.port, mailer.starttls, mailer.password) == (
        "relay.example", 587, True, "p"
    )  # fmt: skip
