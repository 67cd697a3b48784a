"""The scheduled jobs: module-level functions taking only ids, reading the installed state."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any, TypeVar

from crawler.daemon import lock, ports
from crawler.daemon.state import DaemonState, current
from crawler.store.dialect import optimize
from crawler.store.types import utcnow

log = logging.getLogger("presswatch.daemon")
F = TypeVar("F", bound=Callable[..., None])


def guarded(function: F) -> F:
    """Skip when stopping or uninstalled; log a failure once (its traceback only with
    --debug) instead of raising into the scheduler, whose own report would repeat it."""

    @wraps(function)
    def wrapper(*args: Any) -> None:
        try:
            state = current()
        except LookupError:
            return
        if state.stopping.is_set():
            return
        try:
            function(*args)
        except Exception as exc:
            call = f"{function.__name__}({', '.join(map(repr, args))})"
            log_failure(f"job {call} failed", exc)

    return wrapper  # type: ignore[return-value]


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
def crawl_job(source_id: str) -> None:
    """Crawl one source in a child process; send immediate alerts if it stored matches.

    A crawl that raises here (not in its child, whose failures the runner records) is
    recorded as a failed run of the source, so `status` and the digest show it.
    """
    state = current()
    config = state.config
    if source_id not in {s.id for s in config.enabled_sources}:
        log.info("source %s is no longer enabled; skipping", source_id)
        return
    started = utcnow()
    with state.crawling():
        try:
            summaries = ports.run_crawls(config, [source_id])
        except Exception as exc:
            log_failure(f"crawl {source_id} failed", exc)
            _record_failure(state, source_id, started, exc)
            return
    log.info("crawl %s finished: %s", source_id, _describe(summaries))
    if any(ports.summary_stored_matches(s) for s in summaries) and not state.stopping.is_set():
        ports.deliver_immediate(state.config, state.store, now=utcnow())


def _record_failure(state: DaemonState, source_id: str, started: datetime, exc: Exception) -> None:
    """A failed run of `source_id` (health `error` with the reason) in the store."""
    from crawler.crawl.records import record_run
    from crawler.crawl.summary import RunSummary

    config = state.config
    run = RunSummary.dead(source_id, started, "error", f"{type(exc).__name__}: {exc}")
    try:
        record_run(state.store, config, config.source(source_id), run)
    except Exception as error:  # the store itself is failing: the log line above remains
        log.warning("could not record the failed run of %s: %s", source_id, error)


def _describe(summaries: list[Any]) -> str:
    if not summaries:
        return "no summary"
    return "; ".join(
        f"{getattr(s, 'health', '?') or '?'}, {getattr(s, 'items_new', '?')} new, "
        f"{getattr(s, 'errors', '?')} errors"
        for s in summaries
    )


@guarded
def digest_job(recipient_key: str) -> None:
    """Send one recipient's digest (covering everything since their last one)."""
    state = current()
    log.info("digest for %s", recipient_key)
    ports.deliver_digests(state.config, state.store, recipient=recipient_key, now=utcnow())


@guarded
def retry_job() -> None:
    """Retry deliveries whose backoff has passed."""
    state = current()
    ports.retry_due(state.config, state.store, now=utcnow())


@guarded
def maintenance_job() -> None:
    """Retention garbage collection, then PRAGMA optimize on SQLite."""
    state = current()
    result = ports.collect_garbage(state.store, state.config)
    log.info("maintenance: deleted %s old items", getattr(result, "items_deleted", "?"))
    with state.store.begin() as connection:
        optimize(connection)


@guarded
def heartbeat_job() -> None:
    """Extend the lease; if another daemon took it over, stop this one."""
    state = current()
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
    "heartbeat_job",
    "maintenance_job",
    "retry_job",
]
