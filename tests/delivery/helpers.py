"""Messages and settings shared by the delivery tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from alerts.delivery import build_message, make_message_id
from alerts.digest import RenderedMessage
from crawler.config.models import SmtpConfig

RUSSIAN = "Заявление МИД России о стратегической стабильности"
URDU = "اسٹریٹجک استحکام پر دفتر خارجہ کا بیان"
CHINESE = "外交部发言人就战略稳定问题答记者问"
FIXED_DATE = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)


def rendered(subject: str = "presswatch: 1 new on Arms control - 28 Nov") -> RenderedMessage:
    """A small rendered digest with non-ASCII bodies."""
    text = f"{subject}\n\n* {RUSSIAN}\n* {URDU}\n* {CHINESE}\n"
    html = f"<!DOCTYPE html><html><body><p>{RUSSIAN}</p><p>{URDU}</p><p>{CHINESE}</p></body></html>"
    return RenderedMessage("digest", subject, text, html)


def message(
    subject: str = "presswatch: 1 new on Arms control - 28 Nov",
    to_address: str = "analyst@example.org",
    to_name: str | None = "Ayesha Khan",
    key: str = "digest:analyst:1",
) -> EmailMessage:
    """A built message with a deterministic Message-ID and date."""
    return build_message(
        rendered(subject),
        from_address="presswatch <presswatch@example.net>",
        to_address=to_address,
        to_name=to_name,
        reply_to="desk@example.net",
        message_id=make_message_id(key, "example.net"),
        date=FIXED_DATE,
    )


def smtp_settings(host: str, port: int, timeout: float = 5.0, **extra: object) -> SmtpConfig:
    """Plain (no TLS) SMTP settings for a local test server."""
    values: dict[str, object] = {"host": host, "port": port, "security": "none"}
    values.update(extra)
    values["timeout"] = timedelta(seconds=timeout)
    return SmtpConfig.model_validate(values)
