"""Store items in batches (`insert_items`), flushing every N items and when the crawl closes."""

from __future__ import annotations

from typing import Any

from crawler.crawl.runtime import current_runtime
from crawler.items import ArticleItem
from crawler.pipelines import items_stored
from crawler.store.items import ItemRecord, insert_items, prepare_records
from crawler.store.store import Store


class StorePipeline:
    """Buffers records; each flush is one transaction, then `items_stored` is sent in it."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.flush_every = crawler.settings.getint("PRESSWATCH_FLUSH_EVERY", 25)
        self.buffer: list[ItemRecord] = []
        self.store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.store = current_runtime().store

    def process_item(self, item: ArticleItem) -> ArticleItem:
        self.buffer.append(item.to_record())
        if len(self.buffer) >= self.flush_every:
            self.flush()
        return item

    def close_spider(self) -> None:
        self.flush()

    def flush(self) -> None:
        if not self.buffer or self.store is None:
            return
        batch, self.buffer = prepare_records(self.buffer), []
        stats = self.crawler.stats
        try:
            with self.store.begin() as connection:
                outcome = insert_items(connection, batch)
                self.crawler.signals.send_catch_log(
                    items_stored, outcome=outcome, connection=connection
                )
        except Exception as exc:
            stats.inc_value("presswatch/store_errors")
            current_runtime().notes.setdefault("messages", []).append(f"store: {exc}"[:300])
            raise
        stats.inc_value("presswatch/items_new", len(outcome.fresh))
        stats.inc_value("presswatch/items_duplicate", len(outcome.duplicates))
        stats.inc_value("presswatch/items_updated", len(outcome.updated))
        stats.inc_value("presswatch/items_unchanged", outcome.unchanged)
