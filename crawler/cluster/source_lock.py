"""At most one crawl of a source at a time across workers: a PostgreSQL advisory lock.

The lock is held by a connection of its own for as long as the crawl runs; a worker killed
mid-crawl loses its connection and PostgreSQL releases the lock at once, so no lease row has
to expire.  No table: the key is a hash of the database URL (tests share one database with a
schema each) and the source id.  On SQLite (one machine) a lock in this process stands in.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text

from crawler.store.store import Store

_LOCAL: dict[str, threading.Lock] = {}
_LOCAL_GUARD = threading.Lock()


def lock_key(database_url: str, source_id: str) -> int:
    """A signed 64-bit advisory-lock key for this source in this database."""
    digest = hashlib.blake2b(f"presswatch:{database_url}:{source_id}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


@contextmanager
def source_lock(store: Store, database_url: str, source_id: str) -> Iterator[bool]:
    """Yield True while we hold the source's lock, False (at once) when another holds it."""
    if store.dialect != "postgresql":
        with _local_lock(source_id) as held:
            yield held
        return
    key = lock_key(database_url, source_id)
    with store.engine.connect() as connection:
        held = bool(
            connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
        )
        connection.commit()
        try:
            yield held
        finally:
            if held:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                connection.commit()


@contextmanager
def _local_lock(source_id: str) -> Iterator[bool]:
    with _LOCAL_GUARD:
        lock = _LOCAL.setdefault(source_id, threading.Lock())
    held = lock.acquire(blocking=False)
    try:
        yield held
    finally:
        if held:
            lock.release()
