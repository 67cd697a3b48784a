"""Create database engines: SQLite (WAL, busy timeout, immediate writes) or PostgreSQL."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from crawler.errors import StoreError
from crawler.store.fulltext import register_functions

# Per-connection settings. page_size only takes effect on a new, empty database (before
# WAL is switched on): 8 KiB pages hold three 1-3 KB items where 4 KiB pages waste a third.
# WAL with synchronous=NORMAL syncs at checkpoints only: a power cut may lose the last
# commits, never corrupt. A 64 MiB page cache keeps a 1,000-item batch (and the hot index
# pages) from spilling to the WAL mid-transaction; temporary b-trees stay in memory.
# Checkpointing every 4,096 pages (32 MiB) instead of SQLite's 1,000 writes each hot index
# page back once per several batches rather than after every batch (bench/store.py: the
# write path's wall time fell by about a fifth); journal_size_limit then truncates the WAL
# file to 64 MiB after a checkpoint so it does not keep its peak size on disk.
SQLITE_PRAGMAS: tuple[str, ...] = (
    "page_size=8192",
    "journal_mode=WAL",
    "synchronous=NORMAL",
    "wal_autocheckpoint=4096",
    "journal_size_limit=67108864",
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
    event.listen(engine, "begin", _immediate_begin(timeout))
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
    # The full-text index's triggers (migration 0009) normalize in Python.
    register_functions(dbapi_connection)


# How often a writer retries BEGIN IMMEDIATE while another one holds the write lock.
WRITE_LOCK_POLL = 0.001
# Execution option of a connection that only reads (Store.connect): its transactions begin
# DEFERRED, a snapshot that neither takes nor waits for the write lock (WAL readers never
# block on writers). Every other transaction takes the lock when it begins.
READS_ONLY = "presswatch_reads_only"


def _immediate_begin(busy_timeout: float) -> Callable[[Connection], None]:
    """A `begin` listener taking the write lock at once, waiting up to `busy_timeout` s.

    SQLite's own busy handler sleeps 25-100 ms between attempts once it has waited a few
    milliseconds, so two crawls writing at once each lost most of the other's transaction
    time again in sleep; retrying every millisecond takes the lock as soon as it is free.
    """
    restore = f"PRAGMA busy_timeout = {round(busy_timeout * 1000)}"

    def begin(connection: Connection) -> None:
        driver: Any = connection.connection.driver_connection
        if connection.get_execution_options().get(READS_ONLY):
            driver.execute("BEGIN")
            return
        deadline = time.monotonic() + busy_timeout
        driver.execute("PRAGMA busy_timeout = 0")
        try:
            while time.monotonic() < deadline:
                try:
                    driver.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as exc:
                    # Any SQLITE_BUSY (extended codes too: a WAL recovery in progress).
                    if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                        break
                time.sleep(WRITE_LOCK_POLL)
            # Out of patience, or another error: fail through SQLAlchemy, like any statement.
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        finally:
            driver.execute(restore)

    return begin
