"""What a spider, its middlewares and pipelines share inside one crawl process.

The runtime is the spider's argument (`process.crawl(crawler, runtime=...)`); middlewares and
pipelines read it from the crawler in `from_crawler` (Scrapy creates the spider first).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from crawler.config import Config
from crawler.config.models import SourceConfig
from crawler.store.store import Store
from crawler.store.types import utcnow


@dataclass
class Runtime:
    """The source being crawled, its config, the store (None in a dry run) and its state."""

    config: Config
    source: SourceConfig
    store: Store | None = None
    first_run: bool = True
    limit: int | None = None
    dry_run_output: Path | None = None
    started_at: datetime | None = None
    notes: dict[str, Any] = field(default_factory=dict)
    # The time rechecks are planned and observed at (`--now` of the crawl child shifts it).
    clock: Callable[[], datetime] = utcnow

    def now(self) -> datetime:
        return self.clock()

    @property
    def dry_run(self) -> bool:
        return self.store is None

    @property
    def allow_private(self) -> bool:
        crawl = self.config.settings.crawl
        return self.source.allow_private_addresses or crawl.allow_private_addresses


def runtime_of(crawler: Any) -> Runtime:
    """The runtime given to this crawler's spider (as its `runtime` argument)."""
    runtime = getattr(crawler.spider, "runtime", None)
    if not isinstance(runtime, Runtime):
        raise RuntimeError("no crawl runtime: the spider runs outside crawler.crawl")
    return runtime
