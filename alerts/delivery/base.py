"""The `Transport` interface, its registry of kinds, and the in-memory dry-run transport."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any, ClassVar

from crawler.config.models import MailConfig
from crawler.errors import ConfigError, ConfigIssue


@dataclass(frozen=True)
class SendResult:
    """A message the transport accepted; `refused` lists recipients a server rejected
    while accepting the others (address -> "550 ...")."""

    message_id: str
    accepted_at: datetime
    detail: str
    refused: Mapping[str, str] = field(default_factory=dict)


class Transport:
    """Hands messages over; `send` raises `DeliveryError(permanent=...)` on failure.

    Subclasses register themselves by name: `class Foo(Transport, name="foo")`.
    """

    registry: ClassVar[dict[str, type[Transport]]] = {}
    name: ClassVar[str] = ""

    def __init_subclass__(cls, *, name: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if name in Transport.registry:
            raise TypeError(f"transport {name!r} is already registered")
        cls.name = name
        Transport.registry[name] = cls

    @classmethod
    def from_config(cls, mail: MailConfig, data_dir: Path, *, dry_run: bool = False) -> Transport:
        """The transport `mail.transport` names; a `DryRunTransport` when `dry_run`."""
        kind = "dry-run" if dry_run else mail.transport
        impl = Transport.registry.get(kind)
        if impl is None:
            known = ", ".join(sorted(Transport.registry))
            issue = ConfigIssue(
                "presswatch.yaml", "mail.transport", f"unknown transport {kind!r}; known: {known}"
            )
            raise ConfigError([issue])
        return impl.create(mail, data_dir)

    @classmethod
    def create(cls, mail: MailConfig, data_dir: Path) -> Transport:
        """Build this kind from the mail settings (each kind overrides this)."""
        raise NotImplementedError

    def send(self, message: EmailMessage) -> SendResult:
        """Hand `message` over or raise `DeliveryError`."""
        raise NotImplementedError

    def close(self) -> None:
        """Release connections or files (nothing by default)."""


def message_id_of(message: EmailMessage) -> str:
    """The Message-ID header of `message` ("" when missing)."""
    return str(message.get("Message-ID", ""))


class DryRunTransport(Transport, name="dry-run"):
    """Records messages in memory instead of sending them (`--dry-run`, tests)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    @classmethod
    def create(cls, mail: MailConfig, data_dir: Path) -> DryRunTransport:
        return cls()

    def send(self, message: EmailMessage) -> SendResult:
        self.messages.append(message)
        return SendResult(message_id_of(message), datetime.now(UTC), "dry run: not sent")
