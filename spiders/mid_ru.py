"""mid.ru (Russian MFA): the news listing is rendered client-side from a JSON API.

A generic `listing` sees an empty page there, so this spider reads the API directly.
Parameters (`params:` in the source config; defaults follow the site as of 2024 and are
an assumption to re-check with `presswatch sources test`):

* ``api_url``: the listing endpoint, ``{page}`` and ``{page_size}`` filled in
* ``items``: dotted path to the list of items in the JSON answer (default ``data``)
* ``url`` / ``title`` / ``date``: keys of an item (``url`` may be relative to ``base_url``)
* ``base_url``: where relative article paths are resolved (default https://mid.ru/)
* ``page_size`` (default 20) and ``max_pages`` (default 1)

Article pages themselves are server-rendered HTML and go through general extraction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import urljoin

from scrapy.http import Response

from crawler.extract.dates import parse_date
from spiders.base import BaseSourceSpider, Entry

DEFAULTS: dict[str, Any] = {
    "api_url": "https://mid.ru/api/v1/press_service/news?page={page}&size={page_size}",
    "items": "data",
    "url": "url",
    "title": "title",
    "date": "date",
    "base_url": "https://mid.ru/",
    "page_size": 20,
    "max_pages": 1,
}


class MidRuSpider(BaseSourceSpider):
    """Press releases of the Russian MFA from its JSON listing API."""

    kind = "spider"
    name = "mid-ru"

    @property
    def params(self) -> dict[str, Any]:
        return {**DEFAULTS, **getattr(self.source, "params", {})}

    def start_urls_for(self) -> list[str]:
        return [self.page_url(1)]

    def page_url(self, page: int) -> str:
        params = self.params
        return str(params["api_url"]).format(page=page, page_size=params["page_size"])

    def parse_index(self, response: Response, page: int) -> Iterable[Any]:
        try:
            data = json.loads(response.body)
        except ValueError:
            self.empty_index(response)
            self.note(f"{response.url}: not JSON")
            return
        entries = list(self.entries(data))
        if not entries:
            self.empty_index(response)
            return
        fresh = self.new_entries(entries)
        yield from self.follow(fresh)
        if len(fresh) == len(entries) and page < int(self.params["max_pages"]):
            yield self.index_request(self.page_url(page + 1), page=page + 1)

    def entries(self, data: Any) -> Iterable[Entry]:
        params = self.params
        for key in str(params["items"]).split("."):
            data = data.get(key) if isinstance(data, dict) else None
        for raw in data if isinstance(data, list) else []:
            if not isinstance(raw, dict) or not isinstance(raw.get(params["url"]), str):
                continue
            url = urljoin(str(params["base_url"]), raw[params["url"]])
            title = raw.get(params["title"])
            stamp = raw.get(params["date"])
            published = parse_date(stamp) if isinstance(stamp, str) else None
            yield Entry(url, title if isinstance(title, str) else None, published)
