"""installation: a random id of this installation, made when the database is created

Message-IDs were a hash of the recipient and the message row id, so two installations (or
one database reset, or a move to PostgreSQL) produced the same Message-IDs for different
messages, and mail clients that de-duplicate by Message-ID would hide the later one. The
id is part of every Message-ID since; an existing database gets one here.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 18:00:00.000000
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

from crawler.store.types import UtcDateTime, utcnow

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "installation",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_installation")),
    )
    # UtcDateTime binds the time as the store does on either dialect (naive UTC on SQLite).
    rows = sa.table("installation", sa.column("id"), sa.column("created_at", UtcDateTime()))
    op.bulk_insert(rows, [{"id": secrets.token_hex(16), "created_at": utcnow()}])


def downgrade() -> None:
    op.drop_table("installation")
