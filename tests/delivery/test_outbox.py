"""The outbox transport: atomic, parseable .eml files; disk errors are temporary."""

from __future__ import annotations

import email
import email.policy
import errno
import os
from pathlib import Path

import pytest

from alerts.delivery import OutboxTransport, Transport
from alerts.delivery.outbox import safe_name
from crawler.config.models import MailConfig
from crawler.errors import DeliveryError

from .helpers import URDU, message


def test_writes_a_parseable_eml(tmp_path: Path) -> None:
    tr = Transport.from_config(MailConfig(), tmp_path)
    assert isinstance(tr, OutboxTransport)
    msg = message(subject=f"presswatch alert: {URDU}")
    result = tr.send(msg)
    [path] = (tmp_path / "outbox").iterdir()
    assert path.suffix == ".eml" and str(path) in result.detail
    assert safe_name(msg["Message-ID"]) in path.name
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert parsed["Subject"] == f"presswatch alert: {URDU}"
    assert parsed["Message-ID"] == result.message_id == msg["Message-ID"]
    assert parsed.get_content_type() == "multipart/alternative"


def test_safe_name() -> None:
    assert safe_name("<pw.abc@example.net>") == "pw.abc_example.net"
    assert safe_name("<../../etc/passwd>") == "etc_passwd"
    assert safe_name("<>") == "message"


def test_outbox_path_that_is_a_file_is_a_temporary_error(tmp_path: Path) -> None:
    (tmp_path / "outbox").write_text("not a directory")
    with pytest.raises(DeliveryError) as info:
        OutboxTransport(tmp_path / "outbox").send(message())
    assert not info.value.permanent and "outbox" in str(info.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_unwritable_directory_is_a_temporary_error(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    outbox.mkdir(mode=0o500)
    try:
        with pytest.raises(DeliveryError) as info:
            OutboxTransport(outbox).send(message())
        assert not info.value.permanent
    finally:
        outbox.chmod(0o700)


def test_full_disk_is_temporary_and_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(DeliveryError) as info:
        OutboxTransport(tmp_path / "outbox").send(message())
    assert not info.value.permanent and "No space left" in str(info.value)
    assert list((tmp_path / "outbox").iterdir()) == []
