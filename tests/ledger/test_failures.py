"""Failures: server down, 4xx, 550, a crash after acceptance, and giving up."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from alerts import ledger
from alerts.dispatch import deliver_digests, ledger_summary, retry_due
from crawler.store.store import Store
from tests.ledger.conftest import Server
from tests.ledger.seed import ALICE, BOB, NOW, parse, seed_matches, statuses, text_of, write_config


def _ids(server: Server) -> list[str]:
    return [str(parse(r.data)["Message-ID"]) for r in server.handler.received]


def test_server_down_then_up_delivers_everything_once(
    store: Store, tmp_path: Path, down_server: Server
) -> None:
    config = write_config(tmp_path, port=down_server.port, recipients=[{"address": ALICE}])
    seed_matches(store, 3)
    [failed] = deliver_digests(config, store, now=NOW)
    assert failed.status == "failed" and failed.error
    assert "sent" not in statuses(store) + statuses(store, "messages")
    down_server.start()
    [sent] = deliver_digests(config, store, now=NOW + timedelta(seconds=30))
    assert (sent.items, sent.status, sent.message_id) == (3, "sent", failed.message_id)
    assert _ids(down_server) == [failed.message_id]
    assert statuses(store) == ["sent"] * 3
    assert retry_due(config, store, now=NOW + timedelta(days=1)) == []


def test_temporary_4xx_then_success_delivers_once(
    store: Store, tmp_path: Path, server: Server
) -> None:
    config = write_config(tmp_path, port=server.port, recipients=[{"address": ALICE}])
    seed_matches(store, 2)
    server.handler.data_reply = "451 4.3.0 try again later"
    [failed] = deliver_digests(config, store, now=NOW)
    assert failed.status == "failed"
    assert retry_due(config, store, now=NOW + timedelta(seconds=30)) == []  # backoff: 1 min
    server.handler.data_reply = None
    [sent] = retry_due(config, store, now=NOW + timedelta(minutes=2))
    assert (sent.status, sent.items, sent.message_id) == ("sent", 2, failed.message_id)
    assert _ids(server) == [failed.message_id] * 2  # the 451 copy was refused, not delivered
    assert statuses(store, "messages") == ["sent"]


def test_550_for_one_recipient_does_not_block_another(
    store: Store, tmp_path: Path, server: Server
) -> None:
    config = write_config(tmp_path, port=server.port)
    seed_matches(store, 2)
    server.handler.rcpt_replies[BOB] = "550 5.1.1 no such user"
    reports = {r.recipient: r for r in deliver_digests(config, store, now=NOW)}
    assert reports["alice"].status == "sent"
    assert reports[BOB].status == "failed" and "550" in (reports[BOB].error or "")
    summary = ledger_summary(store)
    assert (summary.recipients[BOB].dead, summary.recipients[BOB].failed) == (1, 2)
    assert "550" in (summary.recipients[BOB].last_error or "")
    assert retry_due(config, store, now=NOW + timedelta(days=1)) == []  # dead is not retried
    server.handler.rcpt_replies.clear()
    [bob] = deliver_digests(config, store, recipient=BOB, now=NOW + timedelta(days=1))
    assert (bob.items, bob.status) == (2, "sent")  # carried by the next digest
    assert statuses(store) == ["sent"] * 4


def test_crash_after_acceptance_resends_the_same_message(
    store: Store, tmp_path: Path, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_config(tmp_path, port=server.port, recipients=[{"address": ALICE}])
    seed_matches(store, 2)

    def killed(*args: object, **kwargs: object) -> None:
        raise SystemExit(137)  # the process dies after the server accepted the message

    with monkeypatch.context() as patch:
        patch.setattr(ledger, "mark_sent", killed)
        with pytest.raises(SystemExit):
            deliver_digests(config, store, now=NOW)
    first = _ids(server)
    assert len(first) == 1
    assert statuses(store, "messages") == ["pending"]
    assert retry_due(config, store, now=NOW + timedelta(minutes=1)) == []  # lease still held
    later = NOW + ledger.LEASE + timedelta(seconds=1)
    [again] = deliver_digests(config, store, now=later)
    assert (again.status, again.items, again.message_id) == ("sent", 2, first[0])
    assert _ids(server) == first * 2  # at most two copies, one Message-ID, no extra heartbeat
    assert "arms statement 1" in text_of(parse(server.handler.received[-1].data))
    assert statuses(store, "messages") == ["sent"]
    assert statuses(store) == ["sent", "sent"]


def test_max_attempts_makes_the_message_dead_and_the_next_digest_carries_it(
    store: Store, tmp_path: Path, down_server: Server
) -> None:
    config = write_config(
        tmp_path,
        port=down_server.port,
        recipients=[{"address": ALICE}],
        delivery={"max_attempts": 2, "backoff_initial": "1m", "backoff_max": "5m"},
    )
    seed_matches(store, 1)
    assert deliver_digests(config, store, now=NOW)[0].status == "failed"
    [dead] = retry_due(config, store, now=NOW + timedelta(minutes=2))
    assert "dead" in (dead.error or "")
    assert statuses(store, "messages") == ["dead"]
    assert ledger_summary(store).recipients[ALICE].dead == 1
    down_server.start()
    [sent] = deliver_digests(config, store, now=NOW + timedelta(days=1))
    assert (sent.items, sent.status) == (1, "sent")
    assert sent.message_id != dead.message_id


def test_backoff_doubles_up_to_the_maximum(tmp_path: Path) -> None:
    policy = write_config(tmp_path, delivery={"backoff_initial": "1m", "backoff_max": "5m"})
    delays = [ledger.backoff(n, policy.settings.delivery) for n in range(1, 6)]
    assert delays == [timedelta(minutes=m) for m in (1, 2, 4, 5, 5)]
