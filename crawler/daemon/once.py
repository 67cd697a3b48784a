"""`presswatch run --once`: one cycle (crawl all, match, alert, optionally digest), then exit."""

from __future__ import annotations

import logging

from crawler.config import Config
from crawler.daemon import lock, ports
from crawler.store.store import Store
from crawler.store.types import utcnow

log = logging.getLogger("presswatch.daemon")


def run_once(config: Config, *, digest: bool = False) -> int:
    """One cycle under the daemon lease; 1 if every crawl failed or delivery could not run."""
    store = Store.from_config(config)
    holder = lock.Holder.me()
    try:
        lock.acquire(store, holder)
        try:
            return _cycle(config, store, digest=digest)
        finally:
            lock.release(store, holder)
    finally:
        store.close()


def _cycle(config: Config, store: Store, *, digest: bool) -> int:
    ids = [source.id for source in config.enabled_sources]
    crawled_ok = _crawl(config, ids)
    delivered_ok = _deliver(config, store, digest=digest)
    if ids and not crawled_ok:
        log.error("every crawl failed")
        return 1
    return 0 if delivered_ok else 1


def _crawl(config: Config, ids: list[str]) -> bool:
    if not ids:
        log.warning("no enabled sources")
        return True
    try:
        summaries = ports.run_crawls(config, ids)
    except Exception:
        log.exception("crawls could not run")
        return False
    failed = [s for s in summaries if ports.summary_failed(s)]
    log.info("crawled %d source(s), %d failed", len(summaries), len(failed))
    return len(failed) < len(summaries) or not summaries


def _deliver(config: Config, store: Store, *, digest: bool) -> bool:
    try:
        ports.deliver_immediate(config, store, now=utcnow())
        if digest:
            ports.deliver_digests(config, store, now=utcnow())
    except Exception:
        log.exception("delivery failed")
        return False
    return True
