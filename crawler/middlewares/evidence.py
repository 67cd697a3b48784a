"""Keep each item's raw HTTP exchange on the item's way to the store (evidence, issue 18).

A spider middleware: for every `ArticleItem` a response yields, the response (status,
headers, body), its request and the listing page that led to it are put in the item's
`extra` under EXCHANGE_KEY; the store pipeline takes them out before the item becomes a
record, and the batch's evidence hook writes WARC records for the items that matched a
rule (crawler.store.evidence). The bytes live as long as the item is on its way: an item
dropped by validation drops them, a stored batch releases them.

Requests yielded by a response carry that response (without its own listing) in
`meta[LISTING_KEY]`: the listing page of an article fetched from it. One object shared by
every request of a page, so a page's bytes are held once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

from scrapy import Request
from scrapy.http import Response

from crawler.crawl.runtime import runtime_of
from crawler.items import ArticleItem
from crawler.store.types import utcnow
from crawler.store.warc import Exchange, Headers

EXCHANGE_KEY = "_evidence_exchange"
LISTING_KEY = "pw_evidence_listing"


class EvidenceMiddleware:
    """Attaches raw exchanges to items (only when storing and evidence is enabled)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    @classmethod
    def from_crawler(cls, crawler: Any) -> EvidenceMiddleware:
        runtime = runtime_of(crawler)
        return cls(runtime.store is not None and runtime.config.settings.evidence.enabled)

    async def process_spider_output(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        if not self.enabled:
            async for entry in result:
                yield entry
            return
        exchange: Exchange | None = None
        async for entry in result:
            if isinstance(entry, ArticleItem | Request):
                exchange = exchange or exchange_of(response)
                attach(entry, exchange)
            yield entry


def attach(entry: ArticleItem | Request, exchange: Exchange) -> None:
    if isinstance(entry, ArticleItem):
        entry.extra[EXCHANGE_KEY] = exchange
    else:
        entry.meta.setdefault(LISTING_KEY, exchange.without_listing())


def exchange_of(response: Response) -> Exchange:
    """The response, its request and (from the request's meta) its listing page."""
    request = response.request
    listing = request.meta.get(LISTING_KEY) if request is not None else None
    return Exchange(
        url=response.url,
        fetched_at=utcnow(),
        status=response.status,
        response_headers=_headers(response.headers.items()),
        body=response.body,
        method=request.method if request is not None else "GET",
        request_headers=_headers(request.headers.items()) if request is not None else (),
        protocol=_protocol(response.protocol),
        listing=listing if isinstance(listing, Exchange) else None,
    )


def take_exchange(item: ArticleItem) -> Exchange | None:
    """Remove and return the item's exchange (the store pipeline, before the record)."""
    exchange = item.extra.pop(EXCHANGE_KEY, None)
    return exchange if isinstance(exchange, Exchange) else None


def _headers(pairs: Iterable[tuple[bytes, list[bytes]]]) -> Headers:
    return tuple(
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in pairs
        for value in values
    )


def _protocol(protocol: str | None) -> str:
    # Scrapy says "HTTP/1.1" or "h2"; WARC wants an HTTP version on the status line.
    if protocol and protocol.upper().startswith("HTTP/"):
        return protocol.upper()
    return "HTTP/2" if protocol == "h2" else "HTTP/1.1"
