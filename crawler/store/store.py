"""The Store: one engine and its transactions; each table is read and written by its owner.

Outside crawler.store code opens a connection here and hands it to a table's owner module
(crawler.store.items, .queries, .sources, .matches, ...; the ledger for deliveries and
messages): only owners import crawler.store.schema, and dialect differences live in
crawler.store.dialect. docs/architecture.md lists the owners.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from crawler.errors import StoreError
from crawler.store import migrate
from crawler.store.engine import READS_ONLY, make_engine

if TYPE_CHECKING:
    from crawler.config import Config


class Store:
    """A handle on the database; cheap to create, open one per process."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def from_url(
        cls, url: str, *, migrate_schema: bool = True, busy_timeout: timedelta | None = None
    ) -> Store:
        """Open the database at `url`, migrating it to the current schema unless told not to."""
        engine = make_engine(url, busy_timeout=busy_timeout or timedelta(seconds=30))
        store = cls(engine)
        if migrate_schema:
            store.upgrade()
        return store

    @classmethod
    def from_config(cls, config: Config, *, migrate_schema: bool = True) -> Store:
        """Open the configured database (see Config.database_url)."""
        timeout = config.settings.database.busy_timeout
        return cls.from_url(
            config.database_url, migrate_schema=migrate_schema, busy_timeout=timeout
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def upgrade(self) -> None:
        """Run pending migrations."""
        try:
            migrate.upgrade(self.engine)
        except OperationalError as exc:
            raise StoreError(f"cannot open the database: {exc.orig}") from exc

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A write transaction: committed on success, rolled back on any error."""
        try:
            with self.engine.begin() as connection:
                yield connection
        except OperationalError as exc:
            raise StoreError(f"database error: {exc.orig}") from exc

    @contextmanager
    def connect(self, *, writes: bool = False) -> Iterator[Connection]:
        """A connection for reads; `writes=True` for explicit transactions that write.

        On SQLite a reading connection never waits for the write lock: a crawl holding it
        for a long batch does not hold up `presswatch items`, a digest, or another crawl's
        lookups. A connection that writes takes the lock when its transaction begins.
        """
        try:
            with self.engine.connect() as connection:
                if not writes:
                    connection.execution_options(**{READS_ONLY: True})
                yield connection
        except OperationalError as exc:
            raise StoreError(f"database error: {exc.orig}") from exc

    def close(self) -> None:
        """Release pooled connections."""
        self.engine.dispose()


__all__ = ["SQLAlchemyError", "Store"]
