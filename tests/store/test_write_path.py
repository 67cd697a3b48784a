"""The batch insert's write path: migrations 0002-0005, datetime formatting, COPY and its
fallback when another writer stored a URL meanwhile."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DBAPIError

from crawler.store import items as items_module
from crawler.store import migrate
from crawler.store.items import (
    _KNOWN_CONTENT_SQL,
    _existing,
    _insert,
    _sqlite_datetime,
    insert_items,
)
from crawler.store.schema import items
from crawler.store.store import Store
from tests.store.helpers import query_plan, record


def _item_indexes(store: Store) -> set[str]:
    """Index names from the catalog (SQLAlchemy cannot reflect SQLite expression indexes)."""
    query = {
        "sqlite": "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'items'",
        "postgresql": "SELECT indexname FROM pg_indexes"
        " WHERE tablename = 'items' AND schemaname = current_schema()",
    }[store.dialect]
    with store.connect() as connection:
        return {str(name) for name in connection.exec_driver_sql(query).scalars()}


def _compression(store: Store) -> dict[str, str]:
    query = text(
        "SELECT attname, attcompression FROM pg_attribute"
        " WHERE attrelid = 'items'::regclass AND attname IN ('title', 'summary', 'body')"
    )
    with store.connect() as connection:
        return {str(name): str(method) for name, method in connection.execute(query)}


def _lz4_available(store: Store) -> bool:
    query = text(
        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
    )
    with store.connect() as connection:
        return bool(connection.execute(query).scalar())


def test_redundant_source_indexes_are_gone(store: Store) -> None:
    names = _item_indexes(store)
    assert not {"ix_items_source_id", "ix_items_source_content"} & names
    wanted = {"ix_items_content_prefix", "ix_items_first_seen_at", "ix_items_cluster_id"}
    assert wanted | {"ix_items_source_seen", "ix_items_duplicate_of"} <= names


def test_per_source_reads_use_an_index(store: Store) -> None:
    detail = query_plan(store, "SELECT max(first_seen_at) FROM items WHERE source_id = 'mofa'")
    assert "ix_items_source_seen" in detail, detail


def test_duplicate_lookup_uses_the_content_prefix_index(store: Store) -> None:
    sqlite = store.dialect == "sqlite"
    detail = query_plan(store, _KNOWN_CONTENT_SQL[sqlite], ('["a"]',) if sqlite else (["a"],))
    assert "ix_items_content_prefix" in detail, detail


def test_postgresql_text_columns_use_lz4(store: Store) -> None:
    if store.dialect != "postgresql":
        pytest.skip("TOAST compression is PostgreSQL only")
    if not _lz4_available(store):
        pytest.skip("this PostgreSQL has no lz4")
    assert _compression(store) == {"title": "l", "summary": "l", "body": "l"}
    body = "word " * 2000  # over the TOAST threshold: compressed with lz4
    with store.begin() as connection:
        insert_items(connection, [record("https://a.example/long", body=body)])
        method = connection.execute(text("SELECT pg_column_compression(body) FROM items"))
        assert method.scalar_one() == "lz4"


def test_downgrade_and_upgrade_again(store: Store) -> None:
    with store.begin() as connection:
        insert_items(connection, [record("https://a.example/1")])
    command.downgrade(migrate.alembic_config(store.engine), "0001")
    assert "ix_items_source_id" in _item_indexes(store)
    if store.dialect == "postgresql":
        assert set(_compression(store).values()) == {""}
    store.upgrade()
    assert migrate.is_current(store.engine)
    assert "ix_items_source_id" not in _item_indexes(store)
    assert "ix_items_content_prefix" in _item_indexes(store)


@pytest.mark.parametrize(
    "value",
    [
        datetime(2025, 3, 1, 12, 30, tzinfo=UTC),
        datetime(2025, 6, 1, 14, 0, 0, 123456, tzinfo=timezone(timedelta(hours=2))),
        datetime(999, 12, 31, 23, 59, 59, 1, tzinfo=timezone(timedelta(hours=-5))),
    ],
)
def test_sqlite_datetime_matches_the_column_type(value: datetime) -> None:
    dialect = sqlite.dialect()
    process = items.c.published_at.type.dialect_impl(dialect).bind_processor(dialect)
    assert process is not None
    assert _sqlite_datetime(value) == process(value)


def test_sqlite_datetime_rejects_naive() -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        _sqlite_datetime(datetime(2025, 1, 1))


def test_several_batches_in_one_transaction(store: Store) -> None:
    with store.begin() as connection:
        first = insert_items(
            connection, [record(f"https://a.example/{n}", body=f"{n}") for n in range(3)]
        )
        second = insert_items(
            connection, [record(f"https://a.example/{n}", body=f"{n}") for n in range(2, 5)]
        )
    assert len(first.new) == 3
    assert len(second.new) == 2 and second.unchanged == 1
    with store.begin() as connection:
        assert insert_items(connection, [record("https://a.example/9", body="9")]).new


def test_a_rolled_back_batch_leaves_nothing_behind(store: Store) -> None:
    with pytest.raises(RuntimeError), store.begin() as connection:
        insert_items(connection, [record("https://a.example/1")])
        raise RuntimeError("crawl failed")
    with store.begin() as connection:
        outcome = insert_items(connection, [record("https://a.example/2", body="other")])
    assert [item.record.url for item in outcome.new] == ["https://a.example/2"]


def test_driver_errors_are_sqlalchemy_errors(store: Store) -> None:
    if store.dialect != "postgresql":
        pytest.skip("SQLite stores NUL characters")
    with pytest.raises(DBAPIError), store.begin() as connection:
        insert_items(connection, [record("https://a.example/1", body="nul \x00 inside")])
    with store.begin() as connection:
        assert insert_items(connection, [record("https://a.example/2")]).new


def _stored_ids(store: Store) -> dict[str, int]:
    with store.connect() as connection:
        rows = connection.exec_driver_sql("SELECT url, id FROM items")
        return {str(url): int(item_id) for url, item_id in rows}


def test_a_url_stored_between_lookup_and_insert_is_skipped(store: Store) -> None:
    """The insert itself (after the lookup) meets a stored URL: the other rows still go in,
    with the ids the database gave them, and the caller's transaction lives on."""
    with store.begin() as connection:
        insert_items(connection, [record("https://a.example/1"), record("https://a.example/2")])
    changed = record("https://a.example/2", body="A correction.")
    fresh = record("https://a.example/3", body="Another statement.")
    with store.begin() as connection:
        assert insert_items(connection, [changed]).updated  # the caller's earlier work
        stored = _insert(connection, [(record("https://a.example/1"), None), (fresh, None)])
        assert connection.exec_driver_sql("SELECT count(*) FROM items").scalar() == 3
    assert [(item.record.url, item.id) for item in stored] == [
        ("https://a.example/3", _stored_ids(store)["https://a.example/3"])
    ]
    with store.connect() as connection:
        rows = connection.exec_driver_sql("SELECT url, body FROM items")
        bodies = {str(url): str(body) for url, body in rows}
    assert bodies["https://a.example/2"] == "A correction."


def test_a_concurrent_writer_storing_the_same_url_meanwhile(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL: another transaction inserts a URL of our batch after our lookup and
    commits while our COPY waits on it; the batch goes again through the staging table,
    which stores the rest, and the URL counts as known."""
    if store.dialect != "postgresql":
        pytest.skip("SQLite writers take turns: the lookup and the insert share one lock")
    fallbacks: list[int] = []
    staging = items_module._insert_through_staging

    def counted(*args: Any) -> list[tuple[int, str]]:
        fallbacks.append(len(args[2]))
        return staging(*args)

    monkeypatch.setattr(items_module, "_insert_through_staging", counted)
    other = store.engine.connect()
    transaction = other.begin()
    try:
        insert_items(other, [record("https://a.example/shared")])
        threading.Timer(0.5, transaction.commit).start()
        with store.begin() as connection:
            existing = _existing(connection, [record("https://a.example/shared").url_fp])
            assert not existing  # not committed yet: our lookup cannot see it
            outcome = insert_items(
                connection,
                [record("https://a.example/shared"), record("https://a.example/own", body="Own.")],
            )
    finally:
        other.close()  # a failure must not leave the other transaction holding its locks
    assert [item.record.url for item in outcome.new] == ["https://a.example/own"]
    assert outcome.unchanged == 1 and fallbacks == [2]
    assert set(_stored_ids(store)) == {"https://a.example/shared", "https://a.example/own"}
