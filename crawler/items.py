"""The Scrapy item every spider yields: one article, ready for the pipelines."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any


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
    # The source's own calendar day of published_at, and "day"/"minute"/"second": a
    # date-only value is shown as a date (ValidatePipeline fills both from published_at).
    published_date: date | None = None
    published_precision: str | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (for `sources test`)."""
        data = asdict(self)
        data["published_at"] = self.published_at.isoformat() if self.published_at else None
        data["published_date"] = self.published_date.isoformat() if self.published_date else None
        return data
