"""Retention: delete old items no pending delivery needs, old crawl runs and stale validators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Table, and_, delete, exists, func, not_, select

from crawler.store.schema import (
    crawl_runs,
    deliveries,
    http_validators,
    item_bands,
    item_revisions,
    items,
    rule_matches,
)
from crawler.store.types import utcnow

# Deliveries in these states still need their item.
UNDELIVERED = ("pending", "failed")
# Crawl runs kept per source whatever their age (the health history needs them).
KEEP_RUNS_PER_SOURCE = 50


@dataclass(frozen=True)
class GcResult:
    """What one collection removed (cascaded rows are not counted, orphans are)."""

    items_deleted: int
    orphans_deleted: int
    crawl_runs_deleted: int
    validators_deleted: int


def collect_garbage(
    connection: Connection,
    older_than: timedelta,
    now: datetime | None = None,
    *,
    keep_runs: int = KEEP_RUNS_PER_SOURCE,
) -> GcResult:
    """Delete what is older than `older_than`, in the caller's transaction.

    Items first seen before the cutoff go unless a pending or failed delivery needs them;
    their revisions, bands, rule matches and sent deliveries follow through the cascading
    foreign keys. Crawl runs started before the cutoff go, except the newest `keep_runs`
    of each source; HTTP validators not checked since the cutoff go.
    """
    cutoff = (now or utcnow()) - older_than
    return GcResult(
        items_deleted=_delete_items(connection, cutoff),
        orphans_deleted=_delete_orphans(connection),
        crawl_runs_deleted=_delete_runs(connection, cutoff, keep_runs),
        validators_deleted=_delete_validators(connection, cutoff),
    )


def _delete_items(connection: Connection, cutoff: datetime) -> int:
    needed = exists().where(
        and_(deliveries.c.item_id == items.c.id, deliveries.c.status.in_(UNDELIVERED))
    )
    statement = delete(items).where(items.c.first_seen_at < cutoff).where(not_(needed))
    return connection.execute(statement).rowcount


def _delete_orphans(connection: Connection) -> int:
    """Rows whose item is gone: only possible if foreign keys were ever off (SQLite)."""
    total = 0
    for table in (item_revisions, item_bands, rule_matches, deliveries):
        total += _delete_orphans_of(connection, table)
    return total


def _delete_orphans_of(connection: Connection, table: Table) -> int:
    alive = exists().where(items.c.id == table.c.item_id)
    return connection.execute(delete(table).where(not_(alive))).rowcount


def _delete_runs(connection: Connection, cutoff: datetime, keep: int) -> int:
    rank = (
        func.row_number()
        .over(
            partition_by=crawl_runs.c.source_id,
            order_by=(crawl_runs.c.started_at.desc(), crawl_runs.c.id.desc()),
        )
        .label("rank")
    )
    ranked = select(crawl_runs.c.id, crawl_runs.c.started_at, rank).subquery()
    doomed = select(ranked.c.id).where(ranked.c.rank > keep).where(ranked.c.started_at < cutoff)
    return connection.execute(delete(crawl_runs).where(crawl_runs.c.id.in_(doomed))).rowcount


def _delete_validators(connection: Connection, cutoff: datetime) -> int:
    statement = delete(http_validators).where(http_validators.c.checked_at < cutoff)
    return connection.execute(statement).rowcount
