"""SQLite writers take the write lock as soon as another writer releases it, and give up
with "database is locked" once the busy timeout has passed."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crawler.errors import StoreError
from crawler.store.items import insert_items, prepare_records
from crawler.store.schema import items
from crawler.store.store import Store
from tests.store.helpers import record


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "presswatch.db"
    Store.from_url(f"sqlite:///{path}").close()
    return path


def _hold_lock(path: Path, held: threading.Event, release: threading.Event) -> None:
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        holder.execute(
            "INSERT INTO sources (id, kind, name, health, consecutive_failures,"
            " backfilled, created_at) VALUES ('held', 'feed', '', 'new', 0, 0,"
            " '2025-01-01 00:00:00.000000')"
        )
        held.set()
        release.wait(10)
        holder.execute("COMMIT")
    finally:
        holder.close()


@contextmanager
def lock_held_by_another(db_path: Path, busy_timeout: float) -> Iterator[LockedStore]:
    """A store on `db_path` while another connection holds the write lock."""
    held, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_lock, args=(db_path, held, release))
    holder.start()
    store = Store.from_url(
        f"sqlite:///{db_path}", migrate_schema=False, busy_timeout=timedelta(seconds=busy_timeout)
    )
    try:
        assert held.wait(10)
        yield LockedStore(store, release, holder)
    finally:
        release.set()
        holder.join(10)
        store.close()


@dataclass
class LockedStore:
    store: Store
    release: threading.Event
    holder: threading.Thread

    def release_now(self) -> None:
        self.release.set()
        self.holder.join(10)


def test_a_writer_waits_for_the_lock_then_writes(db_path: Path) -> None:
    with lock_held_by_another(db_path, busy_timeout=10) as locked:
        threading.Timer(0.2, locked.release.set).start()
        batch = prepare_records(
            [record(f"https://example.org/{n}", body=f"Statement {n}.") for n in range(3)]
        )
        with locked.store.begin() as connection:
            outcome = insert_items(connection, batch)
        assert len(outcome.new) == 3
        with locked.store.connect() as connection:
            assert connection.execute(select(func.count()).select_from(items)).scalar() == 3
            # The holder's transaction committed first, so nothing was lost on either side.
            held_rows = connection.exec_driver_sql("SELECT id FROM sources").scalars().all()
            assert held_rows == ["held"]


def test_a_writer_gives_up_after_the_busy_timeout(db_path: Path) -> None:
    with lock_held_by_another(db_path, busy_timeout=0.3) as locked:
        with (
            pytest.raises(StoreError, match="database is locked"),
            locked.store.begin() as connection,
        ):
            insert_items(connection, [record("https://example.org/late")])
        locked.release_now()
        # The busy timeout is restored for the connection's other statements, and the
        # connection is usable again once the lock is free.
        with locked.store.begin() as connection:
            timeout = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
            assert timeout == 300
            assert len(insert_items(connection, [record("https://example.org/late")]).new) == 1


def test_fingerprints_are_computed_before_the_transaction() -> None:
    batch = prepare_records(iter([record("https://example.org/a?utm_source=x")]))
    assert batch[0].__dict__["url_fp"] == batch[0].url_fp
    assert batch[0].__dict__["content_fp"] == batch[0].content_fp
    assert batch[0].identity_url == "https://example.org/a"


def test_a_reader_does_not_wait_for_the_write_lock(db_path: Path) -> None:
    with store_holding_items(db_path) as store, lock_held_by_another(db_path, 10) as locked:
        started = time.monotonic()
        with locked.store.connect() as connection:
            count = connection.execute(select(func.count()).select_from(items)).scalar()
        assert count == 1 and time.monotonic() - started < 2  # not the 10 s busy timeout
        assert locked.holder.is_alive()  # the other writer still holds the lock
    assert store.dialect == "sqlite"


def test_a_connection_that_writes_waits_for_the_lock(db_path: Path) -> None:
    with lock_held_by_another(db_path, busy_timeout=10) as locked:
        threading.Timer(0.3, locked.release.set).start()
        started = time.monotonic()
        with locked.store.connect(writes=True) as connection, connection.begin():
            waited = time.monotonic() - started
            insert_items(connection, [record("https://example.org/explicit")])
    assert waited >= 0.25  # it began only once the lock was free


@contextmanager
def store_holding_items(db_path: Path) -> Iterator[Store]:
    store = Store.from_url(f"sqlite:///{db_path}", migrate_schema=False)
    try:
        with store.begin() as connection:
            insert_items(connection, [record("https://example.org/stored")])
        yield store
    finally:
        store.close()
