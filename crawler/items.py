"""The Scrapy item every spider yields: one article, ready for the pipelines."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from crawler.store.items import ItemRecord


@dataclass
class ArticleItem:
    """One crawled article (or a listing entry remembered without fetching it)."""

    source_id: str
    url: str
    title: str = ""
    body: str = ""
    summary: str = ""
    language: str | None = None
    published_at: datetime | None = None
    canonical_url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def backfill_skipped(self) -> bool:
        """Remembered on a source's first run without being fetched (older than backfill)."""
        return bool(self.extra.get("backfill_skipped"))

    def to_record(self) -> ItemRecord:
        """The store's view of this item."""
        return ItemRecord(
            source_id=self.source_id,
            url=self.url,
            title=self.title,
            body=self.body,
            summary=self.summary,
            language=self.language,
            published_at=self.published_at,
            canonical_url=self.canonical_url,
            extra=dict(self.extra),
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (for `sources test`)."""
        return {
            "source_id": self.source_id,
            "url": self.url,
            "title": self.title,
            "body": self.body,
            "summary": self.summary,
            "language": self.language,
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "canonical_url": self.canonical_url,
            "extra": self.extra,
        }
