"""Which items were sent to a reader: the recheck round watches them (issue 18).

A reader of `deliveries` for the crawl: the rechecks of withdrawals and edits start once an
item was sent (`status = 'sent'`), from the first time it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select

from crawler.store.schema import deliveries, items


@dataclass(frozen=True)
class SentItem:
    item_id: int
    sent_at: datetime  # the first time it reached a reader


def sent_items(connection: Connection, source_id: str, since: datetime) -> list[SentItem]:
    """The source's items first sent to a reader at or after `since`, oldest first."""
    first = func.min(deliveries.c.sent_at)
    query = (
        select(deliveries.c.item_id, first)
        .join(items, items.c.id == deliveries.c.item_id)
        .where(items.c.source_id == source_id)
        .where(deliveries.c.status == "sent")
        .where(deliveries.c.sent_at.is_not(None))
        .group_by(deliveries.c.item_id)
        .having(first >= since)
        .order_by(first, deliveries.c.item_id)
    )
    return [SentItem(int(item_id), at) for item_id, at in connection.execute(query)]
