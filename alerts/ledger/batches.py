"""Batches: a `messages` row, the deliveries attached to it, and its send/fail transitions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, exists, func, insert, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from alerts.delivery.message import make_message_id
from alerts.ledger.routing import Channel
from crawler.config.models import DeliveryConfig
from crawler.errors import DeliveryError
from crawler.store.installation import installation_id
from crawler.store.schema import deliveries, messages

# How long a sender owns a message it is sending; after that, another run may re-send it
# (it was probably killed between the server's acceptance and `mark_sent`).
LEASE = timedelta(minutes=10)
RETRYABLE = ("pending", "failed")
MESSAGE_ID_PREFIX = {"digest": "digest", "immediate": "alert"}
# The endpoint a recipient's `address:` stands for, and that rows from before 0010 belong to.
EMAIL = "email"


@dataclass(frozen=True)
class Batch:
    """A composed message: what the ledger knows before rendering and sending it."""

    id: int
    recipient: str
    channel: Channel
    message_id: str
    created_at: datetime
    period_start: datetime
    attempts: int
    endpoint: str = EMAIL  # the recipient's endpoint (notifier) it goes to


def open_batch(
    connection: Connection,
    recipient: str,
    channel: Channel,
    *,
    now: datetime,
    period_start: datetime,
    domain: str,
    require_items: bool = False,
    endpoint: str = EMAIL,
) -> Batch | None:
    """Create a pending message and attach every unattached pending/failed delivery of
    `recipient`'s `endpoint` on `channel` to it; None when `require_items` and there are none.

    Run inside one transaction: the message exists exactly when its deliveries are attached.
    """
    if require_items and not has_unattached(connection, recipient, channel, endpoint):
        return None
    placeholder = f"<unassigned.{uuid.uuid4().hex}@presswatch.invalid>"
    values = {
        "recipient": recipient,
        "channel": channel,
        "endpoint": endpoint,
        "message_id": placeholder,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now + LEASE,
        "period_start": period_start,
        "created_at": now,
    }
    inserted = connection.execute(insert(messages).values(values)).inserted_primary_key
    assert inserted is not None
    pk = int(inserted[0])
    # The installation id keeps IDs apart across databases (a reset, a move to PostgreSQL,
    # two installations writing to one reader); the row id keeps them stable across retries
    # (and apart across endpoints: each endpoint's message is a row of its own).
    key = f"{MESSAGE_ID_PREFIX[channel]}:{installation_id(connection)}:{recipient}:{pk}"
    message_id = make_message_id(key, domain)
    connection.execute(update(messages).where(messages.c.id == pk).values(message_id=message_id))
    attached = connection.execute(
        update(deliveries)
        .where(_unattached(recipient, channel, endpoint))
        .values(message=pk, status="pending", next_attempt_at=None)
    ).rowcount
    if require_items and attached == 0:  # a concurrent run took them first
        connection.execute(messages.delete().where(messages.c.id == pk))
        return None
    return Batch(pk, recipient, channel, message_id, now, period_start, 0, endpoint)


def has_unattached(
    connection: Connection, recipient: str, channel: Channel, endpoint: str = EMAIL
) -> bool:
    """Whether `recipient`'s `endpoint` has deliveries on `channel` waiting for a message."""
    query = select(exists().where(_unattached(recipient, channel, endpoint)))
    return bool(connection.execute(query).scalar())


def _unattached(recipient: str, channel: str, endpoint: str) -> ColumnElement[bool]:
    return and_(
        deliveries.c.recipient == recipient,
        deliveries.c.endpoint == endpoint,
        deliveries.c.channel == channel,
        deliveries.c.message.is_(None),
        deliveries.c.status.in_(RETRYABLE),
    )


def outstanding(
    connection: Connection,
    now: datetime,
    *,
    recipient: str | None = None,
    channel: Channel | None = None,
    endpoint: str | None = None,
    force: bool = False,
) -> list[int]:
    """Ids of unsent messages a run may (re-)send now, oldest first: failed ones whose
    backoff has passed (any failed one when `force`), and pending ones whose lease expired."""
    query = select(messages.c.id).where(_claimable(now, force)).order_by(messages.c.id)
    if recipient is not None:
        query = query.where(messages.c.recipient == recipient)
    if channel is not None:
        query = query.where(messages.c.channel == channel)
    if endpoint is not None:
        query = query.where(messages.c.endpoint == endpoint)
    return [int(pk) for pk in connection.execute(query).scalars()]


def claim(connection: Connection, pk: int, now: datetime, *, force: bool = False) -> Batch | None:
    """Take the lease on message `pk` for a (re-)send; None if another run holds it or it
    was sent meanwhile."""
    claimed = connection.execute(
        update(messages)
        .where(messages.c.id == pk, _claimable(now, force))
        .values(status="pending", next_attempt_at=now + LEASE)
    ).rowcount
    if claimed != 1:
        return None
    row = connection.execute(select(messages).where(messages.c.id == pk)).one()
    period = row.period_start or row.created_at
    return Batch(
        pk,
        row.recipient,
        row.channel,
        row.message_id,
        row.created_at,
        period,
        row.attempts,
        row.endpoint,
    )


def _claimable(now: datetime, force: bool) -> ColumnElement[bool]:
    lease_expired = and_(messages.c.status == "pending", messages.c.next_attempt_at <= now)
    failed = messages.c.status == "failed"
    if not force:
        failed = and_(
            failed, or_(messages.c.next_attempt_at.is_(None), messages.c.next_attempt_at <= now)
        )
    return or_(lease_expired, failed)


def mark_sent(connection: Connection, batch: Batch, now: datetime, subject: str) -> None:
    """The transport accepted the message: it and its deliveries are `sent`."""
    connection.execute(
        update(messages)
        .where(messages.c.id == batch.id)
        .values(
            status="sent",
            sent_at=now,
            subject=subject,
            attempts=messages.c.attempts + 1,
            last_error=None,
            next_attempt_at=None,
        )
    )
    connection.execute(
        update(deliveries)
        .where(deliveries.c.message == batch.id)
        .values(
            status="sent",
            sent_at=now,
            attempts=deliveries.c.attempts + 1,
            last_error=None,
            next_attempt_at=None,
        )
    )


def mark_failed(
    connection: Connection,
    batch: Batch,
    error: DeliveryError,
    now: datetime,
    policy: DeliveryConfig,
    subject: str = "",
) -> str:
    """Record a failed attempt; return the message's new status, "failed" or "dead".

    Temporary errors back off exponentially and keep the deliveries attached (the retry is the
    same message). A permanent error, or `policy.max_attempts` attempts, makes the message
    `dead`: its digest deliveries are detached (status `failed`) so the recipient's next digest
    carries them; its immediate deliveries become `dead` (the digest row of the same item
    still reaches the reader), except edit and withdrawal notices, which have no digest row:
    they move to the digest channel and the next digest carries them.
    """
    attempts = batch.attempts + 1
    reason = f"{'permanent: ' if error.permanent else ''}{error}"
    dead = error.permanent or attempts >= policy.max_attempts
    retry_at = None if dead else now + backoff(attempts, policy)
    status = "dead" if dead else "failed"
    connection.execute(
        update(messages)
        .where(messages.c.id == batch.id)
        .values(status=status, attempts=attempts, last_error=reason, next_attempt_at=retry_at)
        .values(subject=subject or messages.c.subject)
    )
    values: dict[str, object] = {
        "status": "failed",
        "attempts": deliveries.c.attempts + 1,
        "last_error": reason,
        "next_attempt_at": retry_at,
    }
    if dead and batch.channel == "immediate":
        # A notice (edit, withdrawal) has no digest row of its own: the next digest carries it.
        notices = and_(deliveries.c.message == batch.id, deliveries.c.kind != "match")
        connection.execute(
            update(deliveries)
            .where(notices)
            .values(values)
            .values(message=None, status="failed", channel="digest")
        )
    if dead:
        values.update(message=None, status="failed" if batch.channel == "digest" else "dead")
    connection.execute(update(deliveries).where(deliveries.c.message == batch.id).values(values))
    return status


def backoff(attempts: int, policy: DeliveryConfig) -> timedelta:
    """Delay before attempt `attempts + 1`: initial * 2^(attempts-1), capped at the maximum."""
    exponent = min(max(attempts - 1, 0), 32)
    delay: timedelta = min(policy.backoff_initial * (2**exponent), policy.backoff_max)
    return delay


def last_sent_digest(
    connection: Connection, recipient: str, endpoint: str | None = None
) -> datetime | None:
    """When the last digest that reached `recipient` (through `endpoint`; any endpoint when
    None) was composed: the start of that endpoint's next period."""
    query = select(func.max(messages.c.created_at)).where(
        messages.c.recipient == recipient,
        messages.c.channel == "digest",
        messages.c.status == "sent",
    )
    if endpoint is not None:
        query = query.where(messages.c.endpoint == endpoint)
    value: datetime | None = connection.execute(query).scalar()
    return value
