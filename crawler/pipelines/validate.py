"""Validate and clean items: required fields, whitespace, sizes, aware dates."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from scrapy.exceptions import DropItem

from crawler.items import ArticleItem

MAX_TITLE = 1000
MAX_BODY = 500_000


class ValidatePipeline:
    """Drops items without a URL or without any text; normalises the rest in place."""

    def __init__(self, crawler: Any) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> ValidatePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> ArticleItem:
        if not isinstance(item, ArticleItem):
            raise DropItem(f"not an ArticleItem: {type(item).__name__}")
        if not item.url.startswith(("http://", "https://")):
            self.stats.inc_value("presswatch/items_invalid")
            raise DropItem(f"invalid URL {item.url!r}")
        item.title = " ".join(item.title.split())[:MAX_TITLE]
        item.body = item.body.strip()[:MAX_BODY]
        item.summary = " ".join(item.summary.split())[:1000]
        if not item.title and not item.body:
            self.stats.inc_value("presswatch/items_invalid")
            raise DropItem(f"no title and no body: {item.url}")
        if not item.title:
            item.title = item.body.split("\n", 1)[0][:200]
        if item.published_at is not None and item.published_at.tzinfo is None:
            item.published_at = item.published_at.replace(tzinfo=UTC)
        self.stats.inc_value("presswatch/items_seen")
        return item
