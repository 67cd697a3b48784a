"""The presswatch daemon's scheduler: every job derived, purely, from the configuration."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from crawler.config import Config
from crawler.daemon import jobs
from crawler.daemon.catchup import CatchUp
from crawler.daemon.lock import HEARTBEAT_EVERY
from crawler.daemon.timing import (
    crontab_trigger,
    digest_trigger,
    interval_of,
    jitter_seconds,
    recipient_zone,
    source_trigger,
    source_zone,
    zone,
)
from crawler.store.types import utcnow

CRAWL_EXECUTOR = "crawls"
CATCH_UP_SPREAD = timedelta(seconds=10)
OTHER_WORKERS = 4


@dataclass(frozen=True)
class JobSpec:
    """One job to schedule; `signature` changes when its schedule does (reload diff)."""

    id: str
    func: Callable[..., None]
    trigger: BaseTrigger
    signature: str
    args: tuple[str, ...] = ()
    executor: str = "default"
    misfire_grace_time: int | None = None
    next_run_time: datetime | None = field(default=None, compare=False)


def job_specs(
    config: Config,
    *,
    now: datetime,
    catch_up: CatchUp | None = None,
    last_runs: dict[str, datetime | None] | None = None,
    interval_override: timedelta | None = None,
    rng: random.Random | None = None,
) -> list[JobSpec]:
    """Every job of this config: crawls, digests, retry, maintenance and the lease heartbeat."""
    plan = catch_up or CatchUp()
    chance = rng or random.Random()
    specs = [
        *_source_specs(config, now, plan, last_runs or {}, interval_override, chance),
        *_digest_specs(config, now, plan, chance),
    ]
    tz = zone(config.settings.timezone)
    retry_every = config.settings.scheduler.retry_every.total_seconds()
    cron = config.settings.scheduler.maintenance_cron
    specs.append(
        JobSpec(
            "retry",
            jobs.retry_job,
            IntervalTrigger(seconds=retry_every, timezone=tz),
            f"{retry_every}",
        )
    )
    specs.append(
        JobSpec("maintenance", jobs.maintenance_job, crontab_trigger(cron, tz), f"{cron}/{tz}")
    )
    beat = HEARTBEAT_EVERY.total_seconds()
    specs.append(
        JobSpec(
            "heartbeat", jobs.heartbeat_job, IntervalTrigger(seconds=beat, timezone=tz), f"{beat}"
        )
    )
    grace = int(config.settings.scheduler.misfire_grace_time.total_seconds()) or None
    return [replace(spec, misfire_grace_time=grace) for spec in specs]


def _source_specs(
    config: Config,
    now: datetime,
    plan: CatchUp,
    last_runs: dict[str, datetime | None],
    interval_override: timedelta | None,
    rng: random.Random,
) -> Iterable[JobSpec]:
    for source in config.enabled_sources:
        trigger = source_trigger(
            config,
            source,
            last_run=last_runs.get(source.id),
            now=now,
            interval_override=interval_override,
        )
        every = interval_of(source, interval_override)
        schedule = f"every {every}" if every else f"cron {source.schedule.cron}"
        signature = f"{schedule}/{source_zone(config, source)}/{jitter_seconds(config)}"
        first = _soon(config, now, rng) if source.id in plan.sources else None
        yield JobSpec(
            f"crawl:{source.id}",
            jobs.crawl_job,
            trigger,
            signature,
            args=(source.id,),
            executor=CRAWL_EXECUTOR,
            next_run_time=first,
        )


def _digest_specs(
    config: Config, now: datetime, plan: CatchUp, rng: random.Random
) -> Iterable[JobSpec]:
    for recipient in config.settings.recipients:
        if not recipient.enabled:
            continue
        signature = f"{recipient.digest_time}/{recipient_zone(config, recipient)}"
        first = _soon(config, now, rng) if recipient.key in plan.recipients else None
        yield JobSpec(
            f"digest:{recipient.key}",
            jobs.digest_job,
            digest_trigger(config, recipient),
            signature,
            (recipient.key,),
            executor="default",
            next_run_time=first,
        )


def _soon(config: Config, now: datetime, rng: random.Random) -> datetime:
    """Catch-up runs start now plus a small jitter (at most CATCH_UP_SPREAD)."""
    spread = min(config.settings.scheduler.jitter, CATCH_UP_SPREAD).total_seconds()
    return now + timedelta(seconds=rng.uniform(0, spread))


def build_scheduler(
    config: Config,
    *,
    now: datetime | None = None,
    timezone: ZoneInfo | None = None,
    catch_up: CatchUp | None = None,
    last_runs: dict[str, datetime | None] | None = None,
    interval_override: timedelta | None = None,
    blocking: bool = False,
    rng: random.Random | None = None,
) -> BaseScheduler:
    """A scheduler (not started) holding every job of `config`; no store, no I/O."""
    settings = config.settings.scheduler
    scheduler_class = BlockingScheduler if blocking else BackgroundScheduler
    scheduler: BaseScheduler = scheduler_class(
        timezone=timezone or zone(config.settings.timezone),
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
    specs = job_specs(
        config,
        now=now or utcnow(),
        catch_up=catch_up,
        last_runs=last_runs,
        interval_override=interval_override,
        rng=rng,
    )
    for spec in specs:
        add_spec(scheduler, spec)
    return scheduler


def add_spec(scheduler: BaseScheduler, spec: JobSpec) -> None:
    """Add (or replace) the job of one spec."""
    extra: dict[str, Any] = {}
    if spec.next_run_time is not None:
        extra["next_run_time"] = spec.next_run_time
    scheduler.add_job(
        spec.func,
        spec.trigger,
        args=spec.args,
        id=spec.id,
        name=f"{spec.id} [{spec.signature}]",
        executor=spec.executor,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=spec.misfire_grace_time,
        replace_existing=True,
        **extra,
    )


def apply_specs(
    scheduler: BaseScheduler, specs: list[JobSpec]
) -> tuple[list[str], list[str], list[str]]:
    """Make the scheduler's jobs match `specs`: (added, changed, removed) job ids."""
    existing = {job.id: job for job in scheduler.get_jobs()}
    added: list[str] = []
    changed: list[str] = []
    for spec in specs:
        job = existing.pop(spec.id, None)
        if job is not None and job.name == f"{spec.id} [{spec.signature}]":
            continue
        (changed if job is not None else added).append(spec.id)
        add_spec(scheduler, spec)
    for job_id in existing:
        scheduler.remove_job(job_id)
    return added, changed, sorted(existing)


__all__ = ["CatchUp", "JobSpec", "apply_specs", "build_scheduler", "job_specs"]
