"""Late-bound links to the crawl and delivery machinery, resolved when a job runs.

`PRESSWATCH_CRAWL_RUNNER=module:function` replaces `crawler.crawl:run_crawls` (tests, bench).
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, cast

from crawler.config import Config
from crawler.store.store import Store

log = logging.getLogger("presswatch.daemon")

CrawlRunner = Callable[[Config, Sequence[str]], Sequence[Any]]
DEFAULT_RUNNER = "crawler.crawl:run_crawls"


def resolve(target: str) -> Any:
    """The object named by "package.module:attribute"."""
    module_name, _, attribute = target.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attribute) if attribute else module


def crawl_runner() -> CrawlRunner:
    """The function that runs crawls (each source in a child process, with a timeout)."""
    return cast(CrawlRunner, resolve(os.environ.get("PRESSWATCH_CRAWL_RUNNER") or DEFAULT_RUNNER))


def run_crawls(config: Config, source_ids: Sequence[str]) -> list[Any]:
    """Run these sources' crawls; one summary per source."""
    return list(crawl_runner()(config, list(source_ids)))


def stop_crawls() -> list[int]:
    """SIGTERM every running crawl process now (and any that starts later); their pids."""
    from crawler.crawl.runner import CRAWLS

    return CRAWLS.stop()


def kill_crawls() -> list[int]:
    """SIGKILL every crawl process still running; their pids."""
    from crawler.crawl.runner import CRAWLS

    return CRAWLS.kill()


def deliver_immediate(config: Config, store: Store, *, now: datetime | None = None) -> list[Any]:
    """Send immediate alerts for matches stored since the last call."""
    from alerts import dispatch

    return list(dispatch.deliver_immediate(config, store, now=now))


def deliver_digests(
    config: Config, store: Store, *, recipient: str | None = None, now: datetime | None = None
) -> list[Any]:
    """Send the digest of one recipient (or all), covering everything since their last one."""
    from alerts import dispatch

    return list(dispatch.deliver_digests(config, store, recipient=recipient, now=now))


def retry_due(config: Config, store: Store, *, now: datetime | None = None) -> list[Any]:
    """Retry deliveries whose backoff has passed."""
    from alerts import dispatch

    return list(dispatch.retry_due(config, store, now=now))


def last_digest_at(store: Store, recipient_key: str) -> datetime | None:
    """When this recipient's last digest was composed (sent or still being retried)."""
    from alerts import dispatch

    return dispatch.last_digest_at(store, recipient_key)


def collect_garbage(store: Store, config: Config) -> Any:
    """Delete items older than retention.items that no undelivered match needs."""
    gc = importlib.import_module("crawler.store.gc")
    with store.begin() as connection:
        return gc.collect_garbage(connection, config.settings.retention.items)


def summary_failed(summary: Any) -> bool:
    """Whether a crawl summary reports a failed run (duck-typed until the crawl API settles)."""
    if getattr(summary, "failed", None) is not None:
        return bool(summary.failed)
    if getattr(summary, "error", None):
        return True
    return getattr(summary, "health", None) in {"failing", "error"}


def summary_stored_matches(summary: Any) -> bool:
    """Whether a crawl stored something that may have matched a rule."""
    for name in ("matches", "matches_new", "items_matched"):
        value = getattr(summary, name, None)
        if value is not None:
            return bool(value)
    new = getattr(summary, "items_new", None)
    updated = getattr(summary, "items_updated", 0) or 0
    return True if new is None else bool(new or updated)
