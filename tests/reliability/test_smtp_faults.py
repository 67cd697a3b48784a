"""SMTP down, slow, 421/451, dropped after DATA, 550: end to end through `run --once --digest`."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli.main import cli
from crawler.config import Config
from crawler.store.store import Store
from tests.delivery.conftest import silent_server
from tests.ledger.conftest import Server, down_server, server
from tests.ledger.seed import ALICE, BOB, statuses, write_config
from tests.reliability.helpers import message_ids, seeded

__all__ = ["down_server", "server", "silent_server"]
Breaker = Callable[[Server], None]


def run_once(config: Config) -> int:
    result = CliRunner().invoke(
        cli, ["--config", str(config.directory), "run", "--once", "--digest"]
    )
    assert "Traceback" not in result.output, result.output
    return result.exit_code


def _sent(config: Config) -> list[str]:
    store = Store.from_config(config)
    try:
        return statuses(store, "messages")
    finally:
        store.close()


FAILURES: dict[str, Breaker] = {
    "421-on-mail": lambda s: setattr(s.handler, "mail_reply", "421 4.3.2 shutting down"),
    "451-on-data": lambda s: setattr(s.handler, "data_reply", "451 4.3.0 try later"),
    "drop-after-data": lambda s: setattr(s.handler, "drop_after_data", True),
}


@pytest.mark.parametrize("failure", sorted(FAILURES))
def test_temporary_failure_then_recovery_delivers_once(
    tmp_path: Path, server: Server, failure: str
) -> None:
    config = seeded(tmp_path, server.port)
    FAILURES[failure](server)
    assert run_once(config) == 1  # undelivered: exit 1 (cron mails the operator); retried next run
    assert "sent" not in _sent(config)
    server.handler.mail_reply = server.handler.data_reply = None
    server.handler.drop_after_data = False
    refused = message_ids(server.handler.received)
    assert run_once(config) == 0
    assert _sent(config) == ["sent", "sent"]
    delivered = message_ids(server.handler.received)[len(refused) :]
    assert sorted(delivered) == sorted(set(delivered)) and len(delivered) == 2
    assert set(refused) <= set(delivered)  # any copy the server saw had the final Message-ID


def test_server_down_then_up(tmp_path: Path, down_server: Server) -> None:
    config = seeded(tmp_path, down_server.port)
    assert run_once(config) == 1
    assert "sent" not in _sent(config)
    down_server.start()
    assert run_once(config) == 0
    assert _sent(config) == ["sent", "sent"]
    assert len(set(message_ids(down_server.handler.received))) == 2


def test_slow_server_times_out_within_bound_then_delivers(
    tmp_path: Path, silent_server: tuple[str, int], server: Server
) -> None:
    config = seeded(tmp_path, silent_server[1], timeout="1s")
    started = time.monotonic()
    assert run_once(config) == 1
    assert time.monotonic() - started < 15  # two recipients x (1 s timeout) + overhead
    assert "sent" not in _sent(config)
    recovered = write_config(tmp_path / "again", port=server.port, database_url=config.database_url)
    assert run_once(recovered) == 0
    assert _sent(config) == ["sent", "sent"]


def test_permanent_550_for_one_recipient_does_not_block_the_other(
    tmp_path: Path, server: Server
) -> None:
    config = seeded(tmp_path, server.port)
    server.handler.rcpt_replies[BOB] = "550 5.1.1 no such user"
    assert run_once(config) == 1  # one message was refused for good
    assert [r.rcpt_tos for r in server.handler.received] == [(ALICE,)]
    assert sorted(_sent(config)) == ["dead", "sent"]
    status = CliRunner().invoke(cli, ["--config", str(config.directory), "status"])
    assert status.exit_code == 0 and "Traceback" not in status.output
    assert "dead" in status.output.lower() or "bob" in status.output.lower(), status.output
