"""Immediate alerts: one message per recipient per call, once, labelled in the digest."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from alerts.dispatch import deliver_digests, deliver_immediate
from crawler.store.store import Store
from tests.ledger.conftest import Server
from tests.ledger.seed import ALICE, BOB, NOW, parse, seed_matches, text_of, write_config


def test_immediate_alerts_go_out_once_and_are_labelled_in_the_digest(
    store: Store, tmp_path: Path, server: Server
) -> None:
    recipients: list[dict[str, Any]] = [{"address": ALICE}, {"address": BOB, "immediate": False}]
    config = write_config(tmp_path, port=server.port, recipients=recipients)
    seed_matches(store, 2, rule_id="nuclear")
    [alert] = deliver_immediate(config, store, now=NOW)
    assert (alert.recipient, alert.channel, alert.items, alert.status) == (
        ALICE,
        "immediate",
        2,
        "sent",
    )
    message = parse(server.handler.received[0].data)
    assert message["X-Presswatch-Kind"] == "alert"
    assert "nuclear statement 0" in text_of(message)
    assert deliver_immediate(config, store, now=NOW + timedelta(minutes=5)) == []
    assert len(server.handler.received) == 1

    reports = {r.recipient: r for r in deliver_digests(config, store, now=NOW + timedelta(hours=1))}
    assert reports[ALICE].items == reports[BOB].items == 2
    texts = {r.rcpt_tos[0]: text_of(parse(r.data)) for r in server.handler.received[1:]}
    assert texts[ALICE].count("[already alerted]") == 2
    assert "[already alerted]" not in texts[BOB]


def test_pending_alerts_go_out_before_the_digest_that_lists_their_items(
    store: Store, tmp_path: Path, server: Server
) -> None:
    """`crawl` then `digest`: the alert used to arrive after the digest, unmarked in it."""
    config = write_config(tmp_path, port=server.port, recipients=[{"address": ALICE}])
    seed_matches(store, 2, rule_id="nuclear")
    reports = deliver_digests(config, store, now=NOW)
    assert [(r.channel, r.items, r.status) for r in reports] == [
        ("immediate", 2, "sent"),
        ("digest", 2, "sent"),
    ]
    kinds = [parse(r.data)["X-Presswatch-Kind"] for r in server.handler.received]
    assert kinds == ["alert", "digest"]
    assert text_of(parse(server.handler.received[1].data)).count("[already alerted]") == 2


def test_a_digest_of_one_recipient_sends_only_that_recipients_alerts(
    store: Store, tmp_path: Path, server: Server
) -> None:
    config = write_config(tmp_path, port=server.port)
    seed_matches(store, 1, rule_id="nuclear")
    reports = deliver_digests(config, store, recipient="alice", now=NOW)
    assert [(r.recipient, r.channel) for r in reports] == [
        ("alice", "immediate"),
        ("alice", "digest"),
    ]
    [bob_alert] = deliver_immediate(config, store, now=NOW)  # still pending for bob
    assert bob_alert.recipient == BOB
