"""url_aliases and article_retries: listed links known by their alias, failed articles retried

An article whose rel=canonical (or redirect) differs from the link its listing gave was
fetched again on every run: the listed URL is now kept as an alias of the stored item.
An item stored from its listing because its article page failed gets a row in
article_retries, which later runs read to try the page again with backoff.

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-04 18:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "url_aliases",
        sa.Column("url_fp", sa.String(40), nullable=False),
        sa.Column("item_fp", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("url_fp", name="pk_url_aliases"),
    )
    op.create_table(
        "article_retries",
        sa.Column("url_fp", sa.String(40), nullable=False),
        sa.Column("source_id", sa.String(64), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("url_fp", name="pk_article_retries"),
    )
    op.create_index(
        "ix_article_retries_source_next", "article_retries", ["source_id", "next_attempt_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_article_retries_source_next", table_name="article_retries")
    op.drop_table("article_retries")
    op.drop_table("url_aliases")
