"""Shared helpers for the store tests."""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.store.items import ItemRecord


def record(
    url: str,
    *,
    source: str = "ministry",
    title: str = "Statement",
    body: str = "The ministry said.",
    published_at: datetime | None = None,
) -> ItemRecord:
    """A record with sensible defaults."""
    return ItemRecord(source_id=source, url=url, title=title, body=body, published_at=published_at)


WHEN = datetime(2025, 3, 1, 12, 30, tzinfo=UTC)
