"""Conditional GET of listing/feed/sitemap URLs from the validators kept in the store.

Requests marked ``meta["pw_index"]`` get If-None-Match / If-Modified-Since from
`http_validators`; the ETag / Last-Modified of a 200 are kept and written when the crawl
closes - only when it finished cleanly and every batch was stored, so a run whose items
were not stored is not skipped by a 304 next time.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request, signals
from scrapy.http import Response

from crawler.crawl.runtime import Runtime, runtime_of
from crawler.store.types import utcnow
from crawler.store.urls import url_fingerprint
from crawler.store.validators import Validators, read_validators, save_validators


class ConditionalGetMiddleware:
    """Adds validators to index requests and remembers fresh ones."""

    def __init__(self, crawler: Any, runtime: Runtime) -> None:
        self.crawler = crawler
        self.runtime = runtime
        self.pending: dict[str, Validators] = {}
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> ConditionalGetMiddleware:
        return cls(crawler, runtime_of(crawler))

    def process_request(self, request: Request) -> None:
        store = self.runtime.store
        if store is None or not request.meta.get("pw_index") or request.meta.get("retry_times"):
            return
        with store.connect() as connection:
            row = read_validators(connection, request.url)
        if row is None:
            return
        if row.etag:
            request.headers.setdefault(b"If-None-Match", row.etag)
        if row.last_modified:
            request.headers.setdefault(b"If-Modified-Since", row.last_modified)

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get("pw_index") and response.status == 200:
            etag = _header(response, b"ETag")
            modified = _header(response, b"Last-Modified")
            if etag or modified:
                fresh = Validators(request.url, etag, modified, response.status)
                self.pending[url_fingerprint(request.url)] = fresh
        return response

    def spider_closed(self, spider: Any, reason: str) -> None:
        stats = self.crawler.stats
        store = self.runtime.store
        if store is None or not self.pending or reason != "finished":
            return
        # After a batch the store refused, a 304 next time would hide those items for
        # good: the listing must be read again. A failed article needs no such thing: its
        # item is stored from the listing and its page retried from `article_retries`.
        if stats.get_value("presswatch/store_errors", 0):
            return
        with store.begin() as connection:
            save_validators(connection, self.pending.values(), utcnow())


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
