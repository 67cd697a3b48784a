"""The JSON document of a digest or alert (the webhook body): plain data, stable key order."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from alerts.digest import (
    ChangeNotice,
    Digest,
    DigestItem,
    DigestSection,
    SourceHealthLine,
    WithdrawalNotice,
)
from alerts.notify.base import Ticket

SCHEMA_VERSION = 1


def delivery_id(message_id: str) -> str:
    """The stable id of a delivery: the ledger's Message-ID without its angle brackets."""
    return message_id.strip().strip("<>")


def digest_payload(digest: Digest, ticket: Ticket, endpoint: str) -> dict[str, Any]:
    """Everything the digest or alert shows: items by rule with snippets, and source health."""
    return {
        "type": f"presswatch.{digest.kind}",
        "version": SCHEMA_VERSION,
        "id": delivery_id(ticket.message_id),
        "recipient": ticket.recipient.key,
        "endpoint": endpoint,
        "generated_at": _iso(digest.generated_at),
        "period_start": _iso(digest.period_start),
        "item_count": digest.item_count,
        "notice_count": digest.notice_count,
        "heartbeat": digest.is_heartbeat,
        "sections": [_section(section) for section in digest.ordered_sections],
        # Edit and withdrawal notices of items the reader was sent (issue 18).
        "changes": [_change(change) for change in digest.changes],
        "withdrawals": [_withdrawal(notice) for notice in digest.withdrawals],
        "sources": {
            "checked": digest.sources_checked,
            "failing": digest.sources_failing,
            "configured": digest.sources_configured,
            "unhealthy": [_health(line) for line in digest.health],
        },
    }


def test_payload(ticket: Ticket, endpoint: str) -> dict[str, Any]:
    """The body of `presswatch notify test`."""
    return {
        "type": "presswatch.test",
        "version": SCHEMA_VERSION,
        "id": delivery_id(ticket.message_id),
        "recipient": ticket.recipient.key,
        "endpoint": endpoint,
        "generated_at": _iso(ticket.created_at),
    }


def _section(section: DigestSection) -> dict[str, Any]:
    return {
        "rule": {"id": section.rule_id, "name": section.rule_name, "priority": section.priority},
        "items": [_item(item) for item in section.items],
    }


def _item(item: DigestItem) -> dict[str, Any]:
    return {
        "id": item.item_id,
        "title": item.title,
        "url": item.url,
        "source": {"id": item.source_id, "name": item.source_name},
        "published_at": _iso(item.published_at),
        "published_date": _iso(item.published_date),
        "snippets": [
            {"text": snippet.text, "highlights": [list(span) for span in snippet.highlights]}
            for snippet in item.snippets
        ],
        "also_published_by": [{"source": name, "url": url} for name, url in item.also_published_by],
        "also_matches": list(item.also_matches),
        "already_alerted": item.already_alerted,
    }


def _change(change: ChangeNotice) -> dict[str, Any]:
    return {
        "rule": {"id": change.rule_id, "name": change.rule_name},
        "item": _notice_item(change.item),
        "kind": change.kind,
        "what": change.what,
        "before": change.before,
        "after": change.after,
        "diff": {"text": change.diff_text, "html": change.diff_html},
        "first_seen_at": _iso(change.first_seen_at),
        "changed_at": _iso(change.changed_at),
    }


def _withdrawal(notice: WithdrawalNotice) -> dict[str, Any]:
    return {
        "rule": {"id": notice.rule_id, "name": notice.rule_name},
        "item": _notice_item(notice.item),
        "reason": notice.reason,
        "withdrawn_at": _iso(notice.withdrawn_at),
        "first_seen_at": _iso(notice.first_seen_at),
        "last_text": notice.last_text,
    }


def _notice_item(item: DigestItem) -> dict[str, Any]:
    return {
        "id": item.item_id,
        "title": item.title,
        "url": item.url,
        "source": {"id": item.source_id, "name": item.source_name},
        "published_at": _iso(item.published_at),
    }


def _health(line: SourceHealthLine) -> dict[str, Any]:
    return {
        "id": line.source_id,
        "name": line.source_name,
        "health": line.health,
        "since": _iso(line.since),
        "detail": line.detail,
    }


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None
