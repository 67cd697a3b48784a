"""What differs between SQLite and PostgreSQL, in one place: conflict-tolerant inserts and
the planner's upkeep. Modules outside the store never branch on the dialect themselves."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

Insert = postgresql.Insert | sqlite.Insert


def upsert(connection: Connection, table: Table) -> Insert:
    """An INSERT that takes `on_conflict_do_nothing` / `on_conflict_do_update` clauses."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def insert_ignore(
    connection: Connection, table: Table, index_elements: Sequence[str] | None = None
) -> Insert:
    """INSERT ... ON CONFLICT DO NOTHING (on the unique `index_elements`, else on any)."""
    return upsert(connection, table).on_conflict_do_nothing(index_elements=index_elements)


def optimize(connection: Connection) -> None:
    """Let the database refresh its planner statistics: `PRAGMA optimize` on SQLite
    (PostgreSQL's autovacuum does this by itself)."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA optimize")


def transaction_lock(connection: Connection, key: int) -> None:
    """Serialize transactions that take the same `key` until they end: a PostgreSQL
    advisory lock (SQLite's writers already take turns on the database's write lock)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({int(key)})")
