"""A background thread that stores batches one at a time, in the order they were handed over."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy import Connection

from crawler.store.articles import record_article_states
from crawler.store.items import InsertOutcome, ItemRecord, insert_items
from crawler.store.store import Store

T = TypeVar("T")
# A step that writes what follows from a stored batch (clusters, rule matches), inside the
# batch's transaction; what it returns (a count) is the caller's business.
AfterStore = Callable[[InsertOutcome, Connection], object]


class BatchWriter:
    """Runs store writes in one background thread, in submission order.

    The caller's thread goes on while a batch is written: a crawl's reactor keeps fetching
    and parsing while its batch waits for SQLite's write lock (another crawl may hold it
    for seconds) or for PostgreSQL to take a COPY, and the next batch's fingerprints are
    computed meanwhile. One thread keeps the order, so a batch always sees the batches
    before it (a re-post in batch 2 of an item in batch 1 is found as a duplicate).

    At most `depth` writes may be unfinished before the caller should wait: `backlog()`
    names the write to wait for, `wait_for_room()` waits for it.
    """

    def __init__(self, depth: int = 2, *, name: str = "presswatch-store") -> None:
        if depth < 1:
            raise ValueError(f"depth must be at least 1, not {depth}")
        self.depth = depth
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._unfinished: deque[Future[Any]] = deque()

    def submit(self, write: Callable[..., T], *args: Any) -> Future[T]:
        """Queue `write(*args)` behind the writes already queued; never blocks."""
        future = self._executor.submit(write, *args)
        self._unfinished.append(future)
        return future

    def backlog(self) -> Future[Any] | None:
        """The oldest unfinished write while more than `depth` are unfinished, else None."""
        unfinished = self.unfinished()
        return unfinished[0] if len(unfinished) > self.depth else None

    def unfinished(self) -> list[Future[Any]]:
        """The writes queued or running, oldest first."""
        while self._unfinished and self._unfinished[0].done():
            self._unfinished.popleft()
        return list(self._unfinished)

    def wait_for_room(self) -> None:
        """Block until at most `depth` writes are unfinished (their errors stay in their
        futures)."""
        while (oldest := self.backlog()) is not None:
            wait([oldest])

    def close(self) -> None:
        """Finish every queued write, then stop the thread."""
        self._executor.shutdown(wait=True)
        self._unfinished.clear()

    def __enter__(self) -> BatchWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def write_batch(
    store: Store, records: Sequence[ItemRecord], after_store: Sequence[AfterStore] = ()
) -> InsertOutcome:
    """Store one batch in its own transaction; the `after_store` hooks run inside it, in
    order, after the insert: rule matches and clusters commit with the items or not at all
    (a hook's error rolls the batch back and propagates)."""
    with store.begin() as connection:
        outcome = insert_items(connection, records)
        record_article_states(connection, records)
        for hook in after_store:
            hook(outcome, connection)
    return outcome
