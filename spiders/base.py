"""BaseSourceSpider: what every source spider shares - index pages, new links, articles.

Index requests (listing/feed/sitemap URLs) are conditional GETs (see
`crawler.middlewares.conditional`); a 304 means nothing to do.  Before any article is
requested the spider asks the store in bulk which links are known and skips them.  On a
source's first run only the newest ``backfill`` entries are followed; older ones are
remembered as items flagged ``extra.backfill_skipped`` (title from the listing, no body,
never matched by rules) so later runs do not fetch them either.

Outcomes land in the crawl stats under ``presswatch/...`` and decide the source's health
(see `crawler.crawl.health`).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.config.models import SourceConfig
from crawler.crawl.runtime import Runtime, current_runtime
from crawler.extract.article import ArticleSelectors, ListingHints, extract_article
from crawler.items import ArticleItem
from crawler.store.items import known_url_fingerprints
from crawler.store.urls import url_fingerprint
from spiders.params import SpiderParams as SpiderParams  # noqa: PLC0414 - for spider files
from spiders.params import read_params

BLOCKED_STATUSES = frozenset({401, 403, 429})
_CHALLENGE = re.compile(
    rb"<title>\s*(just a moment\.\.\.|attention required! \| cloudflare|access denied)\s*</title>"
    rb"|cf-browser-verification|challenge-platform|_incapsula_resource|ddos-guard",
    re.I,
)


class Entry:
    """A link found on an index page, with whatever the index said about it."""

    __slots__ = ("body", "published_at", "summary", "title", "url")

    def __init__(
        self,
        url: str,
        title: str | None = None,
        published_at: datetime | None = None,
        body: str = "",
        summary: str = "",
    ) -> None:
        self.url = url
        self.title = title
        self.published_at = published_at
        self.body = body
        self.summary = summary

    @property
    def hints(self) -> ListingHints:
        return ListingHints(title=self.title, published_at=self.published_at)


class BaseSourceSpider(scrapy.Spider):
    """A spider driven by one source config; subclasses register by kind or name."""

    kind: ClassVar[str] = ""
    generic: ClassVar[dict[str, type[BaseSourceSpider]]] = {}
    custom: ClassVar[dict[str, type[BaseSourceSpider]]] = {}
    # A custom spider's model of its source's `params:` (required; see spiders.registry).
    Params: ClassVar[type[SpiderParams] | None] = None
    params: SpiderParams | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.kind == "spider":
            # Only a class naming itself registers: a shared base of several spiders may not.
            if name := cls.__dict__.get("name"):
                BaseSourceSpider.custom[name] = cls
        elif cls.kind:
            BaseSourceSpider.generic[cls.kind] = cls

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.runtime: Runtime = current_runtime()
        self.source: SourceConfig = self.runtime.source
        self.params = read_params(self.Params, self.source)
        kwargs["name"] = self.source.id
        super().__init__(*args, **kwargs)
        self.allowed_domains = self.source.allowed_domains or _hosts(self.start_urls_for())
        self.budget = self.runtime.source.backfill if self.runtime.first_run else None
        if self.runtime.limit is not None:
            self.budget = min(self.budget or self.runtime.limit, self.runtime.limit)
        self.scheduled: set[str] = set()

    # --- what subclasses provide ----------------------------------------------------------

    def start_urls_for(self) -> list[str]:
        """The index URLs of this source."""
        return list(getattr(self.source, "urls", []))

    def parse_index(self, response: Response, page: int) -> Iterable[Any]:
        """Parse one index page: yield items and requests."""
        raise NotImplementedError

    # --- index pages --------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        for url in self.start_urls_for():
            yield self.index_request(url)

    def index_request(self, url: str, page: int = 1, **kwargs: Any) -> scrapy.Request:
        """A conditional GET of an index URL (304 handled by `index_ok`)."""
        meta = {"pw_index": True, "handle_httpstatus_list": [304], **kwargs.pop("meta", {})}
        return scrapy.Request(
            url,
            callback=self._index,
            errback=self.index_failed,
            meta=meta,
            cb_kwargs={"page": page},
            dont_filter=page == 1,
            **kwargs,
        )

    def _index(self, response: Response, page: int) -> Iterable[Any]:
        if self.index_ok(response):
            yield from self.parse_index(response, page)

    def index_ok(self, response: Response) -> bool:
        """Record the index outcome; False when there is nothing to parse."""
        if response.status == 304:
            self.count("index/not_modified")
            return False
        if _CHALLENGE.search(response.body[:20000]):
            self.count("index/blocked")
            self.note(f"challenge page at {response.url}")
            return False
        self.count("index/ok")
        return True

    def index_failed(self, failure: Failure) -> None:
        self.count("index/error")
        self.record_failure(failure, index=True)

    def record_failure(self, failure: Failure, *, index: bool) -> None:
        """Count an error (blocked on 401/403/429) and keep a short description."""
        exc = failure.value
        status = exc.response.status if isinstance(exc, HttpError) else None
        body = exc.response.body[:20000] if isinstance(exc, HttpError) else b""
        if index and (status in BLOCKED_STATUSES or _CHALLENGE.search(body)):
            self.count("index/blocked")
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        self.note(f"{url}: HTTP {status}" if status else f"{url}: {type(exc).__name__}: {exc}")

    def empty_index(self, response: Response) -> None:
        """A 200 index where nothing matched: the site may have been redesigned."""
        self.count("index/empty")
        self.note(f"nothing found on {response.url}")

    # --- entries and articles -----------------------------------------------------------

    def new_entries(self, entries: Iterable[Entry]) -> list[Entry]:
        """Entries on allowed http(s) URLs, not stored yet and not scheduled in this run."""
        candidates: dict[str, Entry] = {}
        for entry in entries:
            if self.allowed_url(entry.url) and entry.url not in self.scheduled:
                candidates.setdefault(entry.url, entry)
        self.count("entries", len(candidates))
        store = self.runtime.store
        if store is None or not candidates:
            return list(candidates.values())
        with store.connect() as connection:
            known = known_url_fingerprints(connection, list(candidates))
        self.count("entries_known", len(known))
        return [e for u, e in candidates.items() if url_fingerprint(u) not in known]

    def allowed_url(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return False
        host = parts.hostname.lower()
        return any(host == d or host.endswith("." + d) for d in self.allowed_domains)

    def take(self, entries: list[Entry]) -> tuple[list[Entry], list[Entry]]:
        """Split new entries into (to follow, to remember unfetched) by the backfill budget."""
        for entry in entries:
            self.scheduled.add(entry.url)
        if self.budget is None:
            return entries, []
        ordered = sorted(entries, key=_newest_first)
        taken, rest = ordered[: self.budget], ordered[self.budget :]
        self.budget -= len(taken)
        return taken, rest if self.runtime.limit is None else []

    def remembered(self, entries: Iterable[Entry]) -> Iterator[ArticleItem]:
        """Backfill-skipped entries as items without a body."""
        for entry in entries:
            self.count("backfill_skipped")
            yield self.item(
                entry.url,
                title=entry.title or entry.url,
                published_at=entry.published_at,
                extra={"backfill_skipped": True},
            )

    def follow(self, fresh: list[Entry]) -> Iterator[Any]:
        """Remember what backfill leaves out; request the article page of every other entry."""
        taken, rest = self.take(fresh)
        yield from self.remembered(rest)
        for entry in taken:
            yield self.article_request(entry)

    def article_request(self, entry: Entry) -> scrapy.Request:
        return scrapy.Request(
            entry.url,
            callback=self.parse_article,
            errback=self.article_failed,
            cb_kwargs={"entry": entry},
        )

    def parse_article(self, response: Response, entry: Entry) -> Iterator[ArticleItem]:
        if not isinstance(response, TextResponse):
            self.count("article_errors")
            self.note(f"{response.url}: not a text response")
            return
        article = extract_article(
            response.body,
            response.url,
            selectors=self.article_selectors(),
            hints=entry.hints,
            encoding=response.encoding,
            languages=self.source.languages,
        )
        if article.is_empty:
            self.count("article_empty")
            return
        yield self.item(
            response.url,
            title=article.title or "",
            body=article.body,
            summary=article.summary,
            language=article.language,
            published_at=article.published_at,
            canonical_url=article.canonical_url,
            extra={"date_source": article.date_source},
        )

    def article_failed(self, failure: Failure) -> None:
        self.count("article_errors")
        self.record_failure(failure, index=False)

    def article_selectors(self) -> ArticleSelectors:
        selectors = getattr(self.source, "article", None)
        if selectors is None:
            return ArticleSelectors()
        return ArticleSelectors(title=selectors.title, date=selectors.date, body=selectors.body)

    def item(self, url: str, **fields: Any) -> ArticleItem:
        language = fields.pop("language", None) or next(iter(self.source.languages), None)
        return ArticleItem(source_id=self.source.id, url=url, language=language, **fields)

    # --- bookkeeping --------------------------------------------------------------------

    def count(self, key: str, n: int = 1) -> None:
        self.crawler.stats.inc_value(f"presswatch/{key}", n)

    def note(self, message: str) -> None:
        notes: list[str] = self.runtime.notes.setdefault("messages", [])
        if len(notes) < 20:
            notes.append(message[:300])


def _hosts(urls: Iterable[str]) -> list[str]:
    return sorted({(urlsplit(u).hostname or "").lower() for u in urls} - {""})


def _newest_first(entry: Entry) -> float:
    stamp = entry.published_at
    if stamp is None:
        return 0.0  # undated entries keep document order (sorted() is stable), after dated
    return -(stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).timestamp()
