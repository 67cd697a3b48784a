"""Migrations create every table of the schema, at head, matching the metadata."""

from __future__ import annotations

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from crawler.store import migrate
from crawler.store.fulltext import is_index_table
from crawler.store.schema import metadata
from crawler.store.store import Store


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
