"""The Celery app, built from config (`CrawlApp.from_config`): broker, routing and the crawl task.

Nothing here reads a global config: the scheduler sends the config directory with each task
and the worker loads that config (once, again when it changed; `configs.ConfigCache`).
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from celery import Celery, Task

from crawler.cluster.configs import ConfigCache
from crawler.cluster.source_lock import source_lock
from crawler.config import Config
from crawler.crawl import run_crawls
from crawler.crawl.records import record_failure
from crawler.store.sources import source_state
from crawler.store.store import Store
from crawler.store.types import utcnow

log = logging.getLogger("presswatch.worker")
CRAWL_TASK = "presswatch.crawl"


def celery_settings(config: Config) -> dict[str, Any]:
    """Celery's settings for this config: late acks, one task prefetched, redelivery."""
    celery = config.settings.crawl.celery
    visibility = int(celery.visibility_timeout.total_seconds())
    return {
        "broker_url": celery.broker_url,
        "result_backend": celery.result_backend,
        "task_ignore_result": True,
        "task_default_queue": celery.queue,
        # ack after the crawl is stored; a worker killed mid-crawl: the task comes back
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "broker_transport_options": {"visibility_timeout": visibility},
        "broker_connection_retry_on_startup": True,
        "worker_hijack_root_logger": False,
        "task_serializer": "json",
        "accept_content": ["json"],
    }


@dataclass
class CrawlApp:
    """A Celery app and the crawl task's counters (crawled, coalesced, disabled)."""

    celery: Celery
    configs: ConfigCache
    counts: Counter[str] = field(default_factory=Counter)
    # The worker's own config directory: used when a task names a directory this machine
    # does not have (the scheduler's config lives elsewhere, e.g. /config vs /etc/presswatch).
    local_dir: str | None = None

    @classmethod
    def from_config(cls, config: Config) -> CrawlApp:
        app = Celery("presswatch", set_as_current=False)
        app.conf.update(celery_settings(config))
        crawl_app = cls(app, ConfigCache())

        def crawl(task: Task, config_dir: str, source_id: str, enqueued_at: str) -> str:
            return crawl_app.crawl(config_dir, source_id, datetime.fromisoformat(enqueued_at))

        app.task(name=CRAWL_TASK, bind=True, acks_late=True, reject_on_worker_lost=True)(crawl)
        return crawl_app

    def send(self, config: Config, source_id: str, enqueued_at: datetime) -> str:
        """Enqueue a crawl of `source_id` on its queue; the task id."""
        queue = config.settings.crawl.celery.queue_of(source_id)
        result = self.celery.send_task(
            CRAWL_TASK,
            args=[str(config.directory), source_id, enqueued_at.isoformat()],
            queue=queue,
        )
        return str(result.id)

    def crawl(self, config_dir: str, source_id: str, enqueued_at: datetime) -> str:
        """Run one crawl in a child process unless it is disabled, running, or ran since."""
        config, store = self.configs.get(self._directory(config_dir))
        if source_id not in {s.id for s in config.enabled_sources}:
            return self._skip("disabled", source_id, "not an enabled source")
        started = utcnow()
        try:
            return self._crawl(config, store, source_id, enqueued_at)
        except Exception as exc:  # outside the crawl child, which records its own failures
            record_failure(store, config, source_id, started, exc)
            raise

    def _crawl(self, config: Config, store: Store, source_id: str, enqueued_at: datetime) -> str:
        with source_lock(store, config.database_url, source_id) as held:
            if not held:
                return self._skip("coalesced", source_id, "a crawl of it is running")
            with store.connect() as connection:
                state = source_state(connection, source_id)
            if state is not None and state.last_run_at and state.last_run_at >= enqueued_at:
                return self._skip("coalesced", source_id, "it ran after the task was enqueued")
            summaries = run_crawls(config, [source_id])
        self.counts["crawled"] += 1
        described = "; ".join(f"{s.health}, {s.items_new} new" for s in summaries)
        log.info("crawl %s finished (pid %d): %s", source_id, os.getpid(), described)
        return "crawled"

    def _directory(self, config_dir: str) -> str:
        if self.local_dir is None or Path(config_dir).is_dir():
            return config_dir
        return self.local_dir

    def _skip(self, why: str, source_id: str, detail: str) -> str:
        self.counts[why] += 1
        log.info("crawl %s %s: %s (%d %s so far)", source_id, why, detail, self.counts[why], why)
        return why
