"""items: the publication's local date and precision next to its UTC instant

`published_at` orders items (a UTC instant); `published_date` is the calendar day the
source published in its own timezone (a page stamped 2020-10-14T05:50+08:00 is the 14th,
though 2020-10-13 in UTC), and `published_precision` says whether the source gave a date
only ("day") or a time ("minute"/"second"), so a date-only value is shown as a date and
never with a made-up 00:00. Existing rows get the UTC date and no precision (unknown).

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-04 19:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE on both dialects: a batch (copy-and-move) on SQLite would reflect
    # items, whose expression index ix_items_content_prefix it cannot reflect.
    op.add_column("items", sa.Column("published_date", sa.Date(), nullable=True))
    op.add_column("items", sa.Column("published_precision", sa.String(8), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        op.execute("UPDATE items SET published_date = date(published_at)")
    else:
        op.execute(
            "UPDATE items SET published_date = (published_at AT TIME ZONE 'UTC')::date"
            " WHERE published_at IS NOT NULL"
        )


def downgrade() -> None:
    op.drop_column("items", "published_precision")  # SQLite 3.35+ drops columns in place
    op.drop_column("items", "published_date")
