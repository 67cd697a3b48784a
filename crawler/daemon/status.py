"""`presswatch status`: sources, deliveries, digests and the daemon lease, from config + store."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.engine import make_url

from crawler.config import Config
from crawler.config.models import SourceConfig
from crawler.daemon import lock
from crawler.daemon.timing import digest_trigger, next_fire, source_overdue, source_trigger
from crawler.errors import ConfigError
from crawler.formatting import format_schedule
from crawler.store.evidence import evidence_status
from crawler.store.sources import SourceState, source_states
from crawler.store.store import Store

Report = dict[str, Any]


def collect_status(
    config: Config, store: Store, now: datetime, config_error: ConfigError | None = None
) -> Report:
    """Everything `status` shows, as plain data (datetimes kept as datetimes).

    With `config_error` the config on disk is broken and `config` holds its valid parts: the
    store's sources that config no longer names are listed too (the daemon still runs them).
    """
    return {
        "now": now,
        "config_errors": [str(issue) for issue in config_error.issues] if config_error else [],
        "timezone": config.settings.timezone,
        "database": safe_url(config.database_url),
        "mail": {"transport": config.settings.mail.transport},
        "daemon": _daemon(store, now),
        "sources": _sources(config, store, now, include_unknown=config_error is not None),
        **_counts(store),
        "recipients": _recipients(config, store, now),
        "backlog": _backlog(store),
        "evidence": evidence_status(store, config),
    }


def _backlog(store: Store) -> list[Report]:
    """Recipients with deliveries not yet sent or messages given up on, and the last error."""
    from dataclasses import asdict

    from alerts import ledger

    with store.connect() as connection:
        summary = ledger.summarize(connection)
    return [
        asdict(entry)
        for entry in summary.recipients.values()
        if entry.pending or entry.failed or entry.dead
    ]


def safe_url(url: str) -> str:
    """The database URL with any password masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparsable database URL>"


def _daemon(store: Store, now: datetime) -> Report:
    with store.connect() as connection:
        lease = lock.read_lease(connection)
    if lease is None:
        return {"running": False}
    return {
        "running": lease.expires_at > now,
        "pid": lease.holder.pid,
        "host": lease.holder.host,
        "since": lease.acquired_at,
        "heartbeat_at": lease.heartbeat_at,
        "expires_at": lease.expires_at,
    }


def _sources(
    config: Config, store: Store, now: datetime, *, include_unknown: bool = False
) -> list[Report]:
    with store.connect() as connection:
        rows = source_states(connection)
    report = [_source(config, source, rows.get(source.id), now) for source in config.sources]
    if include_unknown:
        known = {source.id for source in config.sources}
        report += [_stored_only(row) for row_id, row in sorted(rows.items()) if row_id not in known]
    return report


def _stored_only(row: SourceState) -> Report:
    """A source the store knows but the (broken) config on disk does not validate."""
    return {
        "id": row.id,
        "enabled": True,
        "schedule": None,
        "health": row.health,
        "health_since": row.health_since,
        "health_detail": row.health_detail,
        "last_run_at": row.last_run_at,
        "last_success_at": row.last_success_at,
        "last_new_item_at": row.last_new_item_at,
        "next_run_at": None,
        "in_config": False,
    }


def _source(config: Config, source: SourceConfig, row: SourceState | None, now: datetime) -> Report:
    last_run = row.last_run_at if row is not None else None
    return {
        "id": source.id,
        "enabled": source.enabled,
        "schedule": _schedule_text(source),
        "health": row.health if row is not None else "new",
        "health_since": row.health_since if row is not None else None,
        "health_detail": row.health_detail if row is not None else None,
        "last_run_at": last_run,
        "last_success_at": row.last_success_at if row is not None else None,
        "last_new_item_at": row.last_new_item_at if row is not None else None,
        "next_run_at": next_run(config, source, last_run, now) if source.enabled else None,
        "in_config": True,
    }


def _schedule_text(source: SourceConfig) -> str:
    return format_schedule(source.schedule.every, source.schedule.cron)


def next_run(
    config: Config, source: SourceConfig, last_run: datetime | None, now: datetime
) -> datetime | None:
    """When the daemon crawls this source next: now if overdue, else from schedule + last run."""
    if source_overdue(config, source, last_run, now):
        return now
    trigger = source_trigger(config, source, last_run=last_run, now=now, jitter=False)
    return next_fire(trigger, now)


def _counts(store: Store) -> dict[str, dict[str, dict[str, int]]]:
    from alerts.ledger.summary import status_counts

    with store.connect() as connection:
        return status_counts(connection)


def _recipients(config: Config, store: Store, now: datetime) -> list[Report]:
    """Each reader's digest: the last one the mail server accepted, one that has not gone out
    yet (with why), and the next one due."""
    from alerts import ledger

    report = []
    with store.connect() as connection:
        for r in config.settings.recipients:
            report.append(
                {
                    "key": r.key,
                    "enabled": r.enabled,
                    "timezone": r.timezone or config.settings.timezone,
                    "digest_time": r.digest_time.isoformat(),
                    "last_digest_at": ledger.last_sent_digest(connection, r.key),
                    "undelivered_digest": ledger.undelivered_digest(connection, r.key),
                    "next_digest_at": (
                        next_fire(digest_trigger(config, r), now) if r.enabled else None
                    ),
                }
            )
    return report
