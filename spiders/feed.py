"""The `feed` kind: RSS/Atom/JSON Feed entries, optionally followed to the full article.

Entry identity (like rss2email's trust-guid, on by default, `trust_guid: false` to turn it
off): an entry without a link is kept - its URL is its guid/id when that is an http(s) URL,
else the feed URL with a stable ``#entry-<hash of the guid>`` fragment (not fetched) - and
an entry whose link has a ``#fragment`` and that carries a guid keeps the fragment in its
identity, so entries that differ only by fragment stay distinct; entries of one feed that
share a link but carry distinct guids get ``#entry-<hash of the guid>`` on the link.  With
`trust_guid: false` the link alone decides (fragments dropped; link-less entries are dropped
and counted).

Feed entries may lead to any public host unless `allowed_domains` says otherwise.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from scrapy.http import Response

from crawler.config.models import FeedSource
from crawler.extract.feeds import FeedEntry, FeedParseError, parse_feed
from spiders.base import BaseSourceSpider, Entry


class FeedSpider(BaseSourceSpider):
    """Stores entries as given by the feed; with `follow: true` their pages enrich them."""

    kind = "feed"
    name = "feed"
    entries_anywhere = True

    @property
    def feed_source(self) -> FeedSource:
        assert isinstance(self.source, FeedSource)
        return self.source

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
        trust_guid = self.feed_source.trust_guid
        entries = []
        for parsed in feed.entries:
            entry = feed_entry(parsed, response.url, trust_guid=trust_guid)
            if entry is None:
                self.count("dropped/no_link")
            else:
                entries.append(entry)
        if trust_guid:
            entries = tell_apart(entries)
        if not entries:
            if not feed.entries:
                self.empty_index(response)
            return
        taken, rest = self.take(self.new_entries(entries))
        yield from self.remembered(rest)
        for entry in taken:
            if self.feed_source.follow and entry.fetch:
                yield self.article_request(entry)
            else:
                yield self.listing_item(entry)


def feed_entry(entry: FeedEntry, feed_url: str, *, trust_guid: bool = True) -> Entry | None:
    """The entry with its identity (see the module doc); None when it has none."""
    guid = (entry.guid or "").strip() or None
    link = (entry.url or "").strip() or None
    body = entry.content or entry.summary
    fields: dict[str, Any] = {"body": body, "summary": entry.summary, "guid": guid}
    if link is not None:
        keep = trust_guid and guid is not None and "#" in link and bool(link.partition("#")[2])
        return Entry(link, entry.title, entry.published_at, keep_fragment=keep, **fields)
    if not trust_guid:
        return None
    if guid is not None and guid.startswith(("http://", "https://")):
        return Entry(guid, entry.title, entry.published_at, **fields)
    seed = guid or "\n".join(
        (entry.title or "", entry.published_at.isoformat() if entry.published_at else "", body)
    )
    if not seed.strip():
        return None
    digest = hashlib.sha1(seed.encode("utf-8")).hexdigest()[:16]
    url = f"{feed_url.partition('#')[0]}#entry-{digest}"
    return Entry(url, entry.title, entry.published_at, keep_fragment=True, fetch=False, **fields)


def tell_apart(entries: list[Entry]) -> list[Entry]:
    """Entries of one feed that share a link but carry distinct guids (a sponsor post and a
    linked-list post of the same page): each gets ``#entry-<hash of its guid>`` on its link,
    so every one is stored."""
    guids: dict[str, set[str]] = {}
    for entry in entries:
        if entry.guid and not entry.keep_fragment:
            guids.setdefault(entry.fingerprint, set()).add(entry.guid)
    shared = {fp for fp, found in guids.items() if len(found) > 1}
    if not shared:
        return entries
    return [_by_guid(e) if e.guid and e.fingerprint in shared else e for e in entries]


def _by_guid(entry: Entry) -> Entry:
    assert entry.guid is not None
    digest = hashlib.sha1(entry.guid.encode("utf-8")).hexdigest()[:16]
    return Entry(
        f"{entry.url.partition('#')[0]}#entry-{digest}",
        entry.title,
        entry.published_at,
        entry.body,
        entry.summary,
        guid=entry.guid,
        keep_fragment=True,
    )
