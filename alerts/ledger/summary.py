"""Read-only views of the ledger: per-recipient counts for `status`, last digest times."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from alerts.ledger.batches import EMAIL
from crawler.store.edits import untaken_edit_count
from crawler.store.rechecks import pending_withdrawals
from crawler.store.schema import deliveries, messages


@dataclass
class RecipientLedger:
    """One recipient's backlog: deliveries not yet sent, and messages given up on."""

    recipient: str
    pending: int = 0  # deliveries waiting for a message or attached to one in flight
    failed: int = 0  # deliveries whose last attempt failed (retried, or carried forward)
    dead: int = 0  # messages given up on (permanent error or max_attempts)
    last_error: str | None = None  # of the newest message that failed or was given up on
    last_error_channel: str | None = None
    next_attempt_at: datetime | None = None  # when that message is retried (None: not retried)
    last_sent_at: datetime | None = None
    # Each endpoint with a backlog, retried on its own (see `summarize_endpoints`).
    endpoints: list[EndpointLedger] = field(default_factory=list)


@dataclass
class LedgerSummary:
    """Ledger state for `presswatch status`, one entry per recipient key."""

    recipients: dict[str, RecipientLedger] = field(default_factory=dict)

    @property
    def pending(self) -> int:
        return sum(r.pending for r in self.recipients.values())

    @property
    def failed(self) -> int:
        return sum(r.failed for r in self.recipients.values())

    @property
    def dead(self) -> int:
        return sum(r.dead for r in self.recipients.values())


def summarize(connection: Connection) -> LedgerSummary:
    """Counts per recipient from `deliveries` and `messages`."""
    entries: dict[str, RecipientLedger] = defaultdict(lambda: RecipientLedger(""))
    query = (
        select(deliveries.c.recipient, deliveries.c.status, func.count())
        .where(deliveries.c.status.in_(("pending", "failed")))
        .group_by(deliveries.c.recipient, deliveries.c.status)
    )
    for recipient, status, count in connection.execute(query):
        setattr(_entry(entries, recipient), status, int(count))
    dead = (
        select(messages.c.recipient, func.count())
        .where(messages.c.status == "dead")
        .group_by(messages.c.recipient)
    )
    for recipient, count in connection.execute(dead).all():
        _entry(entries, recipient).dead = int(count)
    _last_errors(connection, entries)
    sent = (
        select(messages.c.recipient, func.max(messages.c.sent_at))
        .where(messages.c.status == "sent")
        .group_by(messages.c.recipient)
    )
    for recipient, when in connection.execute(sent):
        _entry(entries, recipient).last_sent_at = when
    for endpoint in summarize_endpoints(connection):
        if endpoint.has_backlog:
            _entry(entries, endpoint.recipient).endpoints.append(endpoint)
    return LedgerSummary(dict(sorted(entries.items())))


def _last_errors(connection: Connection, entries: dict[str, RecipientLedger]) -> None:
    """Each recipient's newest failed-or-dead message: why mail is not getting through."""
    newest = (
        select(messages.c.recipient, func.max(messages.c.id))
        .where(messages.c.status.in_(("failed", "dead")), messages.c.last_error.is_not(None))
        .group_by(messages.c.recipient)
    )
    ids = [row[1] for row in connection.execute(newest)]
    if not ids:
        return
    query = select(
        messages.c.recipient,
        messages.c.channel,
        messages.c.endpoint,
        messages.c.status,
        messages.c.last_error,
        messages.c.next_attempt_at,
    ).where(messages.c.id.in_(ids))
    for row in connection.execute(query):
        entry = _entry(entries, row.recipient)
        entry.last_error = row.last_error
        # "digest" for mail, as before endpoints; "digest via webhook" for another endpoint
        via = f" via {row.endpoint}" if row.endpoint != EMAIL else ""
        entry.last_error_channel = f"{row.channel}{via}"
        entry.next_attempt_at = row.next_attempt_at if row.status == "failed" else None


def _entry(entries: dict[str, RecipientLedger], recipient: str) -> RecipientLedger:
    entry = entries[recipient]
    entry.recipient = recipient
    return entry


def last_digest(connection: Connection, recipient: str) -> datetime | None:
    """When the last digest for `recipient` was composed, unless it was given up on (a dead
    digest's items ride on the next one, so catch-up should compose it)."""
    query = select(func.max(messages.c.created_at)).where(
        messages.c.recipient == recipient,
        messages.c.channel == "digest",
        messages.c.status != "dead",
    )
    value: datetime | None = connection.execute(query).scalar()
    return value


def undelivered_digest(connection: Connection, recipient: str) -> dict[str, Any] | None:
    """The newest digest composed for `recipient` that the mail server has not accepted yet
    (pending, failed and being retried, or given up on), unless a later one went out."""
    query = (
        select(
            messages.c.created_at,
            messages.c.status,
            messages.c.attempts,
            messages.c.last_error,
            messages.c.next_attempt_at,
        )
        .where(messages.c.recipient == recipient, messages.c.channel == "digest")
        .order_by(messages.c.id.desc())
        .limit(1)
    )
    row = connection.execute(query).first()
    if row is None or row.status == "sent":
        return None
    return dict(row._mapping)


def status_counts(connection: Connection) -> dict[str, dict[str, dict[str, int]]]:
    """`status`'s tallies: {"deliveries"|"messages": {channel: {status: count}},
    "notices": {"edit"|"withdrawal": {status: count}}} - a notice's status "waiting" means
    recorded but not queued for readers yet (the next dispatch run takes it)."""
    return {
        "deliveries": _tally(connection, deliveries),
        "messages": _tally(connection, messages),
        "notices": notice_counts(connection),
    }


def notice_counts(connection: Connection) -> dict[str, dict[str, int]]:
    """Edit and withdrawal notices: queued ones by delivery status, and those waiting."""
    query = (
        select(deliveries.c.kind, deliveries.c.status, func.count())
        .where(deliveries.c.kind != "match")
        .group_by(deliveries.c.kind, deliveries.c.status)
    )
    result: dict[str, dict[str, int]] = {}
    for kind, state, count in connection.execute(query):
        result.setdefault(str(kind), {})[str(state)] = int(count)
    waiting = {
        "edit": untaken_edit_count(connection),
        "withdrawal": len(pending_withdrawals(connection)),
    }
    for kind, count in waiting.items():
        if count:
            result.setdefault(kind, {})["waiting"] = count
    return result


def _tally(connection: Connection, table: Any) -> dict[str, dict[str, int]]:
    query = select(table.c.channel, table.c.status, func.count()).group_by(
        table.c.channel, table.c.status
    )
    result: dict[str, dict[str, int]] = {}
    for kind, state, count in connection.execute(query):
        result.setdefault(str(kind), {})[str(state)] = int(count)
    return result


def digest_items_per_rule(connection: Connection) -> dict[str, int]:
    """How many distinct items digests list under each rule."""
    query = (
        select(deliveries.c.rule_id, func.count(func.distinct(deliveries.c.item_id)))
        .where(deliveries.c.channel == "digest", deliveries.c.kind == "match")
        .group_by(deliveries.c.rule_id)
    )
    return {str(rule): int(count) for rule, count in connection.execute(query)}


@dataclass
class EndpointLedger:
    """One endpoint's backlog: each endpoint of a recipient is retried on its own."""

    recipient: str
    endpoint: str
    pending: int = 0
    failed: int = 0
    dead: int = 0
    last_error: str | None = None
    last_error_channel: str | None = None
    next_attempt_at: datetime | None = None
    last_sent_at: datetime | None = None

    @property
    def has_backlog(self) -> bool:
        return bool(self.pending or self.failed or self.dead)


def summarize_endpoints(connection: Connection) -> list[EndpointLedger]:
    """Counts per (recipient, endpoint), sorted, with each endpoint's newest error."""
    entries: dict[tuple[str, str], EndpointLedger] = {}

    def entry(recipient: str, endpoint: str) -> EndpointLedger:
        return entries.setdefault((recipient, endpoint), EndpointLedger(recipient, endpoint))

    d, m = deliveries.c, messages.c
    waiting = (
        select(d.recipient, d.endpoint, d.status, func.count())
        .where(d.status.in_(("pending", "failed")))
        .group_by(d.recipient, d.endpoint, d.status)
    )
    for recipient, endpoint, status, count in connection.execute(waiting):
        setattr(entry(recipient, endpoint), status, int(count))
    dead = (
        select(m.recipient, m.endpoint, func.count())
        .where(m.status == "dead")
        .group_by(m.recipient, m.endpoint)
    )
    for recipient, endpoint, count in connection.execute(dead):
        entry(recipient, endpoint).dead = int(count)
    sent = (
        select(m.recipient, m.endpoint, func.max(m.sent_at))
        .where(m.status == "sent")
        .group_by(m.recipient, m.endpoint)
    )
    for recipient, endpoint, when in connection.execute(sent):
        entry(recipient, endpoint).last_sent_at = when
    newest = (
        select(func.max(m.id))
        .where(m.status.in_(("failed", "dead")), m.last_error.is_not(None))
        .group_by(m.recipient, m.endpoint)
    )
    ids = [int(pk) for pk in connection.execute(newest).scalars()]
    if ids:
        rows = select(
            m.recipient, m.endpoint, m.channel, m.status, m.last_error, m.next_attempt_at
        ).where(m.id.in_(ids))
        for row in connection.execute(rows):
            found = entry(row.recipient, row.endpoint)
            found.last_error = row.last_error
            found.last_error_channel = row.channel
            found.next_attempt_at = row.next_attempt_at if row.status == "failed" else None
    return [entries[key] for key in sorted(entries)]


def endpoint_backlog_lines(entries: list[EndpointLedger], at: Callable[[Any], str]) -> list[str]:
    """`presswatch status` lines: each endpoint with a backlog, and its last error.

    `at` formats a datetime as status does. For crawler/daemon/render.py to call:
        lines += endpoint_backlog_lines(ledger.summarize_endpoints(connection), at)
    """
    lines = []
    for entry in entries:
        if not entry.has_backlog:
            continue
        lines.append(
            f"  {entry.recipient} via {entry.endpoint}: {entry.pending} pending, "
            f"{entry.failed} failed, {entry.dead} given up"
        )
        if entry.last_error:
            retry = f"; next try {at(entry.next_attempt_at)}" if entry.next_attempt_at else ""
            channel = entry.last_error_channel or "message"
            lines.append(f"    last error ({channel}): {entry.last_error}{retry}")
    return ["", "backlog per endpoint:", *lines] if lines else []
