"""The `feed` kind: RSS/Atom/JSON Feed entries, optionally followed to the full article."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scrapy.http import Response

from crawler.config.models import FeedSource
from crawler.extract.feeds import FeedEntry, FeedParseError, parse_feed
from spiders.base import BaseSourceSpider, Entry


class FeedSpider(BaseSourceSpider):
    """Stores entries as given by the feed, or fetches each new entry when `follow: true`."""

    kind = "feed"
    name = "feed"

    def parse_index(self, response: Response, page: int) -> Iterable[Any]:
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        try:
            feed = parse_feed(response.body, response.url, content_type=content_type)
        except FeedParseError as exc:
            self.count("index/unparsable")
            self.empty_index(response)
            self.note(str(exc))
            return
        if feed.problems:  # mended or dropped without losing the feed: said, and counted
            for reason, n in sorted(feed.problems.items()):
                self.count(f"feed/{reason}", n)
            found = ", ".join(f"{reason} x{n}" for reason, n in sorted(feed.problems.items()))
            self.note(f"{response.url}: feed parsed despite {found}")
        entries = [_entry(e) for e in feed.entries if e.url]
        if not entries:
            self.empty_index(response)
            return
        follow = isinstance(self.source, FeedSource) and self.source.follow
        taken, rest = self.take(self.new_entries(entries))
        yield from self.remembered(rest)
        for entry in taken:
            if follow:
                yield self.article_request(entry)
            else:
                yield self.item(
                    entry.url,
                    title=entry.title or "",
                    body=entry.body,
                    summary=entry.summary,
                    published_at=entry.published_at,
                )


def _entry(entry: FeedEntry) -> Entry:
    assert entry.url is not None
    return Entry(
        entry.url,
        entry.title,
        entry.published_at,
        body=entry.content or entry.summary,
        summary=entry.summary,
    )
