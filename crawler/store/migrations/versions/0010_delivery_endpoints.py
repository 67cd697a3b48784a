"""deliveries and messages: keyed by endpoint (email, apprise, webhook, ...)

A recipient may have several endpoints (notifiers), each retried on its own: a failed
webhook is retried without re-sending the email. Both tables get an `endpoint` column (the
endpoint's name within its recipient); every existing row was mail, so it becomes "email",
the name of the endpoint a recipient's `address:` stands for. The deliveries' unique key
gains the endpoint: one row per recipient, endpoint, item and channel.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 00:00:00.000000
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


@contextmanager
def _items_reflected_quietly() -> Iterator[None]:
    """The SQLite batch reflects `items` (deliveries' foreign key) and warns that it skips
    the expression index ix_items_content_prefix; only `items.id` matters here."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Skipped unsupported reflection")
        yield


def upgrade() -> None:
    op.add_column(
        "messages",
        sa.Column("endpoint", sa.String(64), nullable=False, server_default="email"),
    )
    # A batch (copy-and-move) on SQLite: a table's unique constraint cannot be altered in place.
    with _items_reflected_quietly(), op.batch_alter_table("deliveries") as batch:
        batch.add_column(
            sa.Column("endpoint", sa.String(64), nullable=False, server_default="email")
        )
        batch.drop_constraint("uq_deliveries_recipient_item_id_channel", type_="unique")
        batch.create_unique_constraint(
            "uq_deliveries_recipient_endpoint_item_id_channel",
            ["recipient", "endpoint", "item_id", "channel"],
        )


def downgrade() -> None:
    # Rows of other endpoints cannot be represented without the column: they go.
    op.execute("DELETE FROM deliveries WHERE endpoint <> 'email'")
    op.execute("DELETE FROM messages WHERE endpoint <> 'email'")
    with _items_reflected_quietly(), op.batch_alter_table("deliveries") as batch:
        batch.drop_constraint("uq_deliveries_recipient_endpoint_item_id_channel", type_="unique")
        batch.create_unique_constraint(
            "uq_deliveries_recipient_item_id_channel", ["recipient", "item_id", "channel"]
        )
        batch.drop_column("endpoint")
    op.drop_column("messages", "endpoint")
