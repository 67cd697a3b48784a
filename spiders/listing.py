"""The `listing` kind: HTML listing pages; each listed entry is stored, its article fetched.

Pagination follows the `next` selector (or a rel=next / "next" pager link when only
`max_pages` is set), or fills `url_pattern`'s ``{page}`` with `first_page` (2 by default),
then one more for each page, up to `max_pages` pages in all.  A page is only paginated
past when every one of its links was new: once a page lists a known article, older pages
hold nothing new (and the steady state is one request).  Listed links stay on the site
(the hosts of `urls`) unless `allowed_domains` says otherwise.

A pager page that fails (5xx, timeout, a challenge, or a linked page where nothing matched)
makes the run `degraded`, its URL and error in the detail (`crawler.crawl.health`); a
`url_pattern` page answering 404/410 or listing nothing is the end of the listing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.config.models import ListingSource
from crawler.extract.listing import extract_listing, find_next_page
from spiders.base import BaseSourceSpider, Entry

PAST_THE_END = frozenset({404, 410})


class ListingSpider(BaseSourceSpider):
    """Listing pages -> entries stored from the listing -> article pages enrich them."""

    kind = "listing"
    name = "listing"

    @property
    def listing(self) -> ListingSource:
        assert isinstance(self.source, ListingSource)
        return self.source

    def parse_index(self, response: Response, page: int) -> Iterable[Any]:
        if not isinstance(response, TextResponse):
            self.empty_index(response)
            if page > 1:
                self.index_trouble(response.url, f"listing page {page}: not HTML")
            return
        selectors = self.listing.selectors
        skipped: Counter[str] = Counter()
        try:
            found = extract_listing(
                response.text,
                response.url,
                item=selectors.item,
                link=selectors.link,
                title=selectors.title,
                date=selectors.date,
                languages=self.source.languages,
                skipped=skipped,
            )
        except Exception as exc:  # a bug, not a redesign: counted by its type, never "empty"
            self.extraction_failed(exc, response.url)
            return
        for reason, n in skipped.items():
            self.count(f"dropped/{reason}", n)
        entries = [Entry(e.url, e.title, e.published_at, summary=e.summary) for e in found]
        if not entries:
            if page == 1:
                self.empty_index(response)
            elif not self.listing.pagination.url_pattern:  # linked, so it should list some
                self.index_trouble(response.url, f"listing page {page}: no entries found")
            return
        fresh = self.new_entries(entries, rules=self.site_rules)
        yield from self.follow(fresh)
        allowed = {e.fingerprint for e in entries if self.allowed_url(e.url)}
        if len(fresh) == len(allowed) and (self.budget is None or self.budget > 0):
            yield from self.next_page(response, page)

    def index_failed(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        page = request.cb_kwargs.get("page", 1) if request is not None else 1
        exc = failure.value
        status = exc.response.status if isinstance(exc, HttpError) else None
        if page > 1 and status in PAST_THE_END and self.listing.pagination.url_pattern:
            self.count("index/pager_end")  # a guessed page past the last one: not a failure
            return
        super().index_failed(failure)

    def next_page(self, response: Response, page: int) -> Iterable[Any]:
        pagination = self.listing.pagination
        if page >= pagination.max_pages:
            return
        if pagination.url_pattern:
            number = pagination.first_page + page - 1
            url = pagination.url_pattern.replace("{page}", str(number))
        else:
            assert isinstance(response, TextResponse)
            try:
                url = find_next_page(response.text, response.url, pagination.next) or ""
            except Exception as exc:  # a bug: counted by its type
                self.extraction_failed(exc, response.url)
                return
        if url and self.allowed_url(response.urljoin(url)):
            yield self.index_request(response.urljoin(url), page=page + 1)
