"""build_scheduler: jobs and triggers at a fixed "now", in several timezones and across DST."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from apscheduler.job import Job
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from crawler.config import Config
from crawler.daemon import jobs
from crawler.daemon.catchup import CatchUp
from crawler.daemon.lock import Holder
from crawler.daemon.specs import CRAWL_EXECUTOR, job_specs
from crawler.daemon.state import DaemonState
from crawler.daemon.timing import crontab_weekdays
from crawler.store.store import Store
from scheduler import Schedule, build_scheduler
from tests.daemon.helpers import feed_source, make_config

NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
URL = "http://127.0.0.1:9/feed.xml"


def _at(month: int, day: int, hour: int) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def _config(tmp_path: Path, **kwargs: Any) -> Config:
    kwargs.setdefault("sources", [feed_source("alpha", URL)])
    kwargs.setdefault("scheduler", {"jitter": "0s"})
    return make_config(tmp_path / "config", **kwargs)


@contextmanager
def _state(config: Config) -> Iterator[DaemonState]:
    """A daemon state for jobs that are never run (its store is never opened)."""
    store = Store.from_url(f"sqlite:///{config.directory / 'unused.db'}", migrate_schema=False)
    try:
        yield DaemonState(config, store, Holder.me())
    finally:
        store.close()


def _jobs(config: Config, **kwargs: Any) -> dict[str, Job]:
    with _state(config) as state:
        schedule = build_scheduler(state, now=NOW, rng=random.Random(1), **kwargs)
        return {job.id: job for job in schedule.scheduler.get_jobs()}


def _next(job: Job, now: datetime = NOW) -> datetime:
    fire: datetime = job.trigger.get_next_fire_time(None, now)
    return fire.astimezone(UTC)


def test_one_job_per_source_recipient_and_housekeeping(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        sources=[
            feed_source("alpha", URL),
            feed_source("beta", URL, schedule={"cron": "0 */6 * * *"}),
            feed_source("gamma", URL, enabled=False),
        ],
        recipients=[{"id": "desk", "address": "desk@example.org"}],
    )
    jobs_by_id = _jobs(config)
    assert sorted(jobs_by_id) == [
        "crawl:alpha", "crawl:beta", "digest:desk", "heartbeat", "maintenance", "retry",
    ]  # fmt: skip
    alpha = jobs_by_id["crawl:alpha"]
    assert alpha.func.func is jobs.crawl_job and alpha.args == ("alpha",)
    assert alpha.executor == CRAWL_EXECUTOR
    assert alpha.coalesce is True and alpha.max_instances == 1
    assert alpha.misfire_grace_time == 600
    assert isinstance(alpha.trigger, IntervalTrigger)
    assert alpha.trigger.interval == timedelta(minutes=1)
    assert isinstance(jobs_by_id["crawl:beta"].trigger, CronTrigger)
    assert jobs_by_id["digest:desk"].args == ("desk",)
    assert jobs_by_id["digest:desk"].func.func is jobs.digest_job


def test_interval_aligned_on_last_run_and_jitter(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        sources=[feed_source("alpha", URL, schedule={"every": "1h"})],
        scheduler={"jitter": "30s"},
    )
    last = NOW - timedelta(minutes=10)
    job = _jobs(config, last_runs={"alpha": last})["crawl:alpha"]
    assert job.trigger.jitter == 30
    due = last + timedelta(hours=1)
    assert due <= _next(job) <= due + timedelta(seconds=30)
    assert not hasattr(job, "next_run_time")  # computed from the trigger at start


def test_never_run_interval_source_waits_a_full_interval_without_catch_up(tmp_path: Path) -> None:
    job = _jobs(_config(tmp_path))["crawl:alpha"]
    assert _next(job) == NOW + timedelta(minutes=1)


def test_catch_up_runs_soon_once_then_every_interval(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        sources=[feed_source("alpha", URL, schedule={"every": "1h"})],
        scheduler={"jitter": "60s"},
    )
    plan = CatchUp(sources=["alpha"])
    job = _jobs(config, catch_up=plan, last_runs={"alpha": NOW - timedelta(hours=5)})["crawl:alpha"]
    first: datetime = job.next_run_time
    assert NOW <= first <= NOW + timedelta(seconds=10)  # small jitter, not a full interval
    second = job.trigger.get_next_fire_time(first, first)
    assert second - first >= timedelta(minutes=59)


@pytest.mark.parametrize(
    ("zone", "day", "expected_utc"),
    [
        ("Asia/Karachi", _at(3, 28, 12), _at(3, 29, 3)),
        # London springs forward on Sunday 29 March 2026: 08:00 BST is 07:00 UTC.
        ("Europe/London", _at(3, 28, 9), _at(3, 29, 7)),
        ("Europe/London", _at(3, 27, 9), _at(3, 28, 8)),
        # ... and falls back on Sunday 25 October 2026: 08:00 GMT is 08:00 UTC.
        ("Europe/London", _at(10, 24, 9), _at(10, 25, 8)),
        ("Europe/London", _at(10, 23, 9), _at(10, 24, 7)),
        # New York: DST from 8 March 2026 (EDT, UTC-4) to 1 November 2026 (EST, UTC-5).
        ("America/New_York", _at(3, 7, 14), _at(3, 8, 12)),
        ("America/New_York", _at(10, 31, 14), _at(11, 1, 13)),
    ],
)  # fmt: skip
def test_digest_at_local_time_across_dst(
    tmp_path: Path, zone: str, day: datetime, expected_utc: datetime
) -> None:
    config = _config(
        tmp_path,
        recipients=[
            {"id": "r", "address": "r@example.org", "timezone": zone, "digest_time": "08:00"}
        ],
    )
    job = _jobs(config)["digest:r"]
    assert _next(job, day) == expected_utc
    assert _next(job, day).astimezone(job.trigger.timezone).hour == 8


def test_recipient_without_timezone_uses_the_global_one(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        timezone="Asia/Karachi",
        recipients=[{"id": "r", "address": "r@example.org", "digest_time": "07:30"}],
    )
    jobs_by_id = _jobs(config)
    assert _next(jobs_by_id["digest:r"]) == datetime(2026, 3, 29, 2, 30, tzinfo=UTC)
    # maintenance "30 3 * * *" runs at 03:30 Karachi time
    assert _next(jobs_by_id["maintenance"]) == datetime(2026, 3, 28, 22, 30, tzinfo=UTC)


def test_cron_source_in_its_timezone_with_crontab_weekdays(tmp_path: Path) -> None:
    source = feed_source("alpha", URL, schedule={"cron": "0 9 * * 1"}, timezone="America/New_York")
    job = _jobs(_config(tmp_path, sources=[source]))["crawl:alpha"]
    fire = _next(job)  # Saturday 28 March -> Monday 30 March 09:00 EDT
    assert fire == _at(3, 30, 13)
    assert fire.astimezone(job.trigger.timezone).strftime("%a %H:%M") == "Mon 09:00"


@pytest.mark.parametrize(
    ("field", "names"),
    [
        ("0", "sun"),
        ("7", "sun"),
        ("1-5", "mon,tue,wed,thu,fri"),
        ("5-7", "sun,fri,sat"),
        ("*", "*"),
    ],
)
def test_crontab_weekdays_count_from_sunday(field: str, names: str) -> None:
    assert crontab_weekdays(field) == names


def test_reload_diff_adds_changes_and_removes(tmp_path: Path) -> None:
    old = _config(tmp_path, sources=[feed_source("alpha", URL), feed_source("beta", URL)])
    with _state(old) as state:
        _reload_diff(build_scheduler(state, now=NOW), tmp_path)


def _reload_diff(schedule: Schedule, tmp_path: Path) -> None:
    scheduler = schedule.scheduler
    scheduler.start(paused=True)
    try:
        new = make_config(
            tmp_path / "new",
            sources=[
                feed_source("alpha", URL, schedule={"every": "2h"}),
                feed_source("gamma", URL),
            ],
        )
        added, changed, removed = schedule.apply(job_specs(new, now=NOW))
        assert (added, changed, removed) == (["crawl:gamma"], ["crawl:alpha"], ["crawl:beta"])
        assert scheduler.get_job("crawl:alpha").trigger.interval == timedelta(hours=2)
        assert schedule.apply(job_specs(new, now=NOW)) == ([], [], [])
    finally:
        scheduler.shutdown(wait=False)
