"""Start-up catch-up: which sources are overdue and which recipients missed a digest."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from alerts.ledger import last_digest
from crawler.config import Config
from crawler.daemon.timing import cron_fired_since, digest_trigger, source_overdue
from crawler.store.sources import source_states
from crawler.store.store import Store


@dataclass(frozen=True)
class CatchUp:
    """Work due at start-up: each overdue source crawled once, each missed digest sent once."""

    sources: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.sources or self.recipients)


def plan_catch_up(
    config: Config,
    last_runs: Mapping[str, datetime | None],
    last_digests: Mapping[str, datetime | None],
    now: datetime,
    *,
    interval_override: timedelta | None = None,
) -> CatchUp:
    """Pure: the overdue enabled sources and the recipients whose digest time passed.

    A source is overdue when it never ran, when last run + interval <= now, or when a cron
    fire time fell after its last run.  A recipient missed a digest when a scheduled digest
    time fell in (last digest, now]; a recipient who never had a digest waits for the next
    scheduled time (there is no gap to cover yet).
    """
    overdue = [
        source.id
        for source in config.enabled_sources
        if source_overdue(config, source, last_runs.get(source.id), now, interval_override)
    ]
    missed = []
    for recipient in config.settings.recipients:
        last = last_digests.get(recipient.key)
        trigger = digest_trigger(config, recipient)
        if recipient.enabled and last is not None and cron_fired_since(trigger, last, now):
            missed.append(recipient.key)
    return CatchUp(overdue, missed)


def read_last_runs(store: Store) -> dict[str, datetime | None]:
    """Each known source's last_run_at."""
    with store.connect() as connection:
        return {state.id: state.last_run_at for state in source_states(connection).values()}


def read_last_digests(store: Store, config: Config) -> dict[str, datetime | None]:
    """Each enabled recipient's last digest time (composed: sent or still being retried)."""
    with store.connect() as connection:
        return {
            r.key: last_digest(connection, r.key) for r in config.settings.recipients if r.enabled
        }


def plan_from_store(
    store: Store, config: Config, now: datetime, *, interval_override: timedelta | None = None
) -> tuple[CatchUp, dict[str, datetime | None]]:
    """The catch-up plan from the store's state, and the last runs it used."""
    last_runs = read_last_runs(store)
    plan = plan_catch_up(
        config,
        last_runs,
        read_last_digests(store, config),
        now,
        interval_override=interval_override,
    )
    return plan, last_runs
