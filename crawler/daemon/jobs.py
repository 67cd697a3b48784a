"""The scheduled jobs: functions of the daemon state and ids (the scheduler binds the state).

A job runs in a scheduler thread; it never raises into the scheduler (see `guarded`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Concatenate

from alerts.dispatch import deliver_digests, deliver_immediate, retry_due
from crawler.crawl import RunSummary
from crawler.crawl.records import record_failure
from crawler.daemon import lock
from crawler.daemon.state import DaemonState
from crawler.store.dialect import optimize
from crawler.store.evidence import EvidenceSettings, collect_evidence_garbage
from crawler.store.gc import collect_garbage
from crawler.store.types import utcnow

log = logging.getLogger("presswatch.daemon")
Job = Callable[Concatenate[DaemonState, ...], None]


def guarded(function: Callable[..., None]) -> Job:
    """Skip when stopping; log a failure once (its traceback only with --debug) instead of
    raising into the scheduler, whose own report would repeat it."""

    @wraps(function)
    def wrapper(state: DaemonState, *ids: str) -> None:
        if state.stopping.is_set():
            return
        try:
            function(state, *ids)
        except Exception as exc:
            call = f"{function.__name__}({', '.join(map(repr, ids))})"
            log_failure(f"job {call} failed", exc)

    return wrapper


def log_failure(what: str, exc: BaseException) -> None:
    """One error line naming the exception; the traceback too when debug logging is on."""
    log.error(
        "%s: %s: %s",
        what,
        type(exc).__name__,
        exc,
        exc_info=exc if log.isEnabledFor(logging.DEBUG) else None,
    )


@guarded
def crawl_job(state: DaemonState, source_id: str) -> None:
    """Crawl one source in a child process; send immediate alerts if it stored matches.

    A crawl that raises here (not in its child, whose failures the runner records) is
    recorded as a failed run of the source, so `status` and the digest show it.
    """
    config = state.config
    if source_id not in {s.id for s in config.enabled_sources}:
        log.info("source %s is no longer enabled; skipping", source_id)
        return
    started = utcnow()
    with state.crawling():
        try:
            summaries = state.crawls(config, [source_id])
        except Exception as exc:
            log_failure(f"crawl {source_id} failed", exc)
            record_failure(state.store, config, source_id, started, exc)
            return
    if not summaries:  # enqueued (crawl.executor: celery): a worker records the run
        return
    log.info("crawl %s finished: %s", source_id, _describe(summaries))
    if any(_may_notify(s) for s in summaries) and not state.stopping.is_set():
        deliver_immediate(state.config, state.store, now=utcnow())


def _may_notify(run: RunSummary) -> bool:
    """Whether the run may have queued something to send at once: a new or updated item
    may have matched a rule (or be an edit), and an item its rechecks found withdrawn is
    told with the immediate alert - without this a withdrawal waited for the next digest."""
    return bool(run.items_new or run.items_updated or run.rechecks_withdrawn)


def _describe(summaries: list[RunSummary]) -> str:
    if not summaries:
        return "no summary"
    return "; ".join(f"{s.health or '?'}, {s.items_new} new, {s.errors} errors" for s in summaries)


@guarded
def digest_job(state: DaemonState, recipient_key: str) -> None:
    """Send one recipient's digest (covering everything since their last one)."""
    log.info("digest for %s", recipient_key)
    deliver_digests(state.config, state.store, recipient=recipient_key, now=utcnow())


@guarded
def dispatch_job(state: DaemonState) -> None:
    """Send the immediate alerts of matches stored since (crawls run on Celery workers)."""
    deliver_immediate(state.config, state.store, now=utcnow())


@guarded
def retry_job(state: DaemonState) -> None:
    """Retry deliveries whose backoff has passed."""
    retry_due(state.config, state.store, now=utcnow())


@guarded
def maintenance_job(state: DaemonState) -> None:
    """Retention garbage collection, then PRAGMA optimize on SQLite."""
    with state.store.begin() as connection:
        result = collect_garbage(connection, state.config.settings.retention.items)
    log.info("maintenance: deleted %s old items", result.items_deleted)
    evidence = EvidenceSettings.from_config(state.config)
    records, files = collect_evidence_garbage(state.store, evidence)
    log.info("maintenance: deleted %s evidence records, %s WARC files", records, files)
    with state.store.begin() as connection:
        optimize(connection)


@guarded
def heartbeat_job(state: DaemonState) -> None:
    """Extend the lease; if another daemon took it over, stop this one."""
    try:
        held = lock.heartbeat(state.store, state.holder)
    except Exception as exc:  # database briefly unreachable: the lease has slack
        log.warning("lease heartbeat failed: %s", exc)
        return
    if not held:
        _lease_lost(state)


def _lease_lost(state: DaemonState) -> None:
    log.critical("lost the daemon lease to another process; stopping")
    state.lease_lost = True
    state.stopping.set()


__all__ = [
    "crawl_job",
    "digest_job",
    "dispatch_job",
    "heartbeat_job",
    "maintenance_job",
    "retry_job",
]
