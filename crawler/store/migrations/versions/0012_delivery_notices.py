"""deliveries: edit and withdrawal notices beside matches (issue 18)

An edit notice or a withdrawal notice is about an item the reader was already sent: its
row would collide with the match's on (recipient, endpoint, item_id, channel). Two columns
tell them apart: `kind` ("match", "edit", "withdrawal"; every existing row is a match) and
`notice` (the item_edits id of an edit, else 0), and both join the unique key: a match, each
edit event and the withdrawal of an item reach an endpoint once per channel.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 03:00:00.000000
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

from crawler.store.types import BigId

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

OLD_KEY = "uq_deliveries_recipient_endpoint_item_id_channel"
NEW_KEY = "uq_deliveries_recipient_endpoint_item_id_channel_kind_notice"


@contextmanager
def _items_reflected_quietly() -> Iterator[None]:
    """The SQLite batch reflects `items` (deliveries' foreign key) and warns that it skips
    the expression index ix_items_content_prefix; only `items.id` matters here."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Skipped unsupported reflection")
        yield


def upgrade() -> None:
    # A batch (copy-and-move) on SQLite: a table's unique constraint cannot be altered in place.
    with _items_reflected_quietly(), op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="match"))
        batch.add_column(sa.Column("notice", BigId, nullable=False, server_default="0"))
        batch.drop_constraint(OLD_KEY, type_="unique")
        batch.create_unique_constraint(
            NEW_KEY, ["recipient", "endpoint", "item_id", "channel", "kind", "notice"]
        )


def downgrade() -> None:
    # Notices cannot be told from matches without the columns: they go.
    op.execute("DELETE FROM deliveries WHERE kind <> 'match'")
    with _items_reflected_quietly(), op.batch_alter_table("deliveries") as batch:
        batch.drop_constraint(NEW_KEY, type_="unique")
        batch.create_unique_constraint(OLD_KEY, ["recipient", "endpoint", "item_id", "channel"])
        batch.drop_column("notice")
        batch.drop_column("kind")
