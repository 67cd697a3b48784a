"""The scheduler's side with `crawl.executor: celery`: enqueue crawls instead of forking them.

A `CeleryCrawls` is a `DaemonState.crawls` runner: it returns no summaries (the worker stores
the run and its items; the scheduler's dispatch job finds new matches in the store).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from crawler.cluster.app import CrawlApp
from crawler.config import Config
from crawler.crawl import RunSummary
from crawler.store.types import utcnow

log = logging.getLogger("presswatch.daemon")


class CeleryCrawls:
    """Enqueues each source's crawl on its queue."""

    def __init__(self, app: CrawlApp) -> None:
        self.app = app

    @classmethod
    def from_config(cls, config: Config) -> CeleryCrawls:
        return cls(CrawlApp.from_config(config))

    def __call__(self, config: Config, source_ids: Sequence[str]) -> list[RunSummary]:
        for source_id in source_ids:
            task_id = self.app.send(config, source_id, utcnow())
            queue = config.settings.crawl.celery.queue_of(source_id)
            log.info("crawl %s enqueued on %s (task %s)", source_id, queue, task_id)
        return []
