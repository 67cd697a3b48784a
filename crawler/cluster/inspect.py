"""What `status` shows of the cluster: the workers (Celery's inspection) and queue lengths."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crawler.config import Config
from crawler.formatting import redact_url

INSPECT_TIMEOUT = 1.0  # seconds: status must answer quickly when no worker does


@dataclass(frozen=True)
class WorkerStatus:
    name: str
    active: int  # crawl tasks running now


@dataclass(frozen=True)
class ClusterStatus:
    executor: str
    broker: str  # password masked
    workers: list[WorkerStatus] = field(default_factory=list)
    queues: dict[str, int | None] = field(default_factory=dict)  # None: not readable
    error: str | None = None


def cluster_status(config: Config) -> ClusterStatus | None:
    """The Celery side (None with the local executor); a broker that does not answer is
    reported in `error`, never raised."""
    crawl = config.settings.crawl
    if crawl.executor != "celery":
        return None
    broker = redact_url(crawl.celery.broker_url)
    try:
        workers = _workers(config)
        queues = _queue_lengths(config)
    except Exception as exc:  # broker down: status still shows the rest
        return ClusterStatus(crawl.executor, broker, error=f"{type(exc).__name__}: {exc}")
    return ClusterStatus(crawl.executor, broker, workers, queues)


def _workers(config: Config) -> list[WorkerStatus]:
    from crawler.cluster.app import CrawlApp

    app = CrawlApp.from_config(config).celery
    app.conf.broker_connection_retry = False
    app.conf.broker_connection_max_retries = 0
    inspect = app.control.inspect(timeout=INSPECT_TIMEOUT)
    active: dict[str, list[Any]] = inspect.active() or {}
    return [WorkerStatus(name, len(tasks)) for name, tasks in sorted(active.items())]


def _queue_lengths(config: Config) -> dict[str, int | None]:
    celery = config.settings.crawl.celery
    if not celery.broker_url.startswith(("redis://", "rediss://")):
        return dict.fromkeys(celery.queues())
    import redis

    client = redis.Redis.from_url(celery.broker_url, socket_timeout=INSPECT_TIMEOUT)
    try:
        return {queue: int(client.llen(queue)) for queue in celery.queues()}
    finally:
        client.close()
