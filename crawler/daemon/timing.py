"""Triggers of sources and recipients, and when they fire: shared by scheduler, catch-up, status."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from crawler.config import Config
from crawler.config.models import RecipientConfig, SourceConfig


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def source_zone(config: Config, source: SourceConfig) -> ZoneInfo:
    """A source's cron runs in its own timezone, else the global one."""
    return zone(config.timezone_of(source))


def recipient_zone(config: Config, recipient: RecipientConfig) -> ZoneInfo:
    """A recipient's digest time is in their timezone, else the global one."""
    return zone(config.timezone_of(recipient))


def interval_of(source: SourceConfig, override: timedelta | None = None) -> timedelta | None:
    """The effective interval of an interval source (None for a cron source)."""
    if source.schedule.every is None:
        return None
    return override or source.schedule.every


def jitter_seconds(config: Config) -> int | None:
    seconds = int(config.settings.scheduler.jitter.total_seconds())
    return seconds or None


def source_trigger(
    config: Config,
    source: SourceConfig,
    *,
    last_run: datetime | None = None,
    now: datetime,
    interval_override: timedelta | None = None,
    jitter: bool = True,
) -> BaseTrigger:
    """IntervalTrigger aligned on the last run, or CronTrigger in the source's timezone."""
    tz = source_zone(config, source)
    spread = jitter_seconds(config) if jitter else None
    every = interval_of(source, interval_override)
    if every is None:
        assert source.schedule.cron is not None
        return crontab_trigger(source.schedule.cron, tz, jitter=spread)
    start = last_run + every if last_run is not None and last_run + every > now else now + every
    return IntervalTrigger(
        seconds=every.total_seconds(), start_date=start, timezone=tz, jitter=spread
    )


_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def crontab_trigger(expression: str, tz: ZoneInfo, *, jitter: int | None = None) -> CronTrigger:
    """A CronTrigger with crontab semantics (APScheduler 3 counts weekdays from Monday = 0)."""
    minute, hour, day, month, day_of_week = expression.split()
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=crontab_weekdays(day_of_week),
        timezone=tz,
        jitter=jitter,
    )


def crontab_weekdays(field: str) -> str:
    """Rewrite a crontab day-of-week field (0 or 7 = Sunday) as APScheduler day names."""
    if field in {"*", "?"} or not any(ch.isdigit() for ch in field) or re.search("[LW#]", field):
        return field
    days: set[int] = set()
    for part in field.split(","):
        days.update(_weekday_part(part))
    return ",".join(_DAY_NAMES[d] for d in sorted(days))


def _weekday_part(part: str) -> range | list[int]:
    body, _, step_text = part.partition("/")
    step = int(step_text) if step_text else 1
    if body in {"*", "?"}:
        return range(0, 7, step)
    low_text, _, high_text = body.partition("-")
    low = _weekday_number(low_text)
    high = _weekday_number(high_text) if high_text else (6 if step_text else low)
    if high_text and high == 0 and low > 0:
        high = 7  # "5-7" or "5-0": Friday to Sunday
    return [d % 7 for d in range(low, high + 1, step)]


def _weekday_number(text: str) -> int:
    if text.isdigit():
        return int(text)
    return _DAY_NAMES.index(text.lower()[:3])


def digest_trigger(config: Config, recipient: RecipientConfig) -> CronTrigger:
    """Every day at the recipient's digest_time, in their timezone (the zone handles DST)."""
    when = recipient.digest_time
    return CronTrigger(
        hour=when.hour,
        minute=when.minute,
        second=when.second,
        timezone=recipient_zone(config, recipient),
    )


def next_fire(trigger: BaseTrigger, after: datetime) -> datetime | None:
    """The first fire time at or after `after` (without jitter)."""
    fire: datetime | None = trigger.get_next_fire_time(None, after)
    return fire


def cron_fired_since(trigger: BaseTrigger, since: datetime, now: datetime) -> bool:
    """Whether the trigger had a fire time in (since, now]."""
    fire = next_fire(trigger, since + timedelta(seconds=1))
    return fire is not None and fire <= now


def source_overdue(
    config: Config,
    source: SourceConfig,
    last_run: datetime | None,
    now: datetime,
    interval_override: timedelta | None = None,
) -> bool:
    """Never run, or its interval (or a cron fire time) passed since the last run."""
    if last_run is None:
        return True
    every = interval_of(source, interval_override)
    if every is not None:
        return last_run + every <= now
    assert source.schedule.cron is not None
    trigger = crontab_trigger(source.schedule.cron, source_zone(config, source))
    return cron_fired_since(trigger, last_run, now)
