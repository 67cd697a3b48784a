"""Retention: old items go unless a delivery still needs them; runs and validators too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update

from crawler.store.gc import collect_garbage
from crawler.store.items import insert_items
from crawler.store.schema import (
    crawl_runs,
    deliveries,
    http_validators,
    item_bands,
    item_revisions,
    items,
    rule_matches,
)
from crawler.store.store import Store
from tests.store.helpers import query_plan, record

NOW = datetime(2025, 6, 1, tzinfo=UTC)
OLD = NOW - timedelta(days=100)


def _count(store: Store, table: Any) -> int:
    with store.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def _seed_items(store: Store) -> dict[str, int]:
    with store.begin() as connection:
        outcome = insert_items(
            connection,
            [
                record(f"https://a.example/{name}", body=name)
                for name in ("old", "pending", "failed", "sent", "new")
            ],
        )
        ids = {item.record.body: item.id for item in outcome.new}
        old_ids = [ids[name] for name in ("old", "pending", "failed", "sent")]
        connection.execute(update(items).where(items.c.id.in_(old_ids)).values(first_seen_at=OLD))
        for item_id in old_ids:
            connection.execute(
                insert(item_revisions).values(
                    item_id=item_id, content_fp="x", title="", changed_at=OLD
                )
            )
            connection.execute(insert(item_bands).values(item_id=item_id, band="b"))
            connection.execute(
                insert(rule_matches).values(
                    item_id=item_id, rule_id="r", matched_at=OLD, snippets=[], spans=[]
                )
            )
        for status in ("pending", "failed", "sent"):
            connection.execute(
                insert(deliveries).values(
                    recipient="a@example.org",
                    item_id=ids[status],
                    rule_id="r",
                    channel="email",
                    status=status,
                    created_at=OLD,
                )
            )
    return ids


def test_old_items_go_unless_undelivered(store: Store) -> None:
    ids = _seed_items(store)
    with store.begin() as connection:
        result = collect_garbage(connection, timedelta(days=30), now=NOW)
    assert result.items_deleted == 2
    with store.connect() as connection:
        left = set(connection.execute(select(items.c.id)).scalars())
        statuses = set(connection.execute(select(deliveries.c.status)).scalars())
    assert left == {ids["pending"], ids["failed"], ids["new"]}
    assert statuses == {"pending", "failed"}
    for table in (item_revisions, item_bands, rule_matches):
        assert _count(store, table) == 2  # cascaded with their items


def test_crawl_runs_keep_the_newest_fifty_per_source(store: Store) -> None:
    with store.begin() as connection:
        for source, count in (("a", 80), ("b", 10)):
            for n in range(count):
                connection.execute(
                    insert(crawl_runs).values(source_id=source, started_at=OLD + timedelta(hours=n))
                )
        connection.execute(insert(crawl_runs).values(source_id="a", started_at=NOW))
        result = collect_garbage(connection, timedelta(days=30), now=NOW)
    assert result.crawl_runs_deleted == 31
    with store.connect() as connection:
        kept = connection.execute(
            select(crawl_runs.c.source_id, func.count(), func.min(crawl_runs.c.started_at))
            .group_by(crawl_runs.c.source_id)
            .order_by(crawl_runs.c.source_id)
        ).all()
    assert [(s, c) for s, c, _ in kept] == [("a", 50), ("b", 10)]
    assert kept[0][2] == OLD + timedelta(hours=31)


def test_stale_http_validators_go(store: Store) -> None:
    with store.begin() as connection:
        connection.execute(insert(http_validators).values(url_fp="old", url="u", checked_at=OLD))
        connection.execute(insert(http_validators).values(url_fp="new", url="v", checked_at=NOW))
        result = collect_garbage(connection, timedelta(days=30), now=NOW)
    assert result.validators_deleted == 1
    with store.connect() as connection:
        assert connection.execute(select(http_validators.c.url_fp)).scalars().all() == ["new"]


def test_deleting_an_original_unlinks_its_duplicates(store: Store) -> None:
    with store.begin() as connection:
        first = insert_items(connection, [record("https://a.example/1", body="Same text.")])
        again = insert_items(connection, [record("https://a.example/2", body="Same text.")])
        original = first.new[0].id
        assert again.new[0].duplicate_of == original
        connection.execute(update(items).where(items.c.id == original).values(first_seen_at=OLD))
        assert collect_garbage(connection, timedelta(days=30), now=NOW).items_deleted == 1
    with store.connect() as connection:
        assert connection.execute(select(items.c.duplicate_of)).scalars().all() == [None]


def test_finding_an_items_duplicates_uses_an_index(store: Store) -> None:
    # What ON DELETE SET NULL runs for every deleted item; a table scan here made
    # `db gc` quadratic (20,000 items: 266 s on SQLite).
    detail = query_plan(store, "SELECT id FROM items WHERE duplicate_of = 1")
    assert "ix_items_duplicate_of" in detail, detail
