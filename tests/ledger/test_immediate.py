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
