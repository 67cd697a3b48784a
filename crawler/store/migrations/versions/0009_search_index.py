"""items_fts: a trigram full-text index of the normalized title and body (SQLite)

The archive search of `presswatch serve` finds candidates here and confirms them with the
rule engine (crawler/store/fulltext.py explains why a trigram index over the engine's
normalized text never drops a true match). Contentless: the index keeps the normalized
trigrams only, not a second copy of the text; triggers keep it in step with `items`, and
call presswatch_search_text(), which every presswatch connection registers. Existing items
are indexed here (about a minute per 100,000 items).

PostgreSQL cannot call Python from SQL: there the normalized text goes to `item_search`
(written by the store's insert_items in the same transaction, deleted by cascade) with
pg_trgm GIN indexes that serve `LIKE '%literal%'`; this migration creates the extension
(in schema public unless it exists) and indexes existing items in batches.

Revision ID: 0009
Revises: 0005
Create Date: 2026-12-04 18:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.exc import DBAPIError

from crawler.store.fulltext import PG_TABLE, index_items

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_NORM = "presswatch_search_text"
_CREATE = (
    "CREATE VIRTUAL TABLE items_fts USING fts5("
    "title, body, content='', tokenize='trigram case_sensitive 1')"
)
_INSERT = (
    f"INSERT INTO items_fts(rowid, title, body) "
    f"VALUES (new.id, {_NORM}(new.title), {_NORM}(new.body));"
)
_DELETE = (
    f"INSERT INTO items_fts(items_fts, rowid, title, body) "
    f"VALUES ('delete', old.id, {_NORM}(old.title), {_NORM}(old.body));"
)
_TRIGGERS = (
    f"CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN {_INSERT} END",
    f"CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN {_DELETE} END",
    "CREATE TRIGGER items_fts_update AFTER UPDATE OF title, body ON items "
    f"BEGIN {_DELETE} {_INSERT} END",
)


_BACKFILL_BATCH = 2_000


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _upgrade_postgresql()
        return
    op.execute(_CREATE)
    op.execute(
        f"INSERT INTO items_fts(rowid, title, body) "
        f"SELECT id, {_NORM}(title), {_NORM}(body) FROM items"
    )
    for trigger in _TRIGGERS:
        op.execute(trigger)


def _upgrade_postgresql() -> None:
    bind = op.get_bind()
    schema = _trgm_schema(bind)
    op.create_table(
        PG_TABLE,
        sa.Column(
            "item_id",
            sa.BigInteger,
            sa.ForeignKey("items.id", ondelete="CASCADE", name=f"fk_{PG_TABLE}_item_id_items"),
            primary_key=True,
        ),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    for column in ("title", "body"):
        op.execute(
            f"CREATE INDEX ix_{PG_TABLE}_{column} ON {PG_TABLE} "
            f'USING gin ({column} "{schema}".gin_trgm_ops)'
        )
    last = 0
    while True:
        rows = bind.execute(
            sa.text("SELECT id, title, body FROM items WHERE id > :last ORDER BY id LIMIT :n"),
            {"last": last, "n": _BACKFILL_BATCH},
        ).all()
        if not rows:
            break
        index_items(bind, [(row.id, row.title, row.body) for row in rows])
        last = rows[-1].id


def _trgm_schema(bind: sa.Connection) -> str:
    """pg_trgm's schema, creating the extension in public when absent.

    Two migrations creating it at once (parallel test schemas): the loser's savepoint rolls
    back and it finds the winner's.
    """
    found = "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
    found += "WHERE e.extname = 'pg_trgm'"
    schema = bind.execute(sa.text(found)).scalar()
    if schema is None:
        try:
            with bind.begin_nested():
                bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
        except DBAPIError:
            pass
        schema = bind.execute(sa.text(found)).scalar_one()
    return str(schema)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_table(PG_TABLE)
        return
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in ("items_fts_insert", "items_fts_delete", "items_fts_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS items_fts")
