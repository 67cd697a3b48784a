"""The installation id: random, made once per database, part of every Message-ID."""

from __future__ import annotations

import secrets

from sqlalchemy import Connection, insert, select

from crawler.store.schema import installation
from crawler.store.types import utcnow


def installation_id(connection: Connection) -> str:
    """This database's installation id (migration 0006 creates it; made here if it was lost)."""
    found = connection.execute(
        select(installation.c.id).order_by(installation.c.created_at).limit(1)
    ).scalar()
    if found is not None:
        return str(found)
    made = secrets.token_hex(16)
    connection.execute(insert(installation).values(id=made, created_at=utcnow()))
    return made
