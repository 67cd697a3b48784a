"""Delivery: MIME messages and the transports (outbox, SMTP, dry run) that send them."""

from __future__ import annotations

from alerts.delivery.message import build_message, make_message_id, sanitize_header
from alerts.delivery.transports import (
    DryRunTransport,
    OutboxTransport,
    SendResult,
    SmtpTransport,
    Transport,
)

__all__ = [
    "DryRunTransport",
    "OutboxTransport",
    "SendResult",
    "SmtpTransport",
    "Transport",
    "build_message",
    "make_message_id",
    "sanitize_header",
]
