"""What a spider, its middlewares and pipelines share inside one crawl process."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from crawler.config import Config
from crawler.config.models import SourceConfig
from crawler.store.store import Store

_current: list[Runtime] = []


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

    @property
    def dry_run(self) -> bool:
        return self.store is None

    @property
    def allow_private(self) -> bool:
        crawl = self.config.settings.crawl
        return self.source.allow_private_addresses or crawl.allow_private_addresses


def set_runtime(runtime: Runtime) -> None:
    """Install the runtime of this process's crawl (one crawl per process)."""
    _current[:] = [runtime]


def current_runtime() -> Runtime:
    """The runtime of this process's crawl (Scrapy settings deep-copy values, so not there)."""
    if not _current:
        raise RuntimeError("no crawl runtime installed: run crawls through crawler.crawl")
    return _current[0]
