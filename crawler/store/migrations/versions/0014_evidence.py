"""evidence_records: where each matched item's WARC records sit (issue 18)

One row per WARC record written for a matched item (its article response and request,
the listing page that led to it, a metadata record): the file relative to the evidence
directory, the record's byte offset and length in it (one gzip member), its type, target
URI, WARC-Record-ID and digest, and the fetch time. Deleted with their item (cascade).

Revision ID: 0014
Revises: 0009
Create Date: 2026-12-07 01:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crawler.store.types import BigId, UtcDateTime

revision = "0014"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evidence_records",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column(
            "item_id",
            BigId,
            sa.ForeignKey("items.id", ondelete="CASCADE", name="fk_evidence_records_item_id_items"),
            nullable=False,
        ),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("file", sa.Text, nullable=False),
        sa.Column("offset", BigId, nullable=False),
        sa.Column("length", sa.Integer, nullable=False),
        sa.Column("record_type", sa.String(16), nullable=False),
        sa.Column("target_uri", sa.Text, nullable=False),
        sa.Column("record_id", sa.String(80), nullable=False),
        sa.Column("digest", sa.String(80), nullable=False),
        sa.Column("fetched_at", UtcDateTime, nullable=False),
        sa.Column("stored_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_evidence_records"),
    )
    op.create_index("ix_evidence_records_item_id", "evidence_records", ["item_id"])
    op.create_index("ix_evidence_records_file", "evidence_records", ["file"])
    op.create_index("ix_evidence_records_stored_at", "evidence_records", ["stored_at"])


def downgrade() -> None:
    op.drop_table("evidence_records")
