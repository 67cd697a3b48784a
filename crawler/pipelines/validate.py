"""Validate and clean items: required fields, whitespace, sizes, aware dates."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from scrapy.exceptions import DropItem

from crawler.items import ArticleItem
from crawler.store.urls import canonicalize_url

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
        if not _identity_url(item.url):
            self.stats.inc_value("presswatch/items_invalid")
            raise DropItem(f"invalid URL {item.url!r}")
        if item.canonical_url is not None and not _identity_url(item.canonical_url):
            # A page's rel=canonical is the publisher's markup: when it cannot be a URL
            # (a port out of range, a broken IPv6 host) the fetched URL decides identity.
            self.stats.inc_value("presswatch/canonical_ignored")
            item.canonical_url = None
        # NUL characters carry nothing, and PostgreSQL refuses the whole batch over one
        # (a JSON Feed can hold "\u0000"): every item of that batch would fail every run.
        item.title = " ".join(item.title.replace("\x00", "").split())[:MAX_TITLE]
        item.body = item.body.replace("\x00", "").strip()[:MAX_BODY]
        item.summary = " ".join(item.summary.replace("\x00", "").split())[:1000]
        if not item.title and not item.body:
            self.stats.inc_value("presswatch/items_invalid")
            raise DropItem(f"no title and no body: {item.url}")
        if not item.title:
            item.title = item.body.split("\n", 1)[0][:200]
        if item.published_at is not None and item.published_at.tzinfo is None:
            item.published_at = item.published_at.replace(tzinfo=UTC)
        _fill_published_day(item)
        self.stats.inc_value("presswatch/items_seen")
        return item


def _fill_published_day(item: ArticleItem) -> None:
    """The source's calendar day (in the offset published_at carries, the source's own) and
    a precision when the spider gave none: a bare midnight is taken as a date only."""
    published = item.published_at
    if published is None:
        item.published_date = None
        item.published_precision = None
        return
    if item.published_date is None:
        item.published_date = published.date()
    if item.published_precision is None:
        timed = published.hour or published.minute or published.second or published.microsecond
        item.published_precision = "second" if timed else "day"


def _identity_url(url: str) -> bool:
    """Whether `url` is http(s) and the store can canonicalize it (w3lib and urllib raise
    on a port out of range, a broken IPv6 host or a lone surrogate)."""
    if not url.startswith(("http://", "https://")) or "\x00" in url:
        return False
    try:
        canonicalize_url(url)
    except (ValueError, UnicodeError):
        return False
    return True
