"""RunSummary: what one source's crawl did, built from Scrapy stats or from a dead child."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from crawler.store.types import utcnow

STATUS_PREFIX = "downloader/response_status_count/"


@dataclass
class RunSummary:
    """One crawl of one source; `health` is filled in when the run is recorded.

    `requests` counts page requests (listing/feed/sitemap and articles, retries included);
    robots.txt fetches are counted apart in `robots_requests` (Scrapy fetches robots.txt
    once per domain per crawl process).
    """

    source_id: str
    started_at: datetime
    finished_at: datetime | None = None
    finish_reason: str = "finished"
    requests: int = 0
    robots_requests: int = 0
    responses: dict[str, int] = field(default_factory=dict)
    index_ok: int = 0
    index_not_modified: int = 0
    index_empty: int = 0
    index_blocked: int = 0
    index_error: int = 0
    entries: int = 0
    items_seen: int = 0
    items_new: int = 0
    items_updated: int = 0
    items_duplicate: int = 0
    errors: int = 0
    store_errors: int = 0
    articles_ok: int = 0
    articles_failed: int = 0
    # The reasons article pages failed, most frequent first ("HTTP 404": 12).
    article_failures: dict[str, int] = field(default_factory=dict)
    # Entries left out, by reason ("offsite", "no_link", "bad_link", "repeated_link", ...).
    dropped: dict[str, int] = field(default_factory=dict)
    # Bugs met while extracting pages, by exception type ("TypeError": 3); never "empty".
    extraction_errors: dict[str, int] = field(default_factory=dict)
    # The recheck round of sent items (spiders.rechecks): rechecks recorded, items found
    # withdrawn, and whether every recheck failed (a source outage: a health problem).
    rechecks: int = 0
    rechecks_withdrawn: int = 0
    recheck_outage: bool = False
    # Index pages that failed ("URL: HTTP 503"): a pager page, a child sitemap, one of
    # several URLs.  With other index pages fetched the run is `degraded`, never `ok`.
    index_failures: list[str] = field(default_factory=list)
    health: str = ""
    messages: list[str] = field(default_factory=list)
    run_id: int | None = None
    # wall-clock seconds of the whole crawl process (start-up and store included), set by
    # the parent; `duration` is only the spider's own run
    process_seconds: float | None = None

    @property
    def duration(self) -> float:
        end = self.finished_at or utcnow()
        return max(0.0, (end - self.started_at).total_seconds())

    @property
    def elapsed(self) -> float:
        """Seconds the crawl took as the user waited for it (the process, else the spider)."""
        return self.process_seconds if self.process_seconds is not None else self.duration

    @property
    def failed(self) -> bool:
        """The run reached no index page at all (or the process died)."""
        return self.health in ("error", "failing", "blocked")

    @classmethod
    def from_stats(
        cls, source_id: str, started_at: datetime, stats: dict[str, Any], reason: str
    ) -> RunSummary:
        def get(key: str) -> int:
            return int(stats.get(f"presswatch/{key}", 0))

        robots = int(stats.get("robotstxt/request_count", 0))
        responses = {
            key.removeprefix(STATUS_PREFIX): int(value)
            for key, value in stats.items()
            if key.startswith(STATUS_PREFIX)
        }
        extraction_errors = _by_count(stats, "presswatch/extraction_error/")
        return cls(
            source_id=source_id,
            started_at=started_at,
            finished_at=utcnow(),
            finish_reason=reason or "finished",
            requests=max(0, int(stats.get("downloader/request_count", 0)) - robots),
            robots_requests=robots,
            responses=responses,
            index_ok=get("index/ok"),
            index_not_modified=get("index/not_modified"),
            index_empty=get("index/empty"),
            index_blocked=get("index/blocked"),
            index_error=get("index/error"),
            entries=get("entries"),
            items_seen=get("items_seen"),
            items_new=get("items_new"),
            items_updated=get("items_updated"),
            items_duplicate=get("items_duplicate"),
            store_errors=get("store_errors"),
            articles_ok=get("article/ok"),
            articles_failed=get("article/failed"),
            article_failures=_by_count(stats, "presswatch/article/failed_reason/"),
            dropped=_by_count(stats, "presswatch/dropped/"),
            extraction_errors=extraction_errors,
            rechecks=get("rechecks/done"),
            rechecks_withdrawn=get("rechecks/withdrawn"),
            recheck_outage=bool(get("rechecks/outage")),
            errors=get("index/error")
            + sum(extraction_errors.values())
            + get("article_errors")
            + get("store_errors")
            + int(stats.get("spider_exceptions/count", 0)),
        )

    @classmethod
    def dead(cls, source_id: str, started_at: datetime, reason: str, message: str) -> RunSummary:
        """A run whose process crashed, hung, could not start or was stopped at shutdown."""
        return cls(
            source_id=source_id,
            started_at=started_at,
            finished_at=utcnow(),
            finish_reason=reason,
            errors=0 if reason == "shutdown" else 1,
            messages=[message[:500]],
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["started_at"] = self.started_at.isoformat()
        data["finished_at"] = self.finished_at.isoformat() if self.finished_at else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunSummary:
        values = dict(data)
        values["started_at"] = datetime.fromisoformat(values["started_at"])
        if values.get("finished_at"):
            values["finished_at"] = datetime.fromisoformat(values["finished_at"])
        return cls(**values)


def _by_count(stats: dict[str, Any], prefix: str) -> dict[str, int]:
    """The stats under `prefix`, by what follows it, most frequent first."""
    found = {k.removeprefix(prefix): int(v) for k, v in stats.items() if k.startswith(prefix)}
    return dict(sorted(found.items(), key=lambda pair: (-pair[1], pair[0])))
