"""Create database engines: SQLite (WAL, busy timeout, immediate writes) or PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from crawler.errors import StoreError

# Per-connection settings. page_size only takes effect on a new, empty database (before
# WAL is switched on): 8 KiB pages hold three 1-3 KB items where 4 KiB pages waste a third.
# WAL with synchronous=NORMAL syncs at checkpoints only: a power cut may lose the last
# commits, never corrupt. A 64 MiB page cache keeps a 1,000-item batch (and the hot index
# pages) from spilling to the WAL mid-transaction; temporary b-trees stay in memory.
SQLITE_PRAGMAS: tuple[str, ...] = (
    "page_size=8192",
    "journal_mode=WAL",
    "synchronous=NORMAL",
    "foreign_keys=ON",
    "cache_size=-65536",
    "temp_store=MEMORY",
)


def make_engine(url: str, *, busy_timeout: timedelta = timedelta(seconds=30)) -> Engine:
    """An engine for `url`; SQLite files get their directory created."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"invalid database URL {url!r}: {exc}") from exc
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database, busy_timeout)
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True, future=True)
    raise StoreError(
        f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql"
    )


def _sqlite_engine(url: str, database: str | None, busy_timeout: timedelta) -> Engine:
    if database and database != ":memory:":
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    timeout = busy_timeout.total_seconds()
    engine = create_engine(url, connect_args={"timeout": timeout}, future=True)
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Take over transaction control from pysqlite so BEGIN IMMEDIATE can be emitted:
    # a deferred transaction that later writes fails at once with SQLITE_BUSY_SNAPSHOT
    # in WAL mode instead of waiting for the busy timeout.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_on_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")
