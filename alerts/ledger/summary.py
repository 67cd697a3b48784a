"""Read-only views of the ledger: per-recipient counts for `status`, last digest times."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, func, select

from crawler.store.schema import deliveries, messages


@dataclass
class RecipientLedger:
    """One recipient's backlog: deliveries not yet sent, and messages given up on."""

    recipient: str
    pending: int = 0  # deliveries waiting for a message or attached to one in flight
    failed: int = 0  # deliveries whose last attempt failed (retried, or carried forward)
    dead: int = 0  # messages given up on (permanent error or max_attempts)
    last_error: str | None = None
    last_sent_at: datetime | None = None


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
        select(messages.c.recipient, func.count(), func.max(messages.c.id))
        .where(messages.c.status == "dead")
        .group_by(messages.c.recipient)
    )
    for recipient, count, newest in connection.execute(dead).all():
        entry = _entry(entries, recipient)
        entry.dead = int(count)
        entry.last_error = connection.execute(
            select(messages.c.last_error).where(messages.c.id == newest)
        ).scalar()
    sent = (
        select(messages.c.recipient, func.max(messages.c.sent_at))
        .where(messages.c.status == "sent")
        .group_by(messages.c.recipient)
    )
    for recipient, when in connection.execute(sent):
        _entry(entries, recipient).last_sent_at = when
    return LedgerSummary(dict(sorted(entries.items())))


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
