"""The delivery ledger: every match delivered once, nothing lost while mail is down.

Every row is keyed by recipient *and endpoint* (the notifier: "email", a chat service, a
webhook), so each endpoint of a reader is composed, sent and retried on its own.

Guarantee: **at-least-once with the same Message-ID.** A message is marked `sent` only after
the transport accepted it. If the process dies between the server's acceptance and that mark,
the message stays `pending`; once its lease (`LEASE`, 10 minutes) expires the next run re-sends
the same items under the same Message-ID, so a receiver (or a person) can recognise the copy.
Nothing is ever marked sent that was not accepted, and no delivery is dropped silently.

State machine (see docs/delivery.md):

    deliveries  pending (message NULL) --compose--> pending (attached to message M)
                  M accepted            --> sent
                  M failed temporarily  --> failed (still attached; M is retried as is)
                  M dead, digest        --> failed, detached: carried by the next digest
                  M dead, immediate     --> dead (the item's digest row still reaches the reader)
    messages    pending (leased) --accepted--> sent
                pending --DeliveryError(temporary)--> failed (next_attempt_at = backoff)
                failed --retry/claim--> pending (same Message-ID, same items)
                pending|failed --permanent error or max_attempts--> dead
                pending with an expired lease (crash) --claim--> pending (re-sent)
"""

from __future__ import annotations

from alerts.ledger.batches import (
    EMAIL,
    LEASE,
    Batch,
    backoff,
    claim,
    has_unattached,
    last_sent_digest,
    mark_failed,
    mark_sent,
    open_batch,
    outstanding,
)
from alerts.ledger.content import build_digest, parse_snippets
from alerts.ledger.enqueue import enqueue
from alerts.ledger.routing import Channel, channels_for, endpoint_channels, route_rules
from alerts.ledger.summary import (
    EndpointLedger,
    LedgerSummary,
    RecipientLedger,
    endpoint_backlog_lines,
    last_digest,
    summarize,
    summarize_endpoints,
    undelivered_digest,
)

__all__ = [
    "EMAIL",
    "LEASE",
    "Batch",
    "Channel",
    "EndpointLedger",
    "LedgerSummary",
    "RecipientLedger",
    "backoff",
    "build_digest",
    "channels_for",
    "claim",
    "endpoint_backlog_lines",
    "endpoint_channels",
    "enqueue",
    "has_unattached",
    "last_digest",
    "last_sent_digest",
    "mark_failed",
    "mark_sent",
    "open_batch",
    "outstanding",
    "parse_snippets",
    "route_rules",
    "summarize",
    "summarize_endpoints",
    "undelivered_digest",
]
