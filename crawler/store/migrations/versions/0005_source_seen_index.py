"""items: an index on (source_id, first_seen_at) for per-source reads

Migration 0003 replaced ix_items_source_content, which had also served `source_id = ?`
queries; without it `items --source`, the per-source counts of `sources list` and
`status` read the whole table. Each source's new items go at the end of its own range
of this index, so a batch touches a few pages of it (about 3 % of the database's time
per insert in bench/store.py, against the 20 % ix_items_source_content cost).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 04:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_items_source_seen", "items", ["source_id", "first_seen_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_items_source_seen", table_name="items")
