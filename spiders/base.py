"""BaseSourceSpider: what every source spider shares - index pages, entries, articles.

The listing is the source of truth.  Whatever a listing or feed entry gives (title, date,
lead, link) is stored as the item; the article page only enriches it (full text, a more
precise date, language).  When the article page cannot be fetched (an HTTP error, a
timeout, a refused address, a PDF, a page too large or without text) the item is stored
from its listing all the same, marked ``extra.article = {"state": "unavailable", "reason":
...}``, matched by the rules on the text it has, and tried again on later runs with
backoff (`crawl.article_retries` times, first after `crawl.article_retry_after`,
doubling; see `crawler.store.articles`).

Index requests (listing/feed/sitemap URLs) are conditional GETs (see
`crawler.middlewares.conditional`); a 304 means nothing to do.  Before any article is
requested the spider asks the store in bulk which entries are known (as items, or as the
listed alias of an item stored under its rel=canonical) and skips them.  On a source's
first run only the newest ``backfill`` entries are treated as new; older ones are stored
as a baseline from their listing fields, flagged ``extra.backfill_skipped`` (never matched
nor alerted, never fetched).

Which hosts entries may lead to: `allowed_domains` when given (``example.org`` with its
subdomains, ``*.gov.pk``, ``*``); else the hosts of the source's URLs, except for feeds,
whose entries may lead to any host.  The private-address guard applies either way.  An
entry dropped by these rules is counted (``presswatch/dropped/...``) and noted.

Outcomes land in the crawl stats under ``presswatch/...`` and decide the source's health
(see `crawler.crawl.health`).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, ClassVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import DNSLookupError, TCPTimedOutError, TimeoutError
from twisted.python.failure import Failure

from crawler.config.models import SourceConfig
from crawler.crawl.runtime import Runtime
from crawler.extract.article import Article, ArticleSelectors, ListingHints, extract_article
from crawler.items import ArticleItem
from crawler.store.articles import DueArticle, RecheckTarget, due_articles, known_identities
from crawler.store.types import utcnow
from crawler.store.urls import canonical_fingerprint, fragment_identity, url_fingerprint
from crawler.store.withdrawal import Observation, RecheckPolicy
from spiders.params import SpiderParams as SpiderParams  # noqa: PLC0414 - for spider files
from spiders.params import read_params
from spiders.rechecks import MAX_HOPS, RecheckRound

BLOCKED_STATUSES = frozenset({401, 403, 429})
_CHALLENGE = re.compile(
    rb"<title>\s*(just a moment\.\.\.|attention required! \| cloudflare|access denied)\s*</title>"
    rb"|cf-browser-verification|challenge-platform|_incapsula_resource|ddos-guard",
    re.I,
)
# Dates a listing cannot mean: the Unix epoch of an empty field, or days ahead.
_EPOCH_END = datetime(1970, 1, 2, tzinfo=UTC)
_FUTURE_SLACK = timedelta(days=2)
MAX_RETRIES_PER_RUN = 100


class Entry:
    """An entry found on an index page, with whatever the index said about it.

    `url` is the link to fetch (and the identity); `keep_fragment` makes its #fragment part
    of the identity; `fetch` is False for an entry with no page to fetch (a link-less feed
    entry); `retry` is set when the entry is a stored item whose article is tried again.
    """

    __slots__ = (
        "body",
        "fetch",
        "guid",
        "keep_fragment",
        "published_at",
        "recheck",
        "retry",
        "summary",
        "title",
        "url",
    )

    def __init__(
        self,
        url: str,
        title: str | None = None,
        published_at: datetime | None = None,
        body: str = "",
        summary: str = "",
        *,
        guid: str | None = None,
        keep_fragment: bool = False,
        fetch: bool = True,
        retry: DueArticle | None = None,
        recheck: RecheckTarget | None = None,
    ) -> None:
        self.url = url
        self.title = title
        self.published_at = published_at
        self.body = body
        self.summary = summary
        self.guid = guid
        self.keep_fragment = keep_fragment
        self.fetch = fetch
        self.retry = retry
        self.recheck = recheck

    @property
    def hints(self) -> ListingHints:
        return ListingHints(title=self.title, published_at=self.published_at)

    @property
    def fingerprint(self) -> str:
        """The identity the store will give the item (before any rel=canonical)."""
        if self.keep_fragment:
            return canonical_fingerprint(fragment_identity(self.url))
        return url_fingerprint(self.url)


class DomainRules:
    """`allowed_domains` patterns: ``example.org`` (and its subdomains), ``*.gov.pk``, ``*``."""

    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = [p.lower().rstrip(".") for p in patterns]
        self.anywhere = "*" in self.patterns
        self.suffixes = [p.removeprefix("*.") for p in self.patterns if p != "*"]

    def allows(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return self.anywhere or any(host == d or host.endswith("." + d) for d in self.suffixes)

    def scrapy_domains(self) -> list[str] | None:
        """For Scrapy's OffsiteMiddleware: None lets every host through."""
        return None if self.anywhere else self.suffixes


class BaseSourceSpider(scrapy.Spider):
    """A spider driven by one source config; subclasses register by kind or name."""

    kind: ClassVar[str] = ""
    # Whether entries may lead to any host when allowed_domains is not given (feeds).
    entries_anywhere: ClassVar[bool] = False
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

    def __init__(self, *args: Any, runtime: Runtime, **kwargs: Any) -> None:
        self.runtime = runtime
        self.source: SourceConfig = self.runtime.source
        self.params = read_params(self.Params, self.source)
        kwargs["name"] = self.source.id
        super().__init__(*args, **kwargs)
        configured = self.source.allowed_domains
        self.site_rules = DomainRules(configured or _hosts(self.start_urls_for()))
        anywhere = not configured and self.entries_anywhere
        self.entry_rules = DomainRules(["*"]) if anywhere else self.site_rules
        self.allowed_domains = self.entry_rules.scrapy_domains()
        self.budget = self.runtime.source.backfill if self.runtime.first_run else None
        if self.runtime.limit is not None:
            self.budget = min(self.budget or self.runtime.limit, self.runtime.limit)
        self.scheduled: set[str] = set()
        self.rechecks: RecheckRound | None = None

    # --- what subclasses provide ----------------------------------------------------------

    def start_urls_for(self) -> list[str]:
        """The index URLs of this source."""
        return list(getattr(self.source, "urls", []))

    def parse_index(self, response: Response, page: int) -> Iterable[Any]:
        """Parse one index page: yield items and requests."""
        raise NotImplementedError

    # --- index pages --------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        # The round is planned before any listing page can be parsed: its listing view must
        # see every page, or an item on a page it missed would look dropped (withdrawn).
        rechecks = self.recheck_requests()
        for url in self.start_urls_for():
            yield self.index_request(url)
        for request in self.retry_requests():
            yield request
        for request in rechecks:
            yield request

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
            self.index_trouble(response.url, "challenge page")
            return False
        self.count("index/ok")
        return True

    def index_failed(self, failure: Failure) -> None:
        self.count("index/error")
        reason = self.record_failure(failure, index=True)
        request = getattr(failure, "request", None)
        self.index_trouble(request.url if request is not None else "?", reason)

    def index_trouble(self, url: str, reason: str) -> None:
        """Name an index page (a pager page, a child sitemap, one of several URLs) that failed:
        when others worked the run is `degraded` with this in its detail, never `ok`."""
        failures: list[str] = self.runtime.notes.setdefault("index_failures", [])
        if len(failures) < 20:
            failures.append(f"{url}: {reason}"[:300])

    def record_failure(self, failure: Failure, *, index: bool) -> str:
        """Count an error (blocked on 401/403/429), note it; return its short reason."""
        exc = failure.value
        status = exc.response.status if isinstance(exc, HttpError) else None
        body = exc.response.body[:20000] if isinstance(exc, HttpError) else b""
        if index and (status in BLOCKED_STATUSES or _CHALLENGE.search(body)):
            self.count("index/blocked")
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        reason = failure_reason(failure)
        self.note(f"{url}: {reason}" if status or index else f"{url}: {reason}: {exc}")
        return reason

    def empty_index(self, response: Response) -> None:
        """A 200 index where nothing matched: the site may have been redesigned."""
        self.count("index/empty")
        self.note(f"nothing found on {response.url}")

    # --- entries ------------------------------------------------------------------------

    def new_entries(
        self, entries: Iterable[Entry], *, rules: DomainRules | None = None
    ) -> list[Entry]:
        """Entries on allowed http(s) URLs, not stored yet and not scheduled in this run;
        every entry left out for a rule is counted under ``presswatch/dropped/...``."""
        rules = rules or self.entry_rules
        entries = list(entries)
        if self.rechecks is not None:
            self.rechecks.listing.add((e.url for e in entries), (e.published_at for e in entries))
        candidates: dict[str, Entry] = {}
        for entry in entries:
            reason = self.refusal(entry.url, rules)
            if reason:
                self.drop(reason, entry.url)
                continue
            fp = entry.fingerprint
            if fp in self.scheduled or fp in candidates:
                self.count("entries_repeated")
                continue
            candidates[fp] = entry
        self.count("entries", len(candidates))
        store = self.runtime.store
        if store is None or not candidates:
            return list(candidates.values())
        with store.connect() as connection:
            known = known_identities(connection, list(candidates))
        self.count("entries_known", len(known))
        return [e for fp, e in candidates.items() if fp not in known]

    def refusal(self, url: str, rules: DomainRules | None = None) -> str | None:
        """Why a URL may not be followed (None when it may)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return "scheme"
        if not (rules or self.site_rules).allows(parts.hostname):
            return "offsite"
        return None

    def allowed_url(self, url: str) -> bool:
        """Whether an index URL (a next page, a child sitemap) stays within the site rules."""
        return self.refusal(url, self.site_rules) is None

    def drop(self, reason: str, url: str) -> None:
        self.count(f"dropped/{reason}")
        host = urlsplit(url).hostname or url[:80]
        self.note(f"entry dropped ({reason}): {host}")

    def take(self, entries: list[Entry]) -> tuple[list[Entry], list[Entry]]:
        """Split new entries into (new, baseline) by the backfill budget of a first run."""
        for entry in entries:
            self.scheduled.add(entry.fingerprint)
        if self.budget is None:
            return entries, []
        ordered = sorted(entries, key=_newest_first)
        taken, rest = ordered[: self.budget], ordered[self.budget :]
        self.budget -= len(taken)
        return taken, rest if self.runtime.limit is None else []

    def remembered(self, entries: Iterable[Entry]) -> Iterator[ArticleItem]:
        """Entries older than the backfill: stored from their listing fields, never alerted."""
        for entry in entries:
            self.count("backfill_skipped")
            yield self.listing_item(entry, {"backfill_skipped": True})

    def follow(self, fresh: list[Entry]) -> Iterator[Any]:
        """Store the baseline beyond backfill; fetch the article page of every other entry."""
        taken, rest = self.take(fresh)
        yield from self.remembered(rest)
        for entry in taken:
            if entry.fetch:
                yield self.article_request(entry)
            else:
                yield self.listing_item(entry)

    # --- articles -----------------------------------------------------------------------

    def retry_requests(self) -> list[scrapy.Request]:
        """Article pages of items stored from their listing whose retry is due."""
        store = self.runtime.store
        if store is None:
            return []
        with store.connect() as connection:
            due = due_articles(connection, self.source.id, utcnow(), MAX_RETRIES_PER_RUN)
        requests = []
        for article in due:
            entry = Entry(
                article.url,
                article.title,
                article.published_at,
                article.body,
                article.summary,
                keep_fragment=bool(article.extra.get("keep_fragment")),
                retry=article,
            )
            self.scheduled.add(entry.fingerprint)
            self.count("article/retried")
            requests.append(self.article_request(entry))
        return requests

    # --- rechecks of sent items (spiders.rechecks) --------------------------------------

    def recheck_requests(self) -> list[scrapy.Request]:
        """The source's sent items due for a recheck, within the day's budget."""
        store = self.runtime.store
        policy = RecheckPolicy.from_config(self.runtime.config, self.source)
        if store is None or self.runtime.limit is not None or not policy.enabled:
            return []
        now = self.runtime.now()
        self.rechecks = RecheckRound.plan(store, self.source.id, policy, now, self.index_urls())
        self.count("rechecks/watched", self.rechecks.watched)
        self.count("rechecks/planned", len(self.rechecks.targets))
        return [self.recheck_request(target, target.url) for target in self.rechecks.targets]

    def index_urls(self) -> list[str]:
        """The URLs a redirect to means "the section index" (with the site root)."""
        return self.start_urls_for()

    def recheck_request(self, target: RecheckTarget, url: str, hops: int = 0) -> scrapy.Request:
        # Every status reaches parse_recheck, and redirects are observed, not followed.
        meta = {"dont_redirect": True, "handle_httpstatus_all": True, "pw_recheck": True}
        return scrapy.Request(
            url,
            callback=self.parse_recheck,
            errback=self.recheck_failed,
            meta=meta,
            cb_kwargs={"target": target, "hops": hops},
            dont_filter=True,
        )

    def parse_recheck(self, response: Response, target: RecheckTarget, hops: int) -> Iterator[Any]:
        assert self.rechecks is not None
        now = self.runtime.now()
        location = response.headers.get(b"Location")
        if 300 <= response.status < 400 and location:
            moved = response.urljoin(location.decode("latin-1"))
            seen = Observation(now, response.status, moved)
            if self.rechecks.to_index(target, seen) or hops >= MAX_HOPS:
                self.rechecks.observe(target, seen)
                return
            yield self.recheck_request(target, moved, hops + 1)  # moved: follow it
            return
        self.rechecks.observe(target, Observation(now, response.status, response.url))
        self.count(f"rechecks/status/{response.status}")
        if 200 <= response.status < 300:
            entry = Entry(
                target.url,
                target.title,
                target.published_at,
                summary=target.summary,
                keep_fragment=target.keep_fragment,
                recheck=target,
            )
            yield from self.parse_article(response, entry)

    def recheck_failed(self, failure: Failure) -> None:
        """No answer (a network error, a refusal): observed as such."""
        request = getattr(failure, "request", None)
        target = request.cb_kwargs.get("target") if request is not None else None
        if self.rechecks is None or not isinstance(target, RecheckTarget):
            return
        self.count("rechecks/status/none")
        self.note(f"recheck {target.url}: {failure_reason(failure)}")
        self.rechecks.observe(target, Observation(self.runtime.now(), None, None))

    def closed(self, reason: str) -> None:
        """Record the recheck round, unless a batch was lost (then it is redone next run)."""
        store = self.runtime.store
        if self.rechecks is None or store is None or not self.rechecks.seen:
            return
        stats = self.crawler.stats
        if stats.get_value("presswatch/store_errors", 0):
            self.note("rechecks not recorded: a batch could not be stored; rechecked next run")
            return
        failed = sum(stats.get_value(f"presswatch/index/{k}", 0) for k in ("error", "blocked"))
        result = self.rechecks.finish(store, listing_complete=not failed)
        if result is None:
            return
        self.count("rechecks/done", len(result.verdicts))
        states = [verdict.state for verdict in result.verdicts.values()]
        for state in ("withdrawn", "suspect", "unknown"):
            self.count(f"rechecks/{state}", states.count(state))
        if result.outage:
            self.count("rechecks/outage")

    def article_request(self, entry: Entry) -> scrapy.Request:
        return scrapy.Request(
            entry.url,
            callback=self.parse_article,
            errback=self.article_failed,
            cb_kwargs={"entry": entry},
            dont_filter=True,
        )

    def parse_article(self, response: Response, entry: Entry) -> Iterator[ArticleItem]:
        kind = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        kind = kind.split(";")[0].strip().lower()
        if not isinstance(response, TextResponse) or not _html_like(kind):
            yield from self.article_unavailable(entry, f"not HTML ({kind or 'no type'})")
            return
        try:
            article = extract_article(
                response.body,
                response.url,
                selectors=self.article_selectors(),
                hints=entry.hints,
                encoding=response.encoding,
                languages=self.source.languages,
                tz=self.source_timezone(),
            )
        except Exception as exc:  # a bug, not the page: counted by its type, item kept
            kind = self.extraction_failed(exc, response.url)
            yield from self.article_unavailable(entry, f"extraction error ({kind})", counted=True)
            return
        if not article.body:  # a title alone comes from the listing's hint
            self.count("article_empty")
            yield from self.article_unavailable(entry, "no article text on the page")
            return
        self.count("article/ok")
        extra: dict[str, Any] = {**_date_extra(article), **self.identity_extra(entry)}
        if article.published_at is None and entry.published_at is not None:
            extra["date_source"] = "listing"
        canonical = article.canonical_url
        if entry.retry is not None:
            # The item keeps the identity its listing gave it: no second item for it.
            extra = {**entry.retry.extra, **extra, "article": {"state": "ok", "retried": True}}
            canonical = entry.retry.identity_url
        if entry.recheck is not None:  # a revision keeps the item's identity (and its extra)
            extra = {}
            canonical = entry.recheck.identity_url
        yield self.item(
            entry.url if entry.keep_fragment else response.url,
            title=article.title or entry.title or "",
            body=article.body,
            summary=article.summary or entry.summary,
            language=article.language,
            published_at=article.published_at or entry.published_at,
            canonical_url=None if entry.keep_fragment else canonical,
            extra=extra,
            published_date=article.published.local_date if article.published else None,
            published_precision=article.published.precision if article.published else None,
        )

    def article_failed(self, failure: Failure) -> Iterator[ArticleItem]:
        self.count("article_errors")
        reason = self.record_failure(failure, index=False)
        request = getattr(failure, "request", None)
        entry = request.cb_kwargs.get("entry") if request is not None else None
        if isinstance(entry, Entry):
            yield from self.article_unavailable(entry, reason, counted=True)

    def article_unavailable(
        self, entry: Entry, reason: str, *, counted: bool = False
    ) -> Iterator[ArticleItem]:
        """The item from its listing, marked with why its article page is missing."""
        if entry.recheck is not None:  # the stored item stays as it is
            self.count("rechecks/no_text")
            return
        if not counted:
            self.count("article_errors")
            self.note(f"{entry.url}: {reason}")
        self.count("article/failed")
        self.count(f"article/failed_reason/{reason}")
        attempts = entry.retry.attempts + 1 if entry.retry else 1
        crawl = self.runtime.config.settings.crawl
        retry_at = None
        if attempts <= crawl.article_retries:
            retry_at = (utcnow() + crawl.article_retry_after * 2 ** (attempts - 1)).isoformat()
        article = {
            "state": "unavailable",
            "reason": reason,
            "attempts": attempts,
            "retry_at": retry_at,
            "url": entry.url,
        }
        extra = dict(entry.retry.extra) if entry.retry else {}
        yield self.listing_item(entry, {**extra, "article": article})

    def listing_item(self, entry: Entry, extra: dict[str, Any] | None = None) -> ArticleItem:
        """The item as the listing or feed entry gives it (no article page)."""
        published = entry.published_at
        extra = {**self.identity_extra(entry), **(extra or {})}
        if published is not None and not plausible_date(published):
            self.count("dates_rejected")
            extra["listing_date_rejected"] = published.isoformat()
            published = None
        return self.item(
            entry.url,
            title=entry.title or _first_line(entry.body or entry.summary) or entry.url,
            body=entry.body,
            summary=entry.summary,
            published_at=published,
            canonical_url=entry.retry.identity_url if entry.retry else None,
            extra=extra,
        )

    def identity_extra(self, entry: Entry) -> dict[str, Any]:
        extra: dict[str, Any] = {"listed_url": entry.url}
        if entry.guid:
            extra["guid"] = entry.guid
        if entry.keep_fragment:
            extra["keep_fragment"] = True
        return extra

    def source_timezone(self) -> tzinfo:
        """The source's configured timezone (for dates its pages write without one)."""
        name = getattr(self.source, "timezone", None)
        return ZoneInfo(name) if name else UTC

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

    def extraction_failed(self, exc: Exception, url: str) -> str:
        """Count a bug in extraction by its exception type (``presswatch/extraction_error/
        <Type>``), log its traceback and note it; returns the type's name."""
        kind = type(exc).__name__
        self.count(f"extraction_error/{kind}")
        self.logger.error("extraction error on %s", url, exc_info=exc)
        self.note(f"{url}: extraction error {kind}: {exc}")
        return kind

    def note(self, message: str) -> None:
        notes: list[str] = self.runtime.notes.setdefault("messages", [])
        if len(notes) < 20:
            notes.append(message[:300])


def failure_reason(failure: Failure) -> str:
    """A short, groupable reason: "HTTP 404", "timeout", "refused: private address", ..."""
    exc = failure.value
    if isinstance(exc, HttpError):
        return f"HTTP {exc.response.status}"
    if isinstance(exc, TimeoutError | TCPTimedOutError) or "Timeout" in type(exc).__name__:
        return "timeout"
    if isinstance(exc, DNSLookupError):
        return "DNS lookup failed"
    if isinstance(exc, IgnoreRequest):
        text = str(exc)
        if "private address" in text:
            return "refused: private address"
        if "robots" in text.lower():
            return "forbidden by robots.txt"
        return "refused: " + (text.split(":", maxsplit=1)[0] or "ignored")[:60]
    text = str(exc)
    if "maxsize" in text or "max size" in text.lower():
        return "too large"
    return type(exc).__name__


def plausible_date(stamp: datetime) -> bool:
    """Not the Unix epoch of an empty field, not more than two days ahead."""
    aware = stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    return _EPOCH_END <= aware <= utcnow() + _FUTURE_SLACK


def _html_like(content_type: str) -> bool:
    """HTML, XHTML, or a type servers give HTML under (none, text/*, XML)."""
    return (
        not content_type
        or content_type.startswith("text/")
        or "html" in content_type
        or (content_type.endswith("xml"))
    )


def _first_line(text: str) -> str:
    return text.strip().split("\n", 1)[0][:200]


def _date_extra(article: Article) -> dict[str, Any]:
    extra: dict[str, Any] = {"date_source": article.date_source}
    if article.date_low_confidence:
        extra["date_confidence"] = "low"  # found only in the body text
    return extra


def _hosts(urls: Iterable[str]) -> list[str]:
    return sorted({(urlsplit(u).hostname or "").lower() for u in urls} - {""})


def _newest_first(entry: Entry) -> float:
    stamp = entry.published_at
    if stamp is None:
        return 0.0  # undated entries keep document order (sorted() is stable), after dated
    return -(stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).timestamp()
