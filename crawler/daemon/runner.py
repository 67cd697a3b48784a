"""The daemon's life: lease, catch-up, scheduler, signal loop, reload and graceful stop."""

from __future__ import annotations

import logging
import os
import time
from datetime import timedelta

from apscheduler.schedulers.base import BaseScheduler

from crawler.config import Config
from crawler.daemon import lock, ports
from crawler.daemon import state as state_module
from crawler.daemon.catchup import CatchUp, plan_from_store
from crawler.daemon.signals import SignalFlags, restore_defaults
from crawler.daemon.state import DaemonState
from crawler.errors import ConfigError
from crawler.store.store import Store
from crawler.store.types import utcnow
from scheduler import apply_specs, build_scheduler, job_specs
from spiders.catalog import load_config

log = logging.getLogger("presswatch.daemon")
POLL_SECONDS = 0.2
KILL_GRACE = 5.0


def run_daemon(config: Config, *, interval_override: timedelta | None = None) -> int:
    """Run until SIGTERM/SIGINT; 0 on a clean stop, 1 if the lease was lost."""
    if not log.isEnabledFor(logging.DEBUG):
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
    store = Store.from_config(config)
    holder = lock.Holder.me()
    try:
        lock.acquire(store, holder)
        state = DaemonState(config, store, holder, interval_override)
        state_module.install(state)
        try:
            _serve(state)
        finally:
            state_module.uninstall()
            lock.release(store, holder)
    finally:
        store.close()
    return 1 if state.lease_lost else 0


def _serve(state: DaemonState) -> None:
    flags = SignalFlags().install()
    scheduler = _start(state)
    try:
        _loop(state, scheduler, flags)
    finally:
        _stop(state, scheduler)
        restore_defaults()


def _start(state: DaemonState) -> BaseScheduler:
    now = utcnow()
    config = state.config
    plan, last_runs = plan_from_store(
        state.store, config, now, interval_override=state.interval_override
    )
    _log_catch_up(plan)
    scheduler = build_scheduler(
        config,
        now=now,
        catch_up=plan,
        last_runs=last_runs,
        interval_override=state.interval_override,
    )
    scheduler.start()
    log.info(
        "presswatch daemon started (pid %d): %d sources, %d jobs",
        os.getpid(),
        len(config.enabled_sources),
        len(scheduler.get_jobs()),
    )
    return scheduler


def _log_catch_up(plan: CatchUp) -> None:
    if plan.sources:
        log.info("catch-up: %d overdue source(s) crawled now", len(plan.sources))
    for key in plan.recipients:
        log.info("catch-up: digest for %s missed while stopped; sending now", key)


def _loop(state: DaemonState, scheduler: BaseScheduler, flags: SignalFlags) -> None:
    while not flags.stop and not state.stopping.is_set():
        if flags.take_reload():
            reload(state, scheduler)
        time.sleep(POLL_SECONDS)
    if flags.stop:
        log.info("signal %d received: stopping", flags.stop)


def reload(state: DaemonState, scheduler: BaseScheduler) -> bool:
    """Load the config again; on errors keep the running one, else rebuild the jobs."""
    try:
        new = load_config(state.config.directory)
    except ConfigError as exc:
        log.error("reload failed, still running on the previous configuration:\n%s", exc)
        return False
    _warn_restart_only(state.config, new)
    previous = state.swap(new)
    now = utcnow()
    plan, last_runs = plan_from_store(
        state.store, new, now, interval_override=state.interval_override
    )
    known = {s.id for s in previous.enabled_sources}
    fresh = CatchUp([s for s in plan.sources if s not in known], [])
    specs = job_specs(
        new, now=now, catch_up=fresh, last_runs=last_runs, interval_override=state.interval_override
    )
    added, changed, removed = apply_specs(scheduler, specs)
    log.info(
        "configuration reloaded: added %s, changed %s, removed %s",
        added or "none",
        changed or "none",
        removed or "none",
    )
    return True


def _warn_restart_only(old: Config, new: Config) -> None:
    if old.database_url != new.database_url:
        log.warning("database settings changed: they take effect after a restart")
    old_max = old.settings.scheduler.max_concurrent_crawls
    if old_max != new.settings.scheduler.max_concurrent_crawls:
        log.warning("scheduler.max_concurrent_crawls changed: it takes effect after a restart")


def _stop(state: DaemonState, scheduler: BaseScheduler) -> None:
    """Stop scheduling; SIGTERM the running crawls at once, so Scrapy stops gracefully and
    stores what it fetched; SIGKILL those still running after shutdown_grace."""
    state.stopping.set()
    if scheduler.running:
        scheduler.shutdown(wait=False)
    grace = state.config.settings.scheduler.shutdown_grace.total_seconds()
    asked = ports.stop_crawls()
    if state.running_crawls:
        log.info(
            "stopping %d crawl(s) (processes %s); waiting up to %.0f s for them to store "
            "what they fetched",
            state.running_crawls,
            asked or "not started yet",
            grace,
        )
    if not state.wait_idle(grace):
        killed = ports.kill_crawls()
        log.warning(
            "%d crawl(s) still running after %.0f s (scheduler.shutdown_grace): killed %s",
            state.running_crawls,
            grace,
            killed or "no process",
        )
        if not state.wait_idle(KILL_GRACE):
            log.error("%d crawl job(s) did not return", state.running_crawls)
    log.info("presswatch daemon stopped")
