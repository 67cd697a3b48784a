"""The `listing` kind: HTML listing pages whose new links are followed to their articles.

Pagination follows the `next` selector (or a rel=next / "next" pager link when only
`max_pages` is set), or fills `url_pattern`'s ``{page}`` with 2, 3, ... up to `max_pages`.
A page is only paginated past when every one of its links was new: once a page lists a
known article, older pages hold nothing new (and the steady state is one request).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scrapy.http import Response, TextResponse

from crawler.config.models import ListingSource
from crawler.extract.listing import extract_listing, find_next_page
from spiders.base import BaseSourceSpider, Entry


class ListingSpider(BaseSourceSpider):
    """Listing pages -> new links -> article pages."""

    kind = "listing"
    name = "listing"

    @property
    def listing(self) -> ListingSource:
        assert isinstance(self.source, ListingSource)
        return self.source

    def parse_index(self, response: Response, page: int) -> Iterable[Any]:
        if not isinstance(response, TextResponse):
            self.empty_index(response)
            return
        selectors = self.listing.selectors
        found = extract_listing(
            response.text,
            response.url,
            item=selectors.item,
            link=selectors.link,
            title=selectors.title,
            date=selectors.date,
            languages=self.source.languages,
        )
        entries = [Entry(e.url, e.title, e.published_at) for e in found]
        if not entries:
            if page == 1:
                self.empty_index(response)
            return
        fresh = self.new_entries(entries)
        yield from self.follow(fresh)
        all_new = len(fresh) == len({e.url for e in entries if self.allowed_url(e.url)})
        if all_new and (self.budget is None or self.budget > 0):
            yield from self.next_page(response, page)

    def next_page(self, response: Response, page: int) -> Iterable[Any]:
        pagination = self.listing.pagination
        if page >= pagination.max_pages:
            return
        if pagination.url_pattern:
            url = pagination.url_pattern.replace("{page}", str(page + 1))
        else:
            assert isinstance(response, TextResponse)
            url = find_next_page(response.text, response.url, pagination.next) or ""
        if url and self.allowed_url(url):
            yield self.index_request(response.urljoin(url), page=page + 1)
