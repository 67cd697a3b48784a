"""Store items in batches (`write_batch`) from a writer thread, every N items and at close.

Each batch's transaction also runs the after-store hooks, in this order: near-duplicate
clustering (crawler.store.clusters) and rule matching (crawler.store.matches), then (per
batch, with its raw exchanges) WARC evidence of the matched items (crawler.store.evidence).
They see
the batch's `InsertOutcome` (only `outcome.fresh` items are clustered or matched,
duplicates never); a hook's error rolls the whole batch back: items are never kept
without their matches. Committed without them, the items would be known and never
fetched or matched again: a statement missed in silence. Rolled back, they are fetched
again next run, and the run counts a store error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import asdict
from typing import Any

from scrapy.utils.defer import maybe_deferred_to_future
from sqlalchemy import Connection
from twisted.internet.defer import Deferred

from alerts.rules import ItemMatcher
from crawler.crawl.runtime import Runtime, runtime_of
from crawler.items import ArticleItem
from crawler.middlewares.evidence import take_exchange
from crawler.store.clusters import NearDuplicates
from crawler.store.edits import EditWatch
from crawler.store.evidence import CaptureEvidence, EvidenceSettings
from crawler.store.items import InsertOutcome, ItemRecord, prepare_records
from crawler.store.matches import RuleMatches
from crawler.store.store import Store
from crawler.store.warc import Exchange, WarcArchive
from crawler.store.writer import AfterStore, BatchWriter, write_batch

logger = logging.getLogger(__name__)


class StorePipeline:
    """Buffers records; each batch is one transaction, written by a BatchWriter thread, with
    the after-store hooks inside it (so rule matches run in that thread too).

    The reactor only fingerprints a batch and hands it over: it keeps crawling while the
    batch waits for the database. It waits itself only when PRESSWATCH_STORE_BACKLOG
    batches are still unwritten, and at close until every batch is written.
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.runtime = runtime_of(crawler)
        self.flush_every = crawler.settings.getint("PRESSWATCH_FLUSH_EVERY", 25)
        self.backlog = crawler.settings.getint("PRESSWATCH_STORE_BACKLOG", 2)
        self.buffer: list[ItemRecord] = []
        self.store: Store | None = None
        self.writer: BatchWriter | None = None
        self.after_store: list[AfterStore] = []
        # Evidence: the raw exchanges of the buffered items, by URL (handed over with them).
        self.archive: WarcArchive | None = None
        self.exchanges: dict[str, Exchange] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.store = self.runtime.store
        if self.store is not None:
            self.writer = BatchWriter(self.backlog)
            self.after_store = self._hooks(self.runtime)
            evidence = EvidenceSettings.from_config(self.runtime.config)
            if evidence.enabled:
                self.archive = evidence.archive(self.runtime.source.id)

    def _hooks(self, runtime: Runtime) -> list[AfterStore]:
        """Clustering, then rule matching and edits (when rules are enabled), each counted."""
        hooks = [self._counted("presswatch/items_clustered", NearDuplicates())]
        config = runtime.config
        tags = {source.id: source.tags for source in config.sources}
        tags[runtime.source.id] = runtime.source.tags
        matcher = ItemMatcher.from_config(config.enabled_rules, tags)
        if matcher is not None:
            hooks.append(self._counted("presswatch/rule_matches", RuleMatches(matcher)))
            edits = EditWatch.from_rules(matcher, config.enabled_rules)
            hooks.append(self._counted("presswatch/item_edits", edits))
        return hooks

    def _counted(self, stat: str, hook: Callable[[InsertOutcome, Connection], int]) -> AfterStore:
        def counted(outcome: InsertOutcome, connection: Connection) -> None:
            if done := hook(outcome, connection):
                self.crawler.stats.inc_value(stat, done)

        return counted

    async def process_item(self, item: ArticleItem) -> ArticleItem:
        exchange = take_exchange(item)
        record = record_of(item)
        self.buffer.append(record)
        if exchange is not None and self.archive is not None:
            self.exchanges[record.url] = exchange
        if len(self.buffer) >= self.flush_every:
            await self.hand_over()
        return item

    async def close_spider(self) -> None:
        await self.hand_over()
        if self.writer is None:
            return
        for future in self.writer.unfinished():
            await _settled(future)
        self.writer.close()

    async def hand_over(self) -> None:
        """Fingerprint the buffer and queue it, first waiting while the backlog is full."""
        if not self.buffer or self.writer is None:
            return
        # Emptied first: a record that cannot be fingerprinted loses its own batch (counted,
        # fetched again next run), never every batch after it.
        records, self.buffer = self.buffer, []
        exchanges, self.exchanges = self.exchanges, {}
        try:
            batch = prepare_records(records)
        except Exception as exc:
            self._count_failure(exc)
            raise
        while (oldest := self.writer.backlog()) is not None:
            await _settled(oldest)
        future = self.writer.submit(self.flush, batch, exchanges)
        future.add_done_callback(self._report_failure)

    def flush(
        self, batch: list[ItemRecord], exchanges: dict[str, Exchange] | None = None
    ) -> InsertOutcome:
        """Write one batch (in the writer thread) and count what it did."""
        assert self.store is not None
        stats = self.crawler.stats
        hooks = list(self.after_store)
        if exchanges and self.archive is not None:
            capture = CaptureEvidence(self.archive, exchanges)
            hooks.append(self._counted("presswatch/evidence_items", capture))
        try:
            outcome = write_batch(self.store, batch, hooks)
        except Exception as exc:
            self._count_failure(exc)
            raise
        stats.inc_value("presswatch/items_new", len(outcome.fresh))
        stats.inc_value("presswatch/items_duplicate", len(outcome.duplicates))
        stats.inc_value("presswatch/items_updated", len(outcome.updated))
        stats.inc_value("presswatch/items_unchanged", outcome.unchanged)
        return outcome

    def _count_failure(self, error: Exception) -> None:
        self.crawler.stats.inc_value("presswatch/store_errors")
        self.runtime.notes.setdefault("messages", []).append(f"store: {error}"[:300])

    @staticmethod
    def _report_failure(future: Future[InsertOutcome]) -> None:
        error = future.exception()
        if error is not None:
            logger.error("could not store a batch: %s", error, exc_info=error)


def record_of(item: ArticleItem) -> ItemRecord:
    """The store's view of a crawled item (the same fields)."""
    return ItemRecord(**asdict(item))


async def _settled(future: Future[Any] | None) -> None:
    """Wait, without blocking the reactor, until a writer thread's future is done (its
    error, if any, stays in it: the pipeline has already counted and logged it)."""
    if future is None or future.done():
        return
    from twisted.internet import reactor

    settled: Deferred[None] = Deferred()
    future.add_done_callback(lambda _: reactor.callFromThread(settled.callback, None))
    await maybe_deferred_to_future(settled)
