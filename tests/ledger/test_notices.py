"""Edit and withdrawal notices through the ledger, on SQLite and PostgreSQL, to a real SMTP
server (aiosmtpd) and a local webhook receiver: a notice reaches the readers who got the
item, once, on the rule's `on_edit` cadence; a typo fix sends nothing; a withdrawal is
told once with the last text held; mail down means retried, not lost."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from alerts.dispatch import deliver_digests, deliver_immediate, retry_due
from alerts.ledger.summary import status_counts
from alerts.rematch import rematch_items
from crawler.store.store import Store
from tests.delivery.receiver import Receiver
from tests.ledger.conftest import Server
from tests.ledger.notices import (
    ALICE,
    BOB,
    BODY,
    CAROL,
    DORA,
    config_for,
    notice_rows,
    untaken_edits,
    withdraw,
    write,
)
from tests.ledger.seed import NOW, parse, text_of, write_config

CHANGED = BODY.replace("in the region", "in the region and beyond")


def _sent_to(server: Server, start: int = 0) -> dict[str, str]:
    """Recipient -> the text of the (one) message each got since `start`."""
    got: dict[str, str] = {}
    for received in server.handler.received[start:]:
        [rcpt] = received.rcpt_tos
        assert rcpt not in got, f"{rcpt} got two messages"
        got[rcpt] = text_of(parse(received.data))
    return got


def _notice_counts(store: Store) -> dict[str, dict[str, int]]:
    with store.connect() as connection:
        return status_counts(connection)["notices"]


def _deliver_the_match(store: Store, tmp_path: Path, server: Server) -> int:
    """Alice and Bob receive the statement (alert and digest); return its id."""
    config = config_for(tmp_path, server.port)
    [item] = write(store, config, BODY).fresh
    reports = deliver_digests(config, store, now=NOW)
    assert {(r.recipient, r.channel, r.status) for r in reports} == {
        (who, channel, "sent") for who in ("alice", "bob") for channel in ("immediate", "digest")
    }
    return item.id


def test_an_edit_reaches_only_the_readers_who_got_the_item_once(
    store: Store, tmp_path: Path, server: Server
) -> None:
    _deliver_the_match(store, tmp_path, server)
    config = config_for(tmp_path, server.port, carol=True)  # Carol follows it from now on
    start = len(server.handler.received)

    write(store, config, BODY.replace("Monday.", "Monday .").replace("region", "region "))
    assert untaken_edits(store) == 0  # a typo-level revision is no edit ...
    assert deliver_immediate(config, store, now=NOW + timedelta(hours=1)) == []  # ... no notice

    write(store, config, CHANGED)
    assert _notice_counts(store) == {"edit": {"waiting": 1}}  # `status` shows it
    reports = deliver_immediate(config, store, now=NOW + timedelta(hours=2))
    assert sorted((r.recipient, r.items, r.status) for r in reports) == [
        ("alice", 1, "sent"),
        ("bob", 1, "sent"),
    ]
    texts = _sent_to(server, start)
    assert set(texts) == {ALICE, BOB}  # not Carol: she never got the statement
    for text in texts.values():
        assert "== Changed since sent (1) ==" in text
        assert "MATCHED PASSAGE CHANGED | Strategic stability" in text
        assert "{+and beyond+}" in text
        assert "First seen " in text and " | changed " in text
    subject = parse(server.handler.received[start].data)["Subject"]
    assert "matched passage changed: Talks" in subject
    assert untaken_edits(store) == 0

    # Taken once: neither another run nor the digest sends it again.
    assert deliver_immediate(config, store, now=NOW + timedelta(hours=3)) == []
    later = len(server.handler.received)
    deliver_digests(config, store, now=NOW + timedelta(days=1))
    assert all("Changed since sent" not in t for t in _sent_to(server, later).values())
    assert notice_rows(store) == [
        ("alice", "edit", "immediate", "sent"),
        ("bob", "edit", "immediate", "sent"),
    ]
    assert _notice_counts(store) == {"edit": {"sent": 2}}


def test_a_new_match_goes_to_the_rules_followers_in_the_digest_section(
    store: Store, tmp_path: Path, server: Server
) -> None:
    _deliver_the_match(store, tmp_path, server)
    config = config_for(tmp_path, server.port, dora=True)  # Dora follows only Sanctions
    write(store, config, BODY + " New sanctions were not discussed.")
    # on_edit: digest - nothing at once ...
    assert deliver_immediate(config, store, now=NOW + timedelta(hours=2)) == []
    start = len(server.handler.received)
    deliver_digests(config, store, now=NOW + timedelta(days=1))
    texts = _sent_to(server, start)
    # ... the next digests of the Sanctions readers have it (news to Dora), Bob's not.
    for who in (ALICE, DORA):
        assert "0 new items, 1 changed." in texts[who]
        assert "== Changed since sent (1) ==" in texts[who]
        assert "NOW MENTIONS SANCTIONS | Sanctions" in texts[who]
        assert "~ {+New sanctions were not discussed.+}" in texts[who]
    assert "Changed since sent" not in texts[BOB]
    subject = parse(server.handler.received[start].data)["Subject"]
    assert subject == "presswatch: 1 changed on Sanctions - 29 Nov"
    # One message, not two: the revision's match is an edit event, not a rule match ...
    assert notice_rows(store) == [
        ("alice", "edit", "digest", "sent"),
        ("dora", "edit", "digest", "sent"),
    ]
    # ... and `rules rematch` finding the match later does not send the item again.
    assert rematch_items(store, config, timedelta(days=30)).new_matches == 1
    later = len(server.handler.received)
    deliver_digests(config, store, now=NOW + timedelta(days=2))
    assert all("Talks" not in text for text in _sent_to(server, later).values())


def test_a_withdrawal_is_told_once_with_the_last_text(
    store: Store, tmp_path: Path, server: Server
) -> None:
    item_id = _deliver_the_match(store, tmp_path, server)
    config = config_for(tmp_path, server.port, carol=True)
    withdraw(store, item_id, NOW + timedelta(hours=5))
    start = len(server.handler.received)
    reports = deliver_immediate(config, store, now=NOW + timedelta(hours=6))
    assert sorted(r.recipient for r in reports) == ["alice", "bob"]
    texts = _sent_to(server, start)
    assert set(texts) == {ALICE, BOB}
    for text in texts.values():
        assert "== Withdrawn (1) ==" in text
        assert "WITHDRAWN (redirected to the section index https://mfa.example/press/)" in text
        assert "withdrawn 28 Nov 2026, 08:00 UTC" in text
        assert "> " + BODY in text  # the last text held
    assert deliver_immediate(config, store, now=NOW + timedelta(hours=7)) == []
    assert deliver_digests(config, store, now=NOW + timedelta(days=1))  # digests: no repeat
    assert all("Withdrawn" not in t for t in _sent_to(server, start + 2).values())
    assert notice_rows(store) == [
        ("alice", "withdrawal", "immediate", "sent"),
        ("bob", "withdrawal", "immediate", "sent"),
    ]


def test_mail_down_an_edit_notice_is_retried_not_lost(
    store: Store, tmp_path: Path, server: Server
) -> None:
    _deliver_the_match(store, tmp_path, server)
    config = config_for(tmp_path, server.port)
    write(store, config, CHANGED)
    server.stop()
    reports = deliver_immediate(config, store, now=NOW + timedelta(hours=2))
    assert {r.status for r in reports} == {"failed"}
    assert untaken_edits(store) == 0  # taken by the ledger: it is the ledger's to deliver
    assert {row[3] for row in notice_rows(store)} == {"failed"}
    start = len(server.handler.received)
    server.start()
    retried = retry_due(config, store, now=NOW + timedelta(hours=4))
    assert sorted((r.recipient, r.status) for r in retried) == [("alice", "sent"), ("bob", "sent")]
    texts = _sent_to(server, start)
    assert all("{+and beyond+}" in text for text in texts.values())
    assert {row[3] for row in notice_rows(store)} == {"sent"}


def test_an_alert_given_up_on_leaves_its_notices_to_the_digest(
    store: Store, tmp_path: Path, server: Server
) -> None:
    _deliver_the_match(store, tmp_path, server)
    config = config_for(tmp_path, server.port, delivery={"max_attempts": 1})
    write(store, config, CHANGED)
    server.stop()
    reports = deliver_immediate(config, store, now=NOW + timedelta(hours=2))
    assert all("(dead)" in (r.error or "") for r in reports)
    assert {(row[2], row[3]) for row in notice_rows(store)} == {("digest", "failed")}
    server.start()
    start = len(server.handler.received)
    deliver_digests(config, store, now=NOW + timedelta(days=1))
    texts = _sent_to(server, start)
    assert all("{+and beyond+}" in texts[who] for who in (ALICE, BOB))


def test_a_webhook_gets_the_edit_as_json(store: Store, tmp_path: Path, hook: Receiver) -> None:
    recipients = [{"id": "desk", "rules": ["stability"], "endpoints": [{"webhook": hook.url()}]}]
    from tests.ledger.notices import RULES

    config = write_config(tmp_path, recipients=recipients, rules=RULES)
    write(store, config, BODY)
    deliver_digests(config, store, now=NOW)
    before = len(hook.requests)
    write(store, config, CHANGED, title="Talks (updated)")
    [report] = deliver_immediate(config, store, now=NOW + timedelta(hours=1))
    assert (report.endpoint, report.status, report.items) == ("webhook", "sent", 2)
    [post] = hook.requests[before:]
    body = json.loads(post.body)
    assert body["type"] == "presswatch.alert" and body["sections"] == []
    assert body["notice_count"] == 2
    kinds = {change["kind"]: change for change in body["changes"]}
    assert set(kinds) == {"passage_changed", "title_changed"}
    assert "{+and beyond+}" in kinds["passage_changed"]["diff"]["text"]
    assert "<ins>and beyond</ins>" in kinds["passage_changed"]["diff"]["html"]
    assert kinds["title_changed"]["what"] == "title changed"
    assert kinds["title_changed"]["item"]["url"] == "https://mfa.example/press/statement-1"
    assert kinds["title_changed"]["changed_at"] and kinds["title_changed"]["first_seen_at"]
    assert CAROL not in post.body.decode()


def test_a_title_change_is_told_once_to_a_reader_of_two_rules_it_matched(
    store: Store, tmp_path: Path, server: Server
) -> None:
    config = config_for(tmp_path, server.port)
    both = BODY + " Sanctions were discussed."
    write(store, config, both)
    deliver_digests(config, store, now=NOW)
    write(store, config, both, title="Talks (corrected)")
    assert untaken_edits(store) == 2  # one event per rule the item matched ...
    start = len(server.handler.received)
    deliver_immediate(config, store, now=NOW + timedelta(hours=1))
    deliver_digests(config, store, now=NOW + timedelta(days=1))
    texts = _sent_to_all(server, start)
    # ... one notice per reader: Alice follows both rules, Bob one
    for who in (ALICE, BOB):
        assert texts[who].count("TITLE CHANGED") == 1, texts[who]
        assert "{+(corrected)+}" in texts[who]


def _sent_to_all(server: Server, start: int) -> dict[str, str]:
    got: dict[str, str] = {}
    for received in server.handler.received[start:]:
        [rcpt] = received.rcpt_tos
        got[rcpt] = got.get(rcpt, "") + text_of(parse(received.data))
    return got
