"""Enqueue: turn rule matches (and edit and withdrawal notices) the ledger has not seen
into pending `deliveries` rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from alerts.ledger.notices import enqueue_notices
from alerts.ledger.routing import Channel, endpoint_channels, route_rules
from crawler.config import Config
from crawler.store.dialect import insert_ignore, transaction_lock
from crawler.store.schema import deliveries, items, rule_matches

CHUNK = 500
# Serializes enqueue across processes on PostgreSQL (SQLite's BEGIN IMMEDIATE already does).
ADVISORY_LOCK = 0x70726573  # "pres"


@dataclass(frozen=True)
class _Target:
    recipient: str
    endpoint: str
    channel: Channel


@dataclass(frozen=True)
class _Match:
    match_id: int
    item_id: int
    rule_id: str
    duplicate: bool
    cluster_id: int | None


def enqueue(connection: Connection, config: Config, now: datetime) -> int:
    """Create pending deliveries for every rule match not yet enqueued; return rows created.

    Each match is routed (see `route_rules`) to recipients, then to each of their endpoints
    on the channels (cadences) that endpoint takes (see `endpoint_channels`). Matches of duplicate
    items (`items.duplicate_of` set) create nothing. A near-duplicate cluster reaches a
    recipient's endpoint once per channel: later members are skipped (the digest lists their sources
    under "also published by"). An item matched by several rules gets one row per recipient
    and channel, under the rule with the lowest `priority` number. Idempotent and safe under
    concurrency: each match is marked `enqueued_at`, inserts use ON CONFLICT DO NOTHING, and
    enqueue runs serialized (advisory lock on PostgreSQL, BEGIN IMMEDIATE on SQLite). Run it
    inside a transaction (`store.begin()`). Edit and withdrawal notices are queued in the
    same transaction (`alerts.ledger.notices`).
    """
    _lock(connection)
    created = _enqueue_matches(connection, config, now)
    # Edit and withdrawal notices, in this same transaction (taken once; see notices.py).
    return created + enqueue_notices(connection, config, now)


def _enqueue_matches(connection: Connection, config: Config, now: datetime) -> int:
    matches = _unseen(connection, config)
    if not matches:
        return 0
    routes = route_rules(config.rules, config.settings.recipients, config.settings.groups)
    rules = {rule.id: rule for rule in config.rules}
    clusters = _delivered_clusters(connection, {m.cluster_id for m in matches} - {None})
    told = _told_by_notice(connection, [m.item_id for m in matches])
    created = 0
    for match in matches:
        rule = rules.get(match.rule_id)
        if match.duplicate or rule is None:
            continue
        for recipient in routes.get(rule.id, ()):
            for endpoint, channel in endpoint_channels(rule, recipient):
                if (recipient.key, endpoint, match.item_id) in told:
                    continue  # a revision's new match was told as an edit ("now mentions")
                target = _Target(recipient.key, endpoint, channel)
                created += _add(connection, match, target, clusters, now)
    _mark_enqueued(connection, [m.match_id for m in matches], now)
    return created


def _lock(connection: Connection) -> None:
    transaction_lock(connection, ADVISORY_LOCK)


def _unseen(connection: Connection, config: Config) -> list[_Match]:
    """Matches without `enqueued_at`, best rule first for each item."""
    priority = {rule.id: rule.priority for rule in config.rules}
    query = (
        select(
            rule_matches.c.id,
            rule_matches.c.item_id,
            rule_matches.c.rule_id,
            items.c.duplicate_of,
            items.c.cluster_id,
        )
        .join(items, items.c.id == rule_matches.c.item_id)
        .where(rule_matches.c.enqueued_at.is_(None))
    )
    found = [
        _Match(row.id, row.item_id, row.rule_id, row.duplicate_of is not None, row.cluster_id)
        for row in connection.execute(query)
    ]
    found.sort(key=lambda m: (m.item_id, priority.get(m.rule_id, 10**6), m.rule_id))
    return found


def _told_by_notice(connection: Connection, item_ids: Sequence[int]) -> set[tuple[str, str, int]]:
    """(recipient, endpoint, item) that already had an edit notice of the item: a match found
    later (`rules rematch` of a revision) is not news to them."""
    told: set[tuple[str, str, int]] = set()
    wanted = sorted(set(item_ids))
    for start in range(0, len(wanted), CHUNK):
        d = deliveries.c
        query = select(d.recipient, d.endpoint, d.item_id).where(
            d.item_id.in_(wanted[start : start + CHUNK]), d.kind == "edit"
        )
        told.update((r.recipient, r.endpoint, int(r.item_id)) for r in connection.execute(query))
    return told


def _delivered_clusters(
    connection: Connection, cluster_ids: Iterable[int | None]
) -> set[tuple[_Target, int]]:
    """(recipient, endpoint, channel) and cluster id already present in the ledger."""
    wanted = [c for c in cluster_ids if c is not None]
    seen: set[tuple[_Target, int]] = set()
    for start in range(0, len(wanted), CHUNK):
        query = (
            select(
                deliveries.c.recipient,
                deliveries.c.endpoint,
                deliveries.c.channel,
                items.c.cluster_id,
            )
            .join(items, items.c.id == deliveries.c.item_id)
            .where(items.c.cluster_id.in_(wanted[start : start + CHUNK]))
        )
        seen.update(
            (_Target(r.recipient, r.endpoint, r.channel), r.cluster_id)
            for r in connection.execute(query)
        )
    return seen


def _add(
    connection: Connection,
    match: _Match,
    target: _Target,
    clusters: set[tuple[_Target, int]],
    now: datetime,
) -> int:
    if match.cluster_id is not None:
        key = (target, match.cluster_id)
        if key in clusters:
            return 0
        clusters.add(key)
    values = {
        "recipient": target.recipient,
        "endpoint": target.endpoint,
        "item_id": match.item_id,
        "rule_id": match.rule_id,
        "channel": target.channel,
        "status": "pending",
        "attempts": 0,
        "created_at": now,
    }
    statement = _insert_ignoring_conflicts(connection, values).returning(deliveries.c.id)
    return len(connection.execute(statement).all())


def _insert_ignoring_conflicts(connection: Connection, values: dict[str, Any]) -> Any:
    return insert_ignore(connection, deliveries).values(values)


def _mark_enqueued(connection: Connection, match_ids: Sequence[int], now: datetime) -> None:
    for start in range(0, len(match_ids), CHUNK):
        chunk = match_ids[start : start + CHUNK]
        connection.execute(
            update(rule_matches).where(rule_matches.c.id.in_(chunk)).values(enqueued_at=now)
        )
