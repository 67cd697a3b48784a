"""Enqueue: idempotent, never for duplicates, once per near-duplicate cluster."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from alerts import ledger
from crawler.store.schema import deliveries
from crawler.store.store import Store
from tests.ledger.seed import NOW, add_item, add_match, write_config


def _rows(store: Store) -> list[tuple[str, int, str, str]]:
    query = select(
        deliveries.c.recipient, deliveries.c.item_id, deliveries.c.rule_id, deliveries.c.channel
    )
    with store.connect() as connection:
        return sorted(tuple(row) for row in connection.execute(query))


def test_enqueue_routes_channels_and_is_idempotent(store: Store, tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        recipients=[
            {"id": "alice", "address": "a@x.org"},
            {"address": "b@x.org", "immediate": False},
        ],
    )
    with store.begin() as connection:
        one = add_item(connection, "arms and nuclear")
        add_match(connection, one, "nuclear")
        add_match(connection, one, "arms")
    with store.begin() as connection:
        assert ledger.enqueue(connection, config, NOW) == 3
    with store.begin() as connection:
        assert ledger.enqueue(connection, config, NOW) == 0
    assert _rows(store) == [
        ("alice", one, "arms", "digest"),  # the better rule (priority 10) wins the digest row
        ("alice", one, "nuclear", "immediate"),
        ("b@x.org", one, "arms", "digest"),
    ]


def test_enqueue_skips_duplicates_and_sends_a_cluster_once(store: Store, tmp_path: Path) -> None:
    config = write_config(tmp_path, recipients=[{"id": "alice", "address": "a@x.org"}])
    with store.begin() as connection:
        first = add_item(connection, "arms talks", source_id="mofa")
        add_item(connection, "arms talks", source_id="mofa", duplicate_of=first)
        dup = add_item(connection, "arms talks again", source_id="tass", duplicate_of=first)
        near = add_item(connection, "arms talks, wire copy", source_id="ria", cluster_id=first)
        add_match(connection, first, "arms")
        add_match(connection, dup, "arms")
    with store.begin() as connection:
        assert ledger.enqueue(connection, config, NOW) == 1
    from sqlalchemy import update

    from crawler.store.schema import items

    with store.begin() as connection:  # clustering happened after the first match
        connection.execute(update(items).where(items.c.id == first).values(cluster_id=first))
        add_match(connection, near, "arms")
    with store.begin() as connection:
        assert ledger.enqueue(connection, config, NOW) == 0
    assert _rows(store) == [("alice", first, "arms", "digest")]


def test_unknown_rules_are_marked_seen(store: Store, tmp_path: Path) -> None:
    config = write_config(tmp_path)
    with store.begin() as connection:
        add_match(connection, add_item(connection, "x"), "gone")
    with store.begin() as connection:
        assert ledger.enqueue(connection, config, NOW) == 0
    with store.connect() as connection:
        assert ledger.summarize(connection).pending == 0
