"""The `sitemap` kind: sitemaps, sitemap indexes and Google News sitemaps.

Entries are filtered by `url_pattern` (a regex searched in the URL) and `lastmod_within`
(entries with a lastmod or news date older than that are dropped; undated ones are kept).
Child sitemaps of an index are fetched (conditionally) when their lastmod is recent enough.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from scrapy.http import Response

from crawler.config.models import SitemapSource
from crawler.extract.sitemaps import SitemapEntry, SitemapParseError, parse_sitemap
from spiders.base import BaseSourceSpider, Entry

MAX_CHILD_SITEMAPS = 50


class SitemapSpider(BaseSourceSpider):
    """Sitemap entries -> new article pages."""

    kind = "sitemap"
    name = "sitemap"

    @property
    def sitemap(self) -> SitemapSource:
        assert isinstance(self.source, SitemapSource)
        return self.source

    def parse_index(self, response: Response, page: int) -> Iterable[Any]:
        try:
            parsed = parse_sitemap(response.body, response.url)
        except SitemapParseError as exc:
            self.empty_index(response)
            self.note(str(exc))
            return
        if parsed.kind == "index":
            children = [s for s in parsed.sitemaps if self.recent(s)][:MAX_CHILD_SITEMAPS]
            for child in children:
                if self.allowed_url(child.url):
                    yield self.index_request(child.url, page=page + 1)
            if not children:
                self.empty_index(response)
            return
        entries = [_entry(e) for e in parsed.entries if self.wanted(e)]
        if not entries:
            self.empty_index(response)
            return
        yield from self.follow(self.new_entries(entries))

    def wanted(self, entry: SitemapEntry) -> bool:
        pattern = self.sitemap.url_pattern
        if pattern and not re.search(pattern, entry.url):
            return False
        return self.recent(entry)

    def recent(self, entry: SitemapEntry) -> bool:
        window = self.sitemap.lastmod_within
        stamp = entry.news_published or entry.lastmod
        if window is None or stamp is None:
            return True
        aware = stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
        return datetime.now(UTC) - aware <= window


def _entry(entry: SitemapEntry) -> Entry:
    return Entry(entry.url, entry.news_title, entry.news_published or entry.lastmod)
