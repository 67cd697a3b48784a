"""The SMTP transport: smtplib with STARTTLS, implicit TLS or plain, and error classification.

Temporary (retry later): connection refused or reset, timeouts, DNS failures, TLS failures,
4xx replies, and a server that disconnects. Permanent: 5xx replies (a 550 on RCPT is permanent
for that recipient only), a missing STARTTLS or AUTH extension.

Delivery is at-least-once: when the connection drops after the message data was sent but
before the server's reply, we cannot know whether it was accepted. That is reported as a
temporary error; the ledger retries with the same Message-ID, so a duplicate can be recognised
(and is threaded as one message by most clients).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from alerts.delivery.base import SendResult, Transport, message_id_of
from alerts.delivery.message import envelope
from crawler.config.models import MailConfig, SmtpConfig
from crawler.errors import ConfigError, ConfigIssue, DeliveryError

log = logging.getLogger(__name__)
_ACCEPTED_RCPT = (250, 251)


class SmtpTransport(Transport, name="smtp"):
    """Sends each message over its own SMTP connection."""

    def __init__(self, settings: SmtpConfig) -> None:
        self.settings = settings
        self.where = f"{settings.host}:{settings.port}"
        self._tls: ssl.SSLContext | None = None

    @classmethod
    def create(cls, mail: MailConfig, data_dir: Path) -> SmtpTransport:
        if mail.smtp is None:
            issue = ConfigIssue("presswatch.yaml", "mail.smtp", "transport smtp needs smtp:")
            raise ConfigError([issue])
        return cls(mail.smtp)

    def send(self, message: EmailMessage) -> SendResult:
        """Deliver `message` to its To/Cc addresses or raise a classified `DeliveryError`."""
        sender, rcpts = envelope(message)
        message_id = message_id_of(message)
        payload = message.as_bytes()
        stage = "connect"
        conn: smtplib.SMTP | None = None
        try:
            conn = self._connect()
            stage = "MAIL"
            _mail(conn, sender)
            stage = "RCPT"
            refused = _rcpt(conn, rcpts)
            stage = "DATA"
            code, reply = conn.data(payload)
            if code != 250:
                raise smtplib.SMTPDataError(code, reply)
        except (smtplib.SMTPException, OSError) as exc:
            if conn is not None:
                conn.close()  # no polite QUIT: it could wait for the timeout a second time
            raise self._classify(exc, stage) from exc
        _quit_quietly(conn)
        detail = f"{self.where}: {code} {_text(reply)}"
        log.debug("smtp accepted %s: %s", message_id, detail)
        return SendResult(message_id, datetime.now(UTC), detail, refused)

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        timeout = s.timeout.total_seconds()
        conn: smtplib.SMTP
        if s.security == "tls":
            conn = smtplib.SMTP_SSL(s.host, s.port, timeout=timeout, context=self._context())
        else:
            conn = smtplib.SMTP(s.host, s.port, timeout=timeout)
        try:
            conn.ehlo()
            if s.security == "starttls":
                conn.starttls(context=self._context())
                conn.ehlo()
            if s.username:
                secret = s.password.get_secret_value() if s.password else ""
                conn.login(s.username, secret)
        except BaseException:
            conn.close()
            raise
        return conn

    def _context(self) -> ssl.SSLContext:
        """The TLS context, built once: loading the system CA store costs ~100 ms."""
        if self._tls is None:
            self._tls = ssl.create_default_context()
        return self._tls

    def _classify(self, exc: BaseException, stage: str) -> DeliveryError:
        where = f"SMTP {self.where} ({stage})"
        if isinstance(exc, _AllRefused):
            return DeliveryError(f"{where}: {exc.summary}", permanent=exc.permanent)
        if isinstance(exc, smtplib.SMTPResponseException):
            code, text = exc.smtp_code, _text(exc.smtp_error)
            return DeliveryError(f"{where}: {code} {text}", permanent=500 <= code < 600)
        if isinstance(exc, smtplib.SMTPNotSupportedError):
            return DeliveryError(f"{where}: {exc} (check mail.smtp.security)", permanent=True)
        if isinstance(exc, smtplib.SMTPServerDisconnected) and stage == "DATA":
            return DeliveryError(
                f"{where}: connection lost after the message was sent; it may have been "
                "delivered (retrying with the same Message-ID)"
            )
        if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
            seconds = self.settings.timeout.total_seconds()
            return DeliveryError(f"{where}: no answer within {seconds:g}s")
        reason = getattr(exc, "strerror", None) or str(exc) or exc.__class__.__name__
        return DeliveryError(f"{where}: {reason}")


class _AllRefused(smtplib.SMTPException):
    """Every recipient was refused; permanent only if every refusal was 5xx."""

    def __init__(self, refused: dict[str, str], permanent: bool) -> None:
        self.summary = "recipient refused: " + "; ".join(f"{a}: {r}" for a, r in refused.items())
        self.permanent = permanent
        super().__init__(self.summary)


def _mail(conn: smtplib.SMTP, sender: str) -> None:
    conn.ehlo_or_helo_if_needed()
    code, reply = conn.mail(sender)
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, reply, sender)


def _rcpt(conn: smtplib.SMTP, rcpts: list[str]) -> dict[str, str]:
    """RCPT TO each address; the refused ones (address -> reply), or raise if all are."""
    refused: dict[str, str] = {}
    permanent = True
    for rcpt in rcpts:
        code, reply = conn.rcpt(rcpt)
        if code not in _ACCEPTED_RCPT:
            refused[rcpt] = f"{code} {_text(reply)}"
            permanent = permanent and 500 <= code < 600
    if len(refused) == len(rcpts):
        raise _AllRefused(refused, permanent)
    return refused


def _quit_quietly(conn: smtplib.SMTP) -> None:
    try:
        conn.quit()
    except (smtplib.SMTPException, OSError):
        conn.close()


def _text(reply: bytes | str) -> str:
    raw = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return " ".join(raw.split())
