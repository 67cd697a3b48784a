"""BatchWriter: writes run in a background thread, in order, with a bounded backlog."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future

import pytest
from sqlalchemy import Connection, func, select

from crawler.store.items import InsertOutcome, prepare_records
from crawler.store.schema import items, rule_matches
from crawler.store.store import Store
from crawler.store.types import utcnow
from crawler.store.writer import BatchWriter, write_batch
from tests.store.helpers import record


def _count(store: Store) -> int:
    with store.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(items)).scalar_one())


def test_writes_run_in_order_in_one_other_thread() -> None:
    seen: list[tuple[int, str]] = []

    def write(n: int) -> int:
        time.sleep(0.01 * (3 - n))  # the first is the slowest: order is not by finishing
        seen.append((n, threading.current_thread().name))
        return n * 10

    with BatchWriter() as writer:
        futures = [writer.submit(write, n) for n in range(3)]
    assert [f.result() for f in futures] == [0, 10, 20]
    assert [n for n, _ in seen] == [0, 1, 2]
    threads = {name for _, name in seen}
    assert len(threads) == 1 and threading.current_thread().name not in threads


def test_backlog_names_the_oldest_write_once_depth_is_exceeded() -> None:
    go = threading.Event()
    with BatchWriter(depth=2) as writer:
        first = writer.submit(go.wait, 10)
        writer.submit(go.wait, 10)
        assert writer.backlog() is None
        writer.submit(go.wait, 10)
        assert writer.backlog() is first
        threading.Timer(0.2, go.set).start()
        started = time.monotonic()
        writer.wait_for_room()
        assert time.monotonic() - started >= 0.15
        assert writer.backlog() is None


def test_a_failed_write_keeps_its_error_and_later_writes_still_run() -> None:
    def fail() -> None:
        raise RuntimeError("disk full")

    with BatchWriter() as writer:
        failed: Future[None] = writer.submit(fail)
        later = writer.submit(lambda: "done")
        writer.wait_for_room()
    assert isinstance(failed.exception(), RuntimeError)
    assert later.result() == "done"


def test_close_finishes_the_queued_writes() -> None:
    finished: list[int] = []

    def write(n: int) -> None:
        time.sleep(0.01)
        finished.append(n)

    writer = BatchWriter(depth=5)
    for n in range(5):
        writer.submit(write, n)
    writer.close()
    assert finished == [0, 1, 2, 3, 4] and writer.unfinished() == []


def test_depth_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        BatchWriter(depth=0)


def test_batches_from_the_writer_thread_see_the_ones_before(store: Store) -> None:
    """A re-post in the second batch of an item in the first is stored as its duplicate."""
    first = prepare_records([record("https://a.example/1", body="The statement.")])
    again = prepare_records([record("https://a.example/1?utm_source=x", body="The statement.")])
    repost = prepare_records([record("https://a.example/copy", body="The statement.")])
    with BatchWriter() as writer:
        futures = [writer.submit(write_batch, store, batch) for batch in (first, again, repost)]
    outcomes = [future.result() for future in futures]
    assert len(outcomes[0].fresh) == 1 and outcomes[1].unchanged == 1
    assert [item.duplicate_of for item in outcomes[2].new] == [outcomes[0].new[0].id]
    assert _count(store) == 2


def test_after_store_hooks_commit_with_the_batch_or_not_at_all(store: Store) -> None:
    def match_then_fail(outcome: InsertOutcome, connection: Connection) -> None:
        connection.execute(
            rule_matches.insert(),
            [{"item_id": outcome.new[0].id, "rule_id": "r", "matched_at": utcnow()}],
        )
        raise RuntimeError("rule engine crashed")

    batch = prepare_records([record("https://a.example/1")])
    with pytest.raises(RuntimeError, match="crashed"):
        write_batch(store, batch, [match_then_fail])
    assert _count(store) == 0
    stored = write_batch(store, batch, [lambda outcome, connection: None])
    assert len(stored.new) == 1 and _count(store) == 1
