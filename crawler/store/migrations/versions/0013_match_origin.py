"""rule_matches: origin, the path that made a match ("crawl" or "rematch")

`evidence verify` names matched items without evidence, but not matches `rules rematch`
made later (their response is gone). It told them apart by timing (a match more than two
minutes after the item's store was taken for a rematch), which a slow batch fools; the
column records the fact instead. Existing rows stay NULL (unknown): backfilling "crawl"
would name every old rematch as missing evidence, so verify keeps the timing rule for
them only.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 04:30:00.000000
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


@contextmanager
def _items_reflected_quietly() -> Iterator[None]:
    """The SQLite batch reflects `items` (rule_matches' foreign key) and warns that it skips
    the expression index ix_items_content_prefix; only `items.id` matters here."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Skipped unsupported reflection")
        yield


def upgrade() -> None:
    with _items_reflected_quietly(), op.batch_alter_table("rule_matches") as batch:
        batch.add_column(sa.Column("origin", sa.String(16), nullable=True))


def downgrade() -> None:
    # A batch (copy-and-move) on SQLite: the column goes, the rows stay.
    with _items_reflected_quietly(), op.batch_alter_table("rule_matches") as batch:
        batch.drop_column("origin")
