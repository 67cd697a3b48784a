"""A stand-in crawl runner for PRESSWATCH_CRAWL_RUNNER: every crawl fails at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from crawler.config import Config


@dataclass(frozen=True)
class FailedRun:
    source_id: str
    failed: bool = True
    items_new: int = 0


def run_crawls(config: Config, source_ids: Sequence[str]) -> list[FailedRun]:
    return [FailedRun(source_id) for source_id in source_ids]
