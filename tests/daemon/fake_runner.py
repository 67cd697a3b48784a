"""A stand-in crawl runner given to the daemon (`crawls=`): every crawl fails at once."""

from __future__ import annotations

from collections.abc import Sequence

from crawler.config import Config
from crawler.crawl import RunSummary
from crawler.store.types import utcnow


def run_crawls(config: Config, source_ids: Sequence[str]) -> list[RunSummary]:
    """A failed run (health `error`, nothing stored) for each source."""
    return [
        RunSummary(source_id, utcnow(), finish_reason="error", errors=1, health="error")
        for source_id in source_ids
    ]
