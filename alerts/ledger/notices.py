"""Enqueue notices: edit events (`item_edits`) and withdrawals (`item_rechecks`) become
pending `deliveries` rows of kind "edit" / "withdrawal" beside the matches.

Who gets what (docs/delivery.md, "Edit and withdrawal notices"):

- an edit of an item (`passage_changed`, `passage_vanished`, `title_changed`,
  `date_changed`): each endpoint of a reader who follows the rule (routed as matches are)
  and to which the item was sent (a `sent` delivery of it) - the readers who got it;
- `new_match` (a revision now matches a rule): each endpoint of a reader who follows the
  rule. The store records such a match only as an edit event, never as a `rule_matches`
  row, so the match path does not send it as well;
- a withdrawal: each configured endpoint to which the item was sent, once.

An edit goes out on the rule's `on_edit` cadence (`notify`: the immediate alert, `digest`:
the next digest); a withdrawal with the immediate alert. An endpoint that does not take that
cadence (or a reader with `immediate: false`) gets it on the other one: nothing is dropped.

Crash safety: the rows are inserted and the events marked taken in the caller's one
transaction (`enqueue` runs inside `store.begin()`), so a notice is queued exactly once or,
after a rollback, not at all and taken again by the next run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from sqlalchemy import Connection, select

from alerts.ledger.routing import Channel, route_rules
from crawler.config import Config
from crawler.config.models import EndpointBase, RecipientConfig, RuleConfig
from crawler.store.dialect import insert_ignore
from crawler.store.edits import EditNotice, mark_edit_notices_taken, pending_edit_notices
from crawler.store.rechecks import Withdrawal, mark_withdrawal_notified, pending_withdrawals
from crawler.store.schema import deliveries

CHUNK = 500
# Deliveries that count as "the reader got the item".
RECEIVED_KINDS = ("match", "edit")
# Edits of the whole item (not of one rule's passage).
ITEM_WIDE = ("title_changed", "date_changed")
_Endpoint = tuple[str, str]  # (recipient key, endpoint key)


def enqueue_notices(connection: Connection, config: Config, now: datetime) -> int:
    """Queue every edit event and withdrawal not taken yet; return the rows created.
    Run inside the transaction of `enqueue` (it holds the ledger's lock)."""
    return _enqueue_edits(connection, config, now) + _enqueue_withdrawals(connection, config, now)


def notice_channel(
    preferred: Channel, recipient: RecipientConfig, endpoint: EndpointBase
) -> Channel | None:
    """The cadence a notice takes at `endpoint`: `preferred` when the endpoint takes it
    (immediate only for readers who take alerts), else the other one; None if neither."""
    other: Channel = "digest" if preferred == "immediate" else "immediate"
    for channel in (preferred, other):
        if channel in endpoint.cadences and (channel == "digest" or recipient.immediate):
            return channel
    return None


def _enqueue_edits(connection: Connection, config: Config, now: datetime) -> int:
    routes = route_rules(config.rules, config.settings.recipients, config.settings.groups)
    rules = {rule.id: rule for rule in config.rules}
    created = 0
    told: set[tuple[str, str, int, str, str]] = set()
    while notices := pending_edit_notices(connection, limit=CHUNK):
        received = _received(connection, {n.item_id for n in notices})
        for notice in notices:
            rule = rules.get(notice.rule_id)
            if rule is None or not rule.enabled:
                continue  # a rule no longer configured: nobody follows it
            readers = routes.get(rule.id, ())
            created += _add_edit(connection, notice, rule, readers, received, told, now)
        mark_edit_notices_taken(connection, [n.id for n in notices], now)
    return created


def _add_edit(
    connection: Connection,
    notice: EditNotice,
    rule: RuleConfig,
    readers: Iterable[RecipientConfig],
    received: Mapping[int, Mapping[_Endpoint, str]],
    told: set[tuple[str, str, int, str, str]],
    now: datetime,
) -> int:
    preferred: Channel = "immediate" if notice.delivery == "notify" else "digest"
    got = received.get(notice.item_id, {})
    created = 0
    for recipient in readers:
        for endpoint in recipient.resolved_endpoints:
            if notice.kind != "new_match" and (recipient.key, endpoint.key) not in got:
                continue  # an edit concerns the readers who got the item
            if notice.kind in ITEM_WIDE:
                # recorded once per rule the item matched: a reader of two of them hears once
                key = (recipient.key, endpoint.key, notice.item_id, notice.kind, notice.after)
                if key in told:
                    continue
                told.add(key)
            channel = notice_channel(preferred, recipient, endpoint)
            if channel is not None:
                row = _row(recipient.key, endpoint.key, notice.item_id, rule.id, channel, now)
                created += _insert(connection, {**row, "kind": "edit", "notice": notice.id})
    return created


def _enqueue_withdrawals(connection: Connection, config: Config, now: datetime) -> int:
    pending = pending_withdrawals(connection)
    if not pending:
        return 0
    readers = {r.key: r for r in config.settings.recipients if r.enabled}
    received = _received(connection, {w.item_id for w in pending})
    created = 0
    for withdrawal in pending:
        created += _add_withdrawal(connection, withdrawal, readers, received, now)
        mark_withdrawal_notified(connection, withdrawal.item_id, now)
    return created


def _add_withdrawal(
    connection: Connection,
    withdrawal: Withdrawal,
    readers: Mapping[str, RecipientConfig],
    received: Mapping[int, Mapping[_Endpoint, str]],
    now: datetime,
) -> int:
    created = 0
    for (recipient_key, endpoint_key), rule_id in received.get(withdrawal.item_id, {}).items():
        recipient = readers.get(recipient_key)
        endpoint = recipient.endpoint(endpoint_key) if recipient is not None else None
        if recipient is None or endpoint is None:
            continue  # a reader or endpoint no longer configured could not be sent it
        channel = notice_channel("immediate", recipient, endpoint)
        if channel is not None:
            row = _row(recipient_key, endpoint_key, withdrawal.item_id, rule_id, channel, now)
            created += _insert(connection, {**row, "kind": "withdrawal", "notice": 0})
    return created


def _received(connection: Connection, item_ids: Iterable[int]) -> dict[int, dict[_Endpoint, str]]:
    """Item id -> {(recipient, endpoint): rule id} of the sent deliveries of the item (the
    first rule it was sent under)."""
    wanted: Sequence[int] = sorted(item_ids)
    out: dict[int, dict[_Endpoint, str]] = {}
    for start in range(0, len(wanted), CHUNK):
        d = deliveries.c
        query = (
            select(d.item_id, d.recipient, d.endpoint, d.rule_id)
            .where(d.item_id.in_(wanted[start : start + CHUNK]))
            .where(d.status == "sent", d.kind.in_(RECEIVED_KINDS))
            .order_by(d.id)
        )
        for row in connection.execute(query):
            got = out.setdefault(int(row.item_id), {})
            got.setdefault((row.recipient, row.endpoint), row.rule_id)
    return out


def _row(
    recipient: str, endpoint: str, item_id: int, rule_id: str, channel: Channel, now: datetime
) -> dict[str, object]:
    return {
        "recipient": recipient,
        "endpoint": endpoint,
        "item_id": item_id,
        "rule_id": rule_id,
        "channel": channel,
        "status": "pending",
        "attempts": 0,
        "created_at": now,
    }


def _insert(connection: Connection, values: dict[str, object]) -> int:
    statement = insert_ignore(connection, deliveries).values(values).returning(deliveries.c.id)
    return len(connection.execute(statement).all())
