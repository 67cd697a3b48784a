"""The SMTP transport against a real aiosmtpd server: delivery and error classification."""

from __future__ import annotations

import email
import email.policy
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from pydantic import SecretStr

from alerts.delivery import SmtpTransport, Transport
from crawler.config.models import MailConfig
from crawler.errors import DeliveryError

from .conftest import SmtpServer, free_port
from .helpers import CHINESE, RUSSIAN, URDU, message, smtp_settings


def transport(server: SmtpServer, **extra: object) -> SmtpTransport:
    return SmtpTransport(smtp_settings(server.host, server.port, 5.0, **extra))


def send_error(tr: Transport, msg: EmailMessage | None = None) -> DeliveryError:
    with pytest.raises(DeliveryError) as info:
        tr.send(msg or message())
    return info.value


def test_delivers_message_with_envelope_and_utf8_bodies(smtp_server: SmtpServer) -> None:
    msg = message(subject=f"presswatch alert: Arms control - {URDU}")
    result = transport(smtp_server).send(msg)
    assert result.message_id == msg["Message-ID"] and result.refused == {}
    assert "250" in result.detail
    [got] = smtp_server.handler.received
    assert got.mail_from == "presswatch@example.net"
    assert got.rcpt_tos == ("analyst@example.org",)
    parsed = email.message_from_bytes(got.data, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    assert parsed["Subject"] == f"presswatch alert: Arms control - {URDU}"
    assert parsed["Message-ID"] == msg["Message-ID"]
    text, html = (part.get_content() for part in parsed.iter_parts())
    assert all(title in text and title in html for title in (RUSSIAN, URDU, CHINESE))


def test_from_config_builds_smtp_transport(smtp_server: SmtpServer) -> None:
    mail = MailConfig.model_validate(
        {"transport": "smtp", "smtp": {"host": smtp_server.host, "port": smtp_server.port}}
    )
    tr = Transport.from_config(mail, data_dir=Path("/nonexistent"))
    assert isinstance(tr, SmtpTransport)


@pytest.mark.parametrize("reply", ["421 4.3.2 shutting down", "451 4.3.0 try again later"])
def test_4xx_on_mail_is_temporary(smtp_server: SmtpServer, reply: str) -> None:
    smtp_server.handler.mail_reply = reply
    err = send_error(transport(smtp_server))
    assert not err.permanent and reply.split(maxsplit=1)[0] in str(err)


def test_451_on_data_is_temporary(smtp_server: SmtpServer) -> None:
    smtp_server.handler.data_reply = "451 4.3.0 local error"
    assert not send_error(transport(smtp_server)).permanent


def test_554_on_data_is_permanent(smtp_server: SmtpServer) -> None:
    smtp_server.handler.data_reply = "554 5.7.1 rejected as spam"
    err = send_error(transport(smtp_server))
    assert err.permanent and "554" in str(err)


def test_550_on_rcpt_is_permanent_for_that_recipient(smtp_server: SmtpServer) -> None:
    smtp_server.handler.rcpt_replies["analyst@example.org"] = "550 5.1.1 no such user"
    err = send_error(transport(smtp_server))
    assert err.permanent and "analyst@example.org: 550" in str(err)
    assert smtp_server.handler.received == []


def test_450_on_rcpt_is_temporary(smtp_server: SmtpServer) -> None:
    smtp_server.handler.rcpt_replies["analyst@example.org"] = "450 4.2.1 mailbox busy"
    assert not send_error(transport(smtp_server)).permanent


def test_one_refused_recipient_of_two_is_reported_not_raised(smtp_server: SmtpServer) -> None:
    msg = message()
    msg["Cc"] = "gone@example.org"
    smtp_server.handler.rcpt_replies["gone@example.org"] = "550 5.1.1 no such user"
    result = transport(smtp_server).send(msg)
    assert result.refused == {"gone@example.org": "550 5.1.1 no such user"}
    assert smtp_server.handler.received[0].rcpt_tos == ("analyst@example.org",)


def test_drop_after_data_is_temporary_and_retry_reuses_message_id(
    smtp_server: SmtpServer,
) -> None:
    smtp_server.handler.drop_after_data = True
    tr = transport(smtp_server)
    err = send_error(tr, message())
    assert not err.permanent and "may have been delivered" in str(err)
    smtp_server.handler.drop_after_data = False
    tr.send(message())  # the ledger rebuilds the same batch: same key, same Message-ID
    first, second = (
        email.message_from_bytes(r.data, policy=email.policy.default)["Message-ID"]
        for r in smtp_server.handler.received
    )
    assert first == second


def test_refused_connection_is_temporary() -> None:
    err = send_error(SmtpTransport(smtp_settings("127.0.0.1", free_port())))
    assert not err.permanent and "refused" in str(err).lower()


def test_silent_server_times_out_as_temporary(silent_server: tuple[str, int]) -> None:
    tr = SmtpTransport(smtp_settings(*silent_server, timeout=0.5))
    started = time.monotonic()
    err = send_error(tr)
    assert time.monotonic() - started < 10.0  # the 0.5 s timeout, not a hang
    assert not err.permanent and "0.5s" in str(err)


def test_starttls_not_offered_is_permanent(smtp_server: SmtpServer) -> None:
    err = send_error(transport(smtp_server, security="starttls"))
    assert err.permanent and "STARTTLS" in str(err)


def test_login_failure_never_shows_password(
    smtp_server: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    tr = transport(smtp_server, username="bot", password=SecretStr("hunter2-secret"))
    err = send_error(tr)
    assert err.permanent  # the server offers no AUTH: a configuration problem
    shown = [str(err), repr(err), caplog.text, repr(tr.settings), str(err.__cause__)]
    assert not any("hunter2" in text for text in shown)
