"""Mail through an SMTP relay (smtplib): an HTML body and attachments, e.g. a report's xlsx.

Configured by the ``HOTLINE_SMTP_*`` settings (host, port, from, STARTTLS, user and password).
One connection per message: editions go out a few times a day, so pooling buys nothing, and a
fresh connection makes a retry after a relay restart simply work.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from hotline.config import Settings


class MailNotConfigured(RuntimeError):
    """No SMTP host is configured: nothing can be mailed."""


@dataclass(frozen=True)
class MailAttachment:
    filename: str
    content: bytes
    content_type: str = "application/octet-stream"


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    html: str
    attachments: tuple[MailAttachment, ...] = field(default=())


def build_message(mail: Mail, sender: str, sender_name: str = "") -> EmailMessage:
    """The MIME message: a plain-text fallback, the HTML alternative, then the attachments
    (non-ASCII file names encoded per RFC 2231 by the email package)."""
    message = EmailMessage()
    message["From"] = formataddr((sender_name, sender)) if sender_name else sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content("本邮件为 HTML 格式，请使用支持 HTML 的邮件客户端查看；报表见附件。")
    message.add_alternative(mail.html, subtype="html")
    for attachment in mail.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return message


@dataclass(frozen=True)
class SmtpMailer:
    host: str
    port: int = 25
    sender: str = "12345@localhost"
    starttls: bool = False
    user: str | None = None
    password: str | None = None
    timeout: float = 30.0
    sender_name: str = ""

    @classmethod
    def from_settings(cls, settings: Settings, sender_name: str = "") -> SmtpMailer:
        if not settings.smtp_host:
            raise MailNotConfigured("未配置 SMTP 服务器（HOTLINE_SMTP_HOST），无法发送邮件")
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        return cls(settings.smtp_host, settings.smtp_port, settings.smtp_from,
                   settings.smtp_starttls, settings.smtp_user, password,
                   settings.smtp_timeout_seconds, sender_name)  # fmt: skip

    def send(self, mail: Mail) -> None:
        """Deliver one message; any refusal or network error raises (the outbox retries)."""
        message = build_message(mail, self.sender, self.sender_name)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(message)
