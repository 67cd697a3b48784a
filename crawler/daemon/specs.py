"""Every job of the daemon, derived purely from the configuration (no store, no I/O).

A spec names its job function and the ids it takes; the scheduler binds the daemon state.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from crawler.config import Config
from crawler.daemon import jobs
from crawler.daemon.catchup import CatchUp
from crawler.daemon.jobs import Job
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
from crawler.formatting import format_schedule

CRAWL_EXECUTOR = "crawls"
DISPATCH_EVERY = 15  # seconds: immediate alerts of matches stored by Celery workers
CATCH_UP_SPREAD = timedelta(seconds=10)


@dataclass(frozen=True)
class JobSpec:
    """One job to schedule; `signature` changes when its schedule does (reload diff)."""

    id: str
    func: Job  # called with the daemon state, then `args`
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
    if config.settings.crawl.executor == "celery":
        # workers store items and matches; their immediate alerts are sent from here
        specs.append(
            JobSpec(
                "dispatch",
                jobs.dispatch_job,
                IntervalTrigger(seconds=DISPATCH_EVERY, timezone=tz),
                f"{DISPATCH_EVERY}",
            )
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
        schedule = format_schedule(interval_of(source, interval_override), source.schedule.cron)
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
