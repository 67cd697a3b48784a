"""Alembic environment: uses the engine handed over by crawler.store.migrate."""

from __future__ import annotations

from alembic import context

from crawler.store.fulltext import is_index_table
from crawler.store.schema import metadata


def _include_name(name: str | None, kind: str, _parents: object) -> bool:
    """Autogenerate leaves the full-text index (a virtual table, migration 0009) alone."""
    return not (kind == "table" and is_index_table(name))


engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_name=_include_name,
    )
    context.run_migrations()
