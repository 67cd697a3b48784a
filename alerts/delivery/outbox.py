"""The outbox transport: each message becomes `<data_dir>/outbox/<time>-<id>.eml`, atomically."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from alerts.delivery.base import SendResult, Transport, message_id_of
from alerts.files import write_atomically
from crawler.config.models import MailConfig
from crawler.errors import DeliveryError

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(message_id: str, limit: int = 80) -> str:
    """A file-name-safe form of a Message-ID ("<a@b>" -> "a@b" -> "a_b")."""
    cleaned = _UNSAFE.sub("_", message_id.strip("<> ")).strip("._")
    return cleaned[:limit] or "message"


class OutboxTransport(Transport, name="outbox"):
    """Writes .eml files for another program (or a person) to pick up."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @classmethod
    def create(cls, mail: MailConfig, data_dir: Path) -> OutboxTransport:
        return cls(data_dir / "outbox")

    def send(self, message: EmailMessage) -> SendResult:
        """Write `message`; a full disk or unwritable directory is a temporary error."""
        message_id = message_id_of(message)
        now = datetime.now(UTC)
        suffix = f"-{safe_name(message_id)}.eml"
        target = self.directory / f"{now:%Y%m%dT%H%M%S.%fZ}{suffix}"
        try:
            if written := self._written(suffix):
                # A send retried after a crash between writing and the ledger's "sent" (the
                # same message, the same Message-ID): the file is there, once.
                return SendResult(message_id, now, f"already in the outbox as {written}")
            write_atomically(target, message.as_bytes())
        except OSError as exc:
            reason = exc.strerror or exc.__class__.__name__
            raise DeliveryError(f"cannot write to outbox {self.directory}: {reason}") from exc
        return SendResult(message_id, now, f"written to {target}")

    def _written(self, suffix: str) -> Path | None:
        if not self.directory.is_dir():
            return None
        return next((p for p in self.directory.iterdir() if p.name.endswith(suffix)), None)
