"""Daily digests over a real SMTP server: once per recipient, heartbeat, gap coverage."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from alerts.dispatch import deliver_digests, last_digest_at, ledger_summary, retry_due
from crawler.store.store import Store
from tests.ledger.conftest import Server
from tests.ledger.seed import (
    ALICE,
    BOB,
    NOW,
    add_item,
    add_match,
    add_run,
    add_source,
    parse,
    seed_matches,
    statuses,
    text_of,
    write_config,
)


def test_one_multipart_digest_per_recipient_then_nothing_new(
    store: Store, tmp_path: Path, server: Server
) -> None:
    config = write_config(tmp_path, port=server.port)
    seed_matches(store, 2)
    reports = deliver_digests(config, store, now=NOW)
    assert [(r.recipient, r.items, r.status) for r in reports] == [
        ("alice", 2, "sent"),
        ("bob@example.org", 2, "sent"),
    ]
    received = server.handler.received
    assert sorted(r.rcpt_tos for r in received) == [(ALICE,), (BOB,)]
    for got, report in zip(received, reports, strict=True):
        message = parse(got.data)
        assert message.get_content_type() == "multipart/alternative"
        assert message["Message-ID"] == report.message_id
        assert "arms statement 0" in text_of(message)
    assert set(statuses(store)) == {"sent"}
    assert statuses(store, "messages") == ["sent", "sent"]

    same_day = deliver_digests(config, store, now=NOW + timedelta(hours=2))
    assert [(r.items, r.status) for r in same_day] == [(0, "nothing"), (0, "nothing")]
    assert len(received) == 2  # a second run the same day sends nothing at all

    again = deliver_digests(config, store, now=NOW + timedelta(days=1))  # next day: heartbeat
    assert [(r.items, r.status) for r in again] == [(0, "sent"), (0, "sent")]
    assert all("arms statement" not in text_of(parse(r.data)) for r in received[2:])
    assert retry_due(config, store, now=NOW + timedelta(days=2)) == []
    assert len(received) == 4
    assert last_digest_at(store, "alice") == NOW + timedelta(days=1)


def test_heartbeat_counts_sources_and_lists_health(
    store: Store, tmp_path: Path, server: Server
) -> None:
    config = write_config(tmp_path, port=server.port, recipients=[{"address": ALICE}])
    with store.begin() as connection:
        add_source(connection, "mofa", "MOFA Pakistan")
        add_source(connection, "mid", "MID Russia", "failing", NOW - timedelta(days=2))
        add_source(connection, "mfa", "MFA China", "blocked", NOW - timedelta(days=1))
        add_source(connection, "tass", "TASS", "failing", NOW - timedelta(hours=5))
        for source in ("mofa", "mid", "mfa"):
            add_run(connection, source, NOW - timedelta(hours=3))
        add_run(connection, "tass", NOW - timedelta(days=3))  # before the period
    [report] = deliver_digests(config, store, now=NOW)
    assert (report.items, report.status) == (0, "sent")
    text = text_of(parse(server.handler.received[0].data))
    assert "No new matches. 3 sources checked since" in text
    assert "2 failing." in text
    assert "FAILING: MID Russia, since" in text
    assert "BLOCKED: MFA China" in text


def test_digest_after_downtime_covers_the_whole_gap(
    store: Store, tmp_path: Path, server: Server
) -> None:
    config = write_config(tmp_path, port=server.port, recipients=[{"address": ALICE}])
    deliver_digests(config, store, now=NOW - timedelta(days=4))  # the last digest before
    with store.begin() as connection:
        for days in (3, 2, 1):
            found = NOW - timedelta(days=days)
            add_match(
                connection, add_item(connection, f"arms day -{days}", seen=found), "arms", found
            )
    [report] = deliver_digests(config, store, now=NOW)
    assert (report.items, report.status) == (3, "sent")
    text = text_of(parse(server.handler.received[-1].data))
    assert all(f"arms day -{days}" in text for days in (3, 2, 1))
    assert "since 24 Nov" in text  # the period starts at the previous digest


def test_cluster_shows_also_published_by(store: Store, tmp_path: Path, server: Server) -> None:
    config = write_config(tmp_path, port=server.port, recipients=[{"address": ALICE}])
    with store.begin() as connection:
        add_source(connection, "tass", "TASS")
        first = add_item(connection, "arms talks", source_id="mofa")
        add_item(connection, "arms talks (wire)", source_id="tass", cluster_id=first)
        add_match(connection, first, "arms")
    from sqlalchemy import update

    from crawler.store.schema import items

    with store.begin() as connection:
        connection.execute(update(items).where(items.c.id == first).values(cluster_id=first))
    deliver_digests(config, store, now=NOW)
    assert "Also published by: TASS <https://tass.example/" in text_of(
        parse(server.handler.received[0].data)
    )


def test_an_item_of_several_rules_is_listed_once_naming_the_others(
    store: Store, tmp_path: Path, server: Server
) -> None:
    rules = [
        {"id": "arms", "name": "Arms control", "query": "arms", "priority": 10},
        {"id": "nuclear", "name": "Nuclear <policy>", "query": "nuclear", "priority": 20},
        {"id": "talks", "name": "Talks", "query": "talks", "recipients": [BOB]},
    ]
    recipients = [
        {"id": "alice", "address": ALICE, "rules": ["arms", "nuclear"]},
        {"address": BOB, "rules": ["arms"]},
    ]
    config = write_config(tmp_path, port=server.port, rules=rules, recipients=recipients)
    with store.begin() as connection:
        both = add_item(connection, "arms and nuclear talks")
        for rule_id in ("talks", "nuclear", "arms"):
            add_match(connection, both, rule_id)
    deliver_digests(config, store, now=NOW)
    by_reader = {r.rcpt_tos[0]: parse(r.data) for r in server.handler.received}
    alice = text_of(by_reader[ALICE])
    assert alice.count("arms and nuclear talks") == 1
    assert "Also matches: Nuclear <policy>" in alice
    assert "Talks" not in alice  # Bob's rule, not Alice's
    html = by_reader[ALICE].get_body(preferencelist=("html",))
    assert html is not None and "Also matches Nuclear &lt;policy&gt;" in str(html.get_content())
    bob = text_of(by_reader[BOB])
    assert "Also matches: Talks" in bob and "Nuclear" not in bob


def test_outbox_transport_needs_no_mail_settings(store: Store, tmp_path: Path) -> None:
    config = write_config(tmp_path)
    seed_matches(store, 1)
    reports = deliver_digests(config, store, now=NOW)
    assert [r.status for r in reports] == ["sent", "sent"]
    files = sorted((tmp_path / "data" / "outbox").glob("*.eml"))
    assert len(files) == 2
    assert "arms statement 0" in text_of(parse(files[0].read_bytes()))
    assert ledger_summary(store).pending == 0


def test_dry_run_touches_nothing_and_preview_writes_html(store: Store, tmp_path: Path) -> None:
    from tests.ledger.seed import counts

    config = write_config(tmp_path)
    seed_matches(store, 2)
    before = counts(store)
    preview = tmp_path / "preview.html"
    reports = deliver_digests(config, store, now=NOW, dry_run=True, preview=preview)
    assert [(r.items, r.status) for r in reports] == [(2, "dry-run"), (2, "dry-run")]
    assert counts(store) == before
    assert not (tmp_path / "data" / "outbox").exists()
    html = preview.read_text(encoding="utf-8")
    assert "<html" in html.lower() and "arms statement 1" in html


def test_heartbeat_of_a_config_without_sources_says_so(
    store: Store, tmp_path: Path, server: Server
) -> None:
    config = write_config(tmp_path, port=server.port, recipients=[{"address": ALICE}])
    assert config.sources == ()
    [report] = deliver_digests(config, store, now=NOW)
    assert (report.items, report.status) == (0, "sent")
    message = parse(server.handler.received[0].data)
    assert message["Subject"].endswith("nothing was checked - 28 Nov")
    text = text_of(message)
    assert "No sources are configured, so nothing was checked since" in text
    assert "0 sources checked" not in text and "0 failing" not in text
    assert "WARNING: This digest cannot tell you there was no news" in text
