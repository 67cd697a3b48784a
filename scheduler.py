"""The presswatch daemon's face: lease, catch-up, scheduler, signal loop, reload, graceful stop.

Jobs are derived purely from the configuration (`crawler.daemon.specs`) and bound here to the
daemon's state (`functools.partial`: the in-memory job store keeps any callable).  Imports
point one way: the CLI calls this module, this module calls `crawler.daemon` and `crawler.crawl`;
nothing below imports it back.
"""

from __future__ import annotations

import logging
import os
import random
import time
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Literal

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from crawler.config import Config
from crawler.crawl import run_crawls
from crawler.crawl.runner import CRAWLS
from crawler.daemon import lock
from crawler.daemon.catchup import CatchUp, plan_from_store
from crawler.daemon.once import run_once
from crawler.daemon.signals import SignalFlags, restore_defaults
from crawler.daemon.specs import CRAWL_EXECUTOR, JobSpec, job_specs
from crawler.daemon.state import CrawlRunner, DaemonState
from crawler.daemon.timing import zone
from crawler.errors import ConfigError, DaemonError
from crawler.store.store import Store
from crawler.store.types import utcnow
from spiders.catalog import load_config

log = logging.getLogger("presswatch.daemon")
OTHER_WORKERS = 4
POLL_SECONDS = 0.2
KILL_GRACE = 5.0


class Schedule:
    """The APScheduler of one daemon: its jobs bound to the state, and each job's signature
    (a job is replaced on reload only when its signature changed)."""

    def __init__(self, state: DaemonState) -> None:
        settings = state.config.settings.scheduler
        self.state = state
        self.signatures: dict[str, str] = {}
        self.scheduler = BackgroundScheduler(
            timezone=zone(state.config.settings.timezone),
            executors={
                "default": ThreadPoolExecutor(OTHER_WORKERS),
                CRAWL_EXECUTOR: ThreadPoolExecutor(settings.max_concurrent_crawls),
            },
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": int(settings.misfire_grace_time.total_seconds()) or None,
            },
        )

    def add(self, spec: JobSpec) -> None:
        """Add (or replace) the job of one spec."""
        extra: dict[str, Any] = {}
        if spec.next_run_time is not None:
            extra["next_run_time"] = spec.next_run_time
        self.scheduler.add_job(
            partial(spec.func, self.state),
            spec.trigger,
            args=spec.args,
            id=spec.id,
            name=spec.id,
            executor=spec.executor,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=spec.misfire_grace_time,
            replace_existing=True,
            **extra,
        )
        self.signatures[spec.id] = spec.signature

    def apply(self, specs: list[JobSpec]) -> tuple[list[str], list[str], list[str]]:
        """Make the jobs match `specs`: (added, changed, removed) job ids."""
        stale = dict(self.signatures)
        added: list[str] = []
        changed: list[str] = []
        for spec in specs:
            signature = stale.pop(spec.id, None)
            if signature == spec.signature:
                continue
            (changed if signature is not None else added).append(spec.id)
            self.add(spec)
        for job_id in stale:
            self.scheduler.remove_job(job_id)
            del self.signatures[job_id]
        return added, changed, sorted(stale)


def build_scheduler(
    state: DaemonState,
    *,
    now: datetime | None = None,
    catch_up: CatchUp | None = None,
    last_runs: dict[str, datetime | None] | None = None,
    rng: random.Random | None = None,
) -> Schedule:
    """A schedule (not started) holding every job of the state's config; no I/O."""
    schedule = Schedule(state)
    specs = job_specs(
        state.config,
        now=now or utcnow(),
        catch_up=catch_up,
        last_runs=last_runs,
        interval_override=state.interval_override,
        rng=rng,
    )
    for spec in specs:
        schedule.add(spec)
    return schedule


def run_daemon(
    config: Config,
    *,
    interval_override: timedelta | None = None,
    crawls: CrawlRunner | None = None,
    standby: bool | None = None,
) -> int:
    """Run until SIGTERM/SIGINT; 0 on a clean stop, 1 if the lease was lost.

    With `standby` (default: scheduler.standby) on PostgreSQL, wait while another daemon holds
    the lease and take over when it expires; otherwise a held lease is an error at once.
    """
    if not log.isEnabledFor(logging.DEBUG):
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
    store = Store.from_config(config)
    holder = lock.Holder.me()
    try:
        taken = _take_lease(config, store, holder, standby)
        if taken is None:
            return 0
        if taken == "took over":
            config = _config_at_takeover(config)
        crawls = crawls or _crawl_runner(config)
        state = DaemonState(
            config, store, holder, crawls=crawls, interval_override=interval_override
        )
        try:
            _serve(state)
        finally:
            lock.release(store, holder)
    finally:
        store.close()
    return 1 if state.lease_lost else 0


def _crawl_runner(config: Config) -> CrawlRunner:
    """Fork crawls here (local) or enqueue them for `presswatch worker` (celery)."""
    if config.settings.crawl.executor == "celery":
        from crawler.cluster.runner import CeleryCrawls

        return CeleryCrawls.from_config(config)
    return run_crawls


def _take_lease(
    config: Config, store: Store, holder: lock.Holder, standby: bool | None
) -> Literal["held", "took over"] | None:
    """Hold the lease ("held"); as standby wait for it ("took over" once another daemon's
    lease ended; None: stopped by a signal while waiting)."""
    if not (config.settings.scheduler.standby if standby is None else standby):
        lock.acquire(store, holder)
        return "held"
    if store.dialect != "postgresql":
        raise DaemonError(
            "standby needs the shared PostgreSQL store (database.url): with SQLite only one "
            "daemon can use the database"
        )
    flags = SignalFlags().install()
    waited: list[lock.LockHeld] = []

    def on_wait(held: lock.LockHeld) -> None:
        waited.append(held)
        log.info("standby: waiting for the lease; %s", held)

    try:
        taken = lock.wait_for_lease(store, holder, stop=lambda: bool(flags.stop), on_wait=on_wait)
    finally:
        restore_defaults()
    if taken is None:
        log.info("standby stopped before taking over")
        return None
    if not waited:
        return "held"
    log.info("standby (pid %d): took over the lease; catching up", os.getpid())
    return "took over"


def _config_at_takeover(config: Config) -> Config:
    """The configuration as its files are now: a standby may have waited for weeks while
    they changed (the active daemon was told with SIGHUP; nobody tells a standby).  Invalid
    files: the one loaded at start, as a reload would keep it."""
    try:
        new = load_config(config.directory)
    except ConfigError as exc:
        log.error("configuration invalid at takeover, running on the one loaded at start:\n%s", exc)
        return config
    _warn_restart_only(config, new)
    return new


def _serve(state: DaemonState) -> None:
    flags = SignalFlags().install()
    schedule = _start(state)
    try:
        _loop(state, schedule, flags)
    finally:
        _stop(state, schedule)
        restore_defaults()


def _start(state: DaemonState) -> Schedule:
    now = utcnow()
    config = state.config
    plan, last_runs = plan_from_store(
        state.store, config, now, interval_override=state.interval_override
    )
    _log_catch_up(plan)
    schedule = build_scheduler(state, now=now, catch_up=plan, last_runs=last_runs)
    schedule.scheduler.start()
    log.info(
        "presswatch daemon started (pid %d): %d sources, %d jobs",
        os.getpid(),
        len(config.enabled_sources),
        len(schedule.scheduler.get_jobs()),
    )
    return schedule


def _log_catch_up(plan: CatchUp) -> None:
    if plan.sources:
        log.info("catch-up: %d overdue source(s) crawled now", len(plan.sources))
    for key in plan.recipients:
        log.info("catch-up: digest for %s missed while stopped; sending now", key)


def _loop(state: DaemonState, schedule: Schedule, flags: SignalFlags) -> None:
    while not flags.stop and not state.stopping.is_set():
        if flags.take_reload():
            reload(state, schedule)
        time.sleep(POLL_SECONDS)
    if flags.stop:
        log.info("signal %d received: stopping", flags.stop)


def reload(state: DaemonState, schedule: Schedule) -> bool:
    """Load the config again; on errors keep the running one, else rebuild the jobs."""
    try:
        new = load_config(state.config.directory)
    except ConfigError as exc:
        log.error("reload failed, still running on the previous configuration:\n%s", exc)
        return False
    _warn_restart_only(state.config, new)
    _switch_executor(state, new)
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
    added, changed, removed = schedule.apply(specs)
    log.info(
        "configuration reloaded: added %s, changed %s, removed %s",
        added or "none",
        changed or "none",
        removed or "none",
    )
    return True


def _switch_executor(state: DaemonState, new: Config) -> None:
    """A reload that changes `crawl.executor` or its celery settings changes where crawls run
    too: the jobs follow the new config (the dispatch job only with celery), so the runner
    must, or celery crawls would go on with no job sending their immediate alerts."""
    old = state.config.settings.crawl
    fresh = new.settings.crawl
    if (old.executor, old.celery) != (fresh.executor, fresh.celery):
        state.crawls = _crawl_runner(new)
        log.info("crawl executor is now %s", fresh.executor)


def _warn_restart_only(old: Config, new: Config) -> None:
    if old.database_url != new.database_url:
        log.warning("database settings changed: they take effect after a restart")
    old_max = old.settings.scheduler.max_concurrent_crawls
    if old_max != new.settings.scheduler.max_concurrent_crawls:
        log.warning("scheduler.max_concurrent_crawls changed: it takes effect after a restart")


def _stop(state: DaemonState, schedule: Schedule) -> None:
    """Stop scheduling; SIGTERM the running crawls at once, so Scrapy stops gracefully and
    stores what it fetched; SIGKILL those still running after shutdown_grace."""
    state.stopping.set()
    if schedule.scheduler.running:
        schedule.scheduler.shutdown(wait=False)
    grace = state.config.settings.scheduler.shutdown_grace.total_seconds()
    asked = CRAWLS.stop()
    if state.running_crawls:
        log.info(
            "stopping %d crawl(s) (processes %s); waiting up to %.0f s for them to store "
            "what they fetched",
            state.running_crawls,
            asked or "not started yet",
            grace,
        )
    if not state.wait_idle(grace):
        killed = CRAWLS.kill()
        log.warning(
            "%d crawl(s) still running after %.0f s (scheduler.shutdown_grace): killed %s",
            state.running_crawls,
            grace,
            killed or "no process",
        )
        if not state.wait_idle(KILL_GRACE):
            log.error("%d crawl job(s) did not return", state.running_crawls)
    log.info("presswatch daemon stopped")


__all__ = ["Schedule", "build_scheduler", "reload", "run_daemon", "run_once"]
