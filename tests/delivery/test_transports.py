"""The transport registry and the dry-run transport."""

from __future__ import annotations

from pathlib import Path

import pytest

from alerts.delivery import DryRunTransport, OutboxTransport, SmtpTransport, Transport
from crawler.config.models import MailConfig
from crawler.errors import ConfigError

from .helpers import message


def test_registry_knows_every_kind() -> None:
    assert Transport.registry["outbox"] is OutboxTransport
    assert Transport.registry["smtp"] is SmtpTransport
    assert Transport.registry["dry-run"] is DryRunTransport


def test_dry_run_records_instead_of_sending(tmp_path: Path) -> None:
    tr = Transport.from_config(MailConfig(), tmp_path, dry_run=True)
    assert isinstance(tr, DryRunTransport)
    msg = message()
    result = tr.send(msg)
    assert tr.messages == [msg] and result.message_id == msg["Message-ID"]
    assert not (tmp_path / "outbox").exists()


def test_unknown_kind_lists_the_known_ones(tmp_path: Path) -> None:
    mail = MailConfig.model_construct(transport="pigeon")  # bypasses validation on purpose
    with pytest.raises(ConfigError, match="known: dry-run, outbox, smtp"):
        Transport.from_config(mail, tmp_path)


def test_duplicate_name_is_refused() -> None:
    with pytest.raises(TypeError, match="already registered"):

        class Again(Transport, name="outbox"):
            pass
