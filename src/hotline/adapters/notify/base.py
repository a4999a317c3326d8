"""The notifier interface and the two notifiers every installation has."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Protocol

log = logging.getLogger("hotline.notify")


@dataclass(frozen=True)
class Message:
    channel: str  # sms | email | log
    to: str
    subject: str
    body: str


class Notifier(Protocol):
    def send(self, message: Message) -> None: ...


class LogNotifier:
    """Writes messages to the log: the default until a gateway is configured."""

    def send(self, message: Message) -> None:
        log.info("notify %s → %s: %s", message.channel, message.to, message.subject)


@dataclass
class MemoryNotifier:
    """Collects messages; tests read ``sent``."""

    sent: list[Message] = field(default_factory=list)

    def send(self, message: Message) -> None:
        self.sent.append(message)
