"""Migration 0002 (index, lz4) and the batch insert's own datetime formatting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DBAPIError

from crawler.store import migrate
from crawler.store.items import _KNOWN_CONTENT_SQL, _sqlite_datetime, insert_items
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
