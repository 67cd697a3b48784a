"""evidence_records, edit_baselines, item_edits: evidence and edits of matched items (issue 18)

One row per WARC record written for a matched item (its article response and request,
the listing page that led to it, a metadata record): the file relative to the evidence
directory, the record's byte offset and length in it (one gzip member), its type, target
URI, WARC-Record-ID and digest, and the fetch time. Deleted with their item (cascade).

edit_baselines: an item's title, date and matched passage per rule as last compared;
item_edits: the edit events of its revisions (one per item, rule, kind and revision),
waiting for the ledger (notified_at). Both deleted with their item.

item_rechecks: a sent item's withdrawal state (live, suspect, withdrawn, unknown), its
recent recheck observations and when it is due again.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 01:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crawler.store.types import BigId, UtcDateTime

revision = "0011"
down_revision = "0010"
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
    _edits()
    _rechecks()


def _rechecks() -> None:
    op.create_table(
        "item_rechecks",
        sa.Column("item_id", BigId, nullable=False),
        sa.Column("source_id", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("sent_at", UtcDateTime, nullable=False),
        sa.Column("checks", sa.Integer, nullable=False),
        sa.Column("history", sa.JSON, nullable=False),
        sa.Column("last_checked_at", UtcDateTime),
        sa.Column("next_check_at", UtcDateTime),
        sa.Column("withdrawn_at", UtcDateTime),
        sa.Column("notified_at", UtcDateTime),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], ondelete="CASCADE", name="fk_item_rechecks_item_id_items"
        ),
        sa.PrimaryKeyConstraint("item_id", name="pk_item_rechecks"),
    )
    op.create_index("ix_item_rechecks_source_next", "item_rechecks", ["source_id", "next_check_at"])


def _edits() -> None:
    op.create_table(
        "edit_baselines",
        sa.Column("item_id", BigId, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("published_at", UtcDateTime),
        sa.Column("passages", sa.JSON, nullable=False),
        sa.Column("first_seen_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], ondelete="CASCADE", name="fk_edit_baselines_item_id_items"
        ),
        sa.PrimaryKeyConstraint("item_id", name="pk_edit_baselines"),
    )
    op.create_table(
        "item_edits",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("item_id", BigId, nullable=False),
        sa.Column("rule_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("delivery", sa.String(16), nullable=False),
        sa.Column("content_fp", sa.String(40), nullable=False),
        sa.Column("before", sa.Text, nullable=False),
        sa.Column("after", sa.Text, nullable=False),
        sa.Column("diff_text", sa.Text, nullable=False),
        sa.Column("diff_html", sa.Text, nullable=False),
        sa.Column("first_seen_at", UtcDateTime),
        sa.Column("changed_at", UtcDateTime, nullable=False),
        sa.Column("notified_at", UtcDateTime),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], ondelete="CASCADE", name="fk_item_edits_item_id_items"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_item_edits"),
        sa.UniqueConstraint(
            "item_id",
            "rule_id",
            "kind",
            "content_fp",
            name="uq_item_edits_item_id_rule_id_kind_content_fp",
        ),
    )
    op.create_index("ix_item_edits_item_id", "item_edits", ["item_id"])
    op.create_index("ix_item_edits_changed_at", "item_edits", ["changed_at"])
    op.create_index("ix_item_edits_notified_at", "item_edits", ["notified_at"])


def downgrade() -> None:
    op.drop_table("item_rechecks")
    op.drop_table("item_edits")
    op.drop_table("edit_baselines")
    op.drop_table("evidence_records")
