"""Every transport kind, registered by name: `Transport.from_config(mail, data_dir)`."""

from __future__ import annotations

from alerts.delivery.base import DryRunTransport, SendResult, Transport
from alerts.delivery.outbox import OutboxTransport
from alerts.delivery.smtp import SmtpTransport

__all__ = ["DryRunTransport", "OutboxTransport", "SendResult", "SmtpTransport", "Transport"]
