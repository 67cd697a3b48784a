"""Migrations create every table of the schema, at head, matching the metadata."""

from __future__ import annotations

import warnings

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select

from alerts.rules import MatchRecord
from crawler.store import migrate
from crawler.store.fulltext import is_index_table
from crawler.store.items import insert_items
from crawler.store.matches import save_matches
from crawler.store.schema import metadata, rule_matches
from crawler.store.store import Store
from tests.store.helpers import record


def test_every_table_is_created_and_current(store: Store) -> None:
    tables = set(inspect(store.engine).get_table_names())
    assert set(metadata.tables) <= tables
    assert migrate.is_current(store.engine)
    assert migrate.current_revision(store.engine) == migrate.head_revision(store.engine)


def test_migration_matches_the_metadata(store: Store) -> None:
    with store.connect() as connection, warnings.catch_warnings():
        # SQLite's reflection cannot read expression indexes (ix_items_content_prefix);
        # test_write_path checks that one through the catalog instead.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression")
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression")
        # The full-text index (FTS5 virtual table and its shadow tables) is not metadata.
        opts = {"include_name": lambda name, kind, _: not is_index_table(name)}
        context = MigrationContext.configure(connection, opts=opts)
        assert compare_metadata(context, metadata) == []


def test_upgrade_twice_is_a_no_op(store: Store) -> None:
    store.upgrade()
    assert migrate.is_current(store.engine)


def _origins(store: Store) -> list[str | None]:
    with store.connect() as connection:
        query = select(rule_matches.c.origin).order_by(rule_matches.c.id)
        return list(connection.execute(query).scalars())


def test_migration_0013_adds_match_origin_and_keeps_the_rows_on_downgrade(store: Store) -> None:
    with store.begin() as connection:
        item_id = insert_items(connection, [record("https://a.example/1")]).new[0].id
        save_matches(connection, [MatchRecord(item_id, "r", [], [])], "rematch")
    assert _origins(store) == ["rematch"]
    command.downgrade(migrate.alembic_config(store.engine), "0012")
    columns = {c["name"] for c in inspect(store.engine).get_columns("rule_matches")}
    assert "origin" not in columns and "matched_at" in columns
    store.upgrade()
    assert migrate.is_current(store.engine)
    assert _origins(store) == [None]  # a row from before 0013: origin unknown
