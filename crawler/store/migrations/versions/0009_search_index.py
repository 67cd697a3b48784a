"""items_fts: a trigram full-text index of the normalized title and body (SQLite)

The archive search of `presswatch serve` finds candidates here and confirms them with the
rule engine (crawler/store/fulltext.py explains why a trigram index over the engine's
normalized text never drops a true match). Contentless: the index keeps the normalized
trigrams only, not a second copy of the text; triggers keep it in step with `items`, and
call presswatch_search_text(), which every presswatch connection registers. Existing items
are indexed here (about a minute per 100,000 items).

PostgreSQL has no index yet: search there confirms every item with the engine (a scan).

Revision ID: 0009
Revises: 0005
Create Date: 2026-12-04 18:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0005"
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


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(_CREATE)
    op.execute(
        f"INSERT INTO items_fts(rowid, title, body) "
        f"SELECT id, {_NORM}(title), {_NORM}(body) FROM items"
    )
    for trigger in _TRIGGERS:
        op.execute(trigger)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in ("items_fts_insert", "items_fts_delete", "items_fts_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS items_fts")
