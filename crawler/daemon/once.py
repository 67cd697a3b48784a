"""`presswatch run --once`: one cycle, then exit (cron mode).

The cycle is: retry deliveries whose backoff has passed, crawl every source, send the
immediate alerts (and with --digest every digest; pending alerts go out before it). The exit
code tells cron whether to mail the operator: 1 when every crawl failed, or when something
this cycle tried to send is still undelivered (it stays queued; the next cycle retries it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from alerts.dispatch import DispatchReport, deliver_digests, deliver_immediate, retry_due
from crawler.config import Config
from crawler.crawl import run_crawls
from crawler.daemon import lock
from crawler.daemon.state import CrawlRunner
from crawler.store.store import Store

log = logging.getLogger("presswatch.daemon")


def run_once(config: Config, *, digest: bool = False, crawls: CrawlRunner = run_crawls) -> int:
    """One cycle under the daemon lease; 1 if every crawl failed or mail is undelivered."""
    store = Store.from_config(config)
    holder = lock.Holder.me()
    try:
        lock.acquire(store, holder)
        try:
            return _cycle(config, store, crawls, digest=digest)
        finally:
            lock.release(store, holder)
    finally:
        store.close()


def _cycle(config: Config, store: Store, crawls: CrawlRunner, *, digest: bool) -> int:
    delivery = _Deliveries()
    delivery.attempt("retrying due deliveries", lambda: retry_due(config, store))
    ids = [source.id for source in config.enabled_sources]
    crawled_ok = _crawl(config, ids, crawls)
    delivery.attempt("sending immediate alerts", lambda: deliver_immediate(config, store))
    if digest:
        delivery.attempt("sending digests", lambda: deliver_digests(config, store))
    code = 0
    if ids and not crawled_ok:
        log.error("every crawl failed")
        code = 1
    if not delivery.ok:
        log.error(
            "%s still undelivered (queued; the next run retries it)",
            ", ".join(delivery.undelivered) or "a message",
        )
        code = 1
    return code


class _Deliveries:
    """What this cycle tried to send, and what of it is still undelivered."""

    def __init__(self) -> None:
        self.outcomes: dict[str, tuple[str, str]] = {}  # message id -> (status, description)
        self.crashed = False

    @property
    def undelivered(self) -> list[str]:
        return [what for status, what in self.outcomes.values() if status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.undelivered and not self.crashed

    def attempt(self, what: str, send: Callable[[], Sequence[DispatchReport]]) -> None:
        """Run one sending step; a step that raises is logged once (traceback with --debug).

        A message retried by a later step (a digest re-sent by --digest) counts as its
        last outcome.
        """
        try:
            reports = send()
        except Exception as exc:
            log.error("%s failed: %s: %s", what, type(exc).__name__, exc, exc_info=_debug())
            self.crashed = True
            return
        for report in reports:
            key = report.message_id or f"#{len(self.outcomes)}"
            self.outcomes[key] = (report.status, _describe(report))


def _describe(report: DispatchReport) -> str:
    channel = "alert" if report.channel == "immediate" else "digest"
    return f"{channel} {report.message_id} to {report.recipient}"


def _debug() -> bool:
    return log.isEnabledFor(logging.DEBUG)


def _crawl(config: Config, ids: list[str], crawls: CrawlRunner) -> bool:
    if not ids:
        log.warning("no enabled sources")
        return True
    try:
        summaries = crawls(config, ids)
    except Exception as exc:
        log.error("crawls could not run: %s: %s", type(exc).__name__, exc, exc_info=_debug())
        return False
    failed = [s for s in summaries if s.failed]
    log.info("crawled %d source(s), %d failed", len(summaries), len(failed))
    return len(failed) < len(summaries) or not summaries
