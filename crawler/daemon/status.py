"""`presswatch status`: sources, deliveries, digests and the daemon lease, from config + store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time

from alerts.feedstate import FeedWriteState, read_feed_states
from alerts.ledger import RecipientLedger, last_sent_digest, summarize, undelivered_digest
from alerts.ledger.summary import status_counts
from crawler.cluster.inspect import ClusterStatus, cluster_status
from crawler.config import Config
from crawler.config.models import SourceConfig
from crawler.daemon import lock
from crawler.daemon.timing import digest_trigger, next_fire, source_overdue, source_trigger
from crawler.errors import ConfigError
from crawler.formatting import format_schedule, redact_url
from crawler.store.evidence import EvidenceStatus, evidence_status
from crawler.store.rechecks import SourceRechecks, source_rechecks
from crawler.store.sources import SourceState, source_states
from crawler.store.store import Store
from crawler.store.withdrawal import RecheckPolicy

LedgerCounts = dict[str, dict[str, int]]  # channel -> status -> count


@dataclass(frozen=True)
class DaemonStatus:
    """The daemon lease: who holds it and whether it is still fresh (None when no lease)."""

    running: bool
    pid: int | None = None
    host: str | None = None
    since: datetime | None = None
    heartbeat_at: datetime | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True)
class SourceStatus:
    """A source's health, runs and next run (`in_config` False: known only to the store)."""

    id: str
    enabled: bool
    schedule: str | None
    health: str
    health_since: datetime | None
    health_detail: str | None
    last_run_at: datetime | None
    last_success_at: datetime | None
    last_new_item_at: datetime | None
    next_run_at: datetime | None
    in_config: bool
    rechecks: RecheckStatus | None = None


@dataclass(frozen=True)
class RecheckStatus:
    """A source's rechecks of sent items (withdrawals, edits): items still watched, due now,
    withdrawn, unknown (last recheck failed), and rechecks of the last 24 hours vs budget."""

    enabled: bool
    watched: int
    due: int
    withdrawn: int
    unknown: int
    spent: int
    budget: int


@dataclass(frozen=True)
class UndeliveredDigest:
    """A digest composed but not (yet) accepted by the mail server."""

    created_at: datetime
    status: str
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None


@dataclass(frozen=True)
class RecipientStatus:
    """A reader's digest: the last one accepted, one not gone out yet, the next one due."""

    key: str
    enabled: bool
    timezone: str
    digest_time: time
    last_digest_at: datetime | None
    undelivered_digest: UndeliveredDigest | None
    next_digest_at: datetime | None


@dataclass(frozen=True)
class MailStatus:
    transport: str


@dataclass(frozen=True)
class StatusReport:
    """Everything `status` shows (datetimes kept as datetimes; the renderer formats them)."""

    now: datetime
    config_errors: list[str]
    timezone: str
    database: str
    mail: MailStatus
    daemon: DaemonStatus
    sources: list[SourceStatus] = field(default_factory=list)
    deliveries: LedgerCounts = field(default_factory=dict)
    messages: LedgerCounts = field(default_factory=dict)
    notices: LedgerCounts = field(default_factory=dict)  # edit|withdrawal -> status -> count
    recipients: list[RecipientStatus] = field(default_factory=list)
    backlog: list[RecipientLedger] = field(default_factory=list)
    evidence: EvidenceStatus | None = None
    standbys: list[DaemonStatus] = field(default_factory=list)
    cluster: ClusterStatus | None = None
    # the Atom feed directories: last written, last error (alerts.feedstate)
    feeds: list[FeedWriteState] = field(default_factory=list)


def collect_status(
    config: Config, store: Store, now: datetime, config_error: ConfigError | None = None
) -> StatusReport:
    """Everything `status` shows.

    With `config_error` the config on disk is broken and `config` holds its valid parts: the
    store's sources that config no longer names are listed too (the daemon still runs them).
    """
    counts = _counts(store)
    return StatusReport(
        now=now,
        config_errors=[str(issue) for issue in config_error.issues] if config_error else [],
        timezone=config.settings.timezone,
        database=redact_url(config.database_url),
        mail=MailStatus(config.settings.mail.transport),
        daemon=_daemon(store, now),
        sources=_sources(config, store, now, include_unknown=config_error is not None),
        deliveries=counts["deliveries"],
        messages=counts["messages"],
        notices=counts["notices"],
        recipients=_recipients(config, store, now),
        backlog=_backlog(store),
        evidence=evidence_status(store, config),
        standbys=_standbys(store, now),
        cluster=cluster_status(config),
        feeds=read_feed_states(config.data_dir) if config.settings.feeds.enabled else [],
    )


def _backlog(store: Store) -> list[RecipientLedger]:
    """Recipients with deliveries not yet sent or messages given up on, and the last error."""
    with store.connect() as connection:
        summary = summarize(connection)
    return [e for e in summary.recipients.values() if e.pending or e.failed or e.dead]


def _daemon(store: Store, now: datetime) -> DaemonStatus:
    with store.connect() as connection:
        lease = lock.read_lease(connection)
    if lease is None:
        return DaemonStatus(running=False)
    return DaemonStatus(
        running=lease.expires_at > now,
        pid=lease.holder.pid,
        host=lease.holder.host,
        since=lease.acquired_at,
        heartbeat_at=lease.heartbeat_at,
        expires_at=lease.expires_at,
    )


def _standbys(store: Store, now: datetime) -> list[DaemonStatus]:
    with store.connect() as connection:
        rows = lock.standbys(connection, now)
    return [
        DaemonStatus(True, r.holder.pid, r.holder.host, r.acquired_at, r.heartbeat_at, r.expires_at)
        for r in rows
    ]


def _sources(
    config: Config, store: Store, now: datetime, *, include_unknown: bool = False
) -> list[SourceStatus]:
    with store.connect() as connection:
        rows = source_states(connection)
        rechecks = source_rechecks(connection, now)
    report = [
        _source(config, source, rows.get(source.id), now, rechecks.get(source.id))
        for source in config.sources
    ]
    if include_unknown:
        known = {source.id for source in config.sources}
        report += [_stored_only(row) for row_id, row in sorted(rows.items()) if row_id not in known]
    return report


def _stored_only(row: SourceState) -> SourceStatus:
    """A source the store knows but the (broken) config on disk does not validate."""
    return SourceStatus(
        id=row.id,
        enabled=True,
        schedule=None,
        health=row.health,
        health_since=row.health_since,
        health_detail=row.health_detail,
        last_run_at=row.last_run_at,
        last_success_at=row.last_success_at,
        last_new_item_at=row.last_new_item_at,
        next_run_at=None,
        in_config=False,
    )


def _source(
    config: Config,
    source: SourceConfig,
    row: SourceState | None,
    now: datetime,
    rechecks: SourceRechecks | None = None,
) -> SourceStatus:
    last_run = row.last_run_at if row is not None else None
    policy = RecheckPolicy.from_config(config, source)
    counts = rechecks or SourceRechecks(0, 0, 0, 0, 0)
    return SourceStatus(
        id=source.id,
        enabled=source.enabled,
        schedule=format_schedule(source.schedule.every, source.schedule.cron),
        health=row.health if row is not None else "new",
        health_since=row.health_since if row is not None else None,
        health_detail=row.health_detail if row is not None else None,
        last_run_at=last_run,
        last_success_at=row.last_success_at if row is not None else None,
        last_new_item_at=row.last_new_item_at if row is not None else None,
        next_run_at=next_run(config, source, last_run, now) if source.enabled else None,
        in_config=True,
        rechecks=RecheckStatus(
            policy.enabled,
            counts.watched,
            counts.due,
            counts.withdrawn,
            counts.unknown,
            counts.spent,
            policy.budget_per_source_per_day,
        ),
    )


def next_run(
    config: Config, source: SourceConfig, last_run: datetime | None, now: datetime
) -> datetime | None:
    """When the daemon crawls this source next: now if overdue, else from schedule + last run."""
    if source_overdue(config, source, last_run, now):
        return now
    trigger = source_trigger(config, source, last_run=last_run, now=now, jitter=False)
    return next_fire(trigger, now)


def _counts(store: Store) -> dict[str, LedgerCounts]:
    with store.connect() as connection:
        return status_counts(connection)


def _recipients(config: Config, store: Store, now: datetime) -> list[RecipientStatus]:
    """Each reader's digest: the last one the mail server accepted, one that has not gone out
    yet (with why), and the next one due."""
    report = []
    with store.connect() as connection:
        for r in config.settings.recipients:
            undelivered = undelivered_digest(connection, r.key)
            report.append(
                RecipientStatus(
                    key=r.key,
                    enabled=r.enabled,
                    timezone=config.timezone_of(r),
                    digest_time=r.digest_time,
                    last_digest_at=last_sent_digest(connection, r.key),
                    undelivered_digest=UndeliveredDigest(**undelivered) if undelivered else None,
                    next_digest_at=(
                        next_fire(digest_trigger(config, r), now) if r.enabled else None
                    ),
                )
            )
    return report
