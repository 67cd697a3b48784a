"""An example custom spider: a site whose news list comes from a JSON API.

Files in spiders/ are Python that presswatch runs: keep them writable by you only.
A source uses this spider with `kind: spider` and `spider: example-json-api`:

    - id: example-ministry
      name: Example Ministry - news
      kind: spider
      spider: example-json-api
      allowed_domains: [example.org]
      params:
        api_url: "https://example.org/api/news?page={page}"
        items: data.news       # where the list is in the JSON answer
        max_pages: 2

The API gives each item's URL, title and date; the article pages are HTML and go through
presswatch's article extraction (with the source's `article:` selectors, if any).
`presswatch sources kinds` lists this spider and its params; `presswatch check-config`
checks every source's params against the `Params` model below.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urljoin

from pydantic import Field
from scrapy.http import Response

from crawler.extract.dates import parse_date
from spiders.base import BaseSourceSpider, Entry, SpiderParams


class JsonApiParams(SpiderParams):
    """The `params:` of a source using this spider (unknown keys are config errors)."""

    api_url: str = Field(pattern=r"^https?://", description="listing endpoint; {page} is 1, 2, ...")
    items: str = Field(default="data", description="dotted path to the list of items")
    url: str = Field(default="url", description="key of an item's URL (may be relative)")
    title: str = Field(default="title", description="key of an item's title")
    date: str = Field(default="date", description="key of an item's publication date")
    max_pages: int = Field(default=1, ge=1, le=50, description="API pages read per crawl")


class JsonApiSpider(BaseSourceSpider):
    """News items from a JSON API listing; article pages from their HTML."""

    kind = "spider"  # a custom spider, chosen by `spider: <name>` in a source
    name = "example-json-api"  # unique among shipped, plugin and config-directory spiders
    Params = JsonApiParams
    params: JsonApiParams  # validated `params:` of the source being crawled

    def start_urls_for(self) -> list[str]:
        # The index URLs; their hosts are the allowed domains unless the source lists some.
        return [self.page_url(1)]

    def page_url(self, page: int) -> str:
        return self.params.api_url.replace("{page}", str(page))

    def parse_index(self, response: Response, page: int) -> Iterable[Any]:
        # Called for every index page that answered 200 (a 304 or a challenge page never
        # gets here). Yield requests and items; `follow` does both for new entries.
        try:
            data = json.loads(response.body)
        except ValueError:
            self.empty_index(response)  # counted: health "empty" if no index page had entries
            self.note(f"{response.url}: not JSON")
            return
        entries = list(self.entries(data, response.url))
        if not entries:
            self.empty_index(response)
            return
        fresh = self.new_entries(entries)  # drops URLs the store already has
        yield from self.follow(fresh)  # article requests; the first run's backfill budget
        if len(fresh) == len(entries) and page < self.params.max_pages:
            yield self.index_request(self.page_url(page + 1), page=page + 1)

    def entries(self, data: Any, base_url: str) -> Iterator[Entry]:
        for key in self.params.items.split("."):
            data = data.get(key) if isinstance(data, dict) else None
        for raw in data if isinstance(data, list) else []:
            link = raw.get(self.params.url) if isinstance(raw, dict) else None
            if not isinstance(link, str):
                continue
            title, stamp = raw.get(self.params.title), raw.get(self.params.date)
            published = (
                parse_date(stamp, languages=self.source.languages)
                if isinstance(stamp, str)
                else None
            )
            yield Entry(
                urljoin(base_url, link),
                title if isinstance(title, str) else None,
                published,
            )
