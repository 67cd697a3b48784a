"""The daemon's mutable state, bound to every job: config (swapped on reload), store, lease,
and the crawl runner (each source in a child process; tests give a runner of their own)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from crawler.config import Config
from crawler.crawl import RunSummary, run_crawls
from crawler.daemon.lock import Holder
from crawler.store.store import Store

CrawlRunner = Callable[[Config, Sequence[str]], list[RunSummary]]


@dataclass
class DaemonState:
    """What jobs read at run time; jobs get the state and ids, never a config of their own."""

    config: Config
    store: Store
    holder: Holder
    crawls: CrawlRunner = run_crawls
    interval_override: timedelta | None = None
    stopping: threading.Event = field(default_factory=threading.Event)
    lease_lost: bool = False
    _running: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _idle: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self._idle = threading.Condition(self._lock)

    def swap(self, config: Config) -> Config:
        """Install a new config (SIGHUP); return the previous one."""
        with self._lock:
            previous, self.config = self.config, config
        return previous

    @contextmanager
    def crawling(self) -> Iterator[None]:
        """Count a running crawl job for the shutdown wait."""
        with self._lock:
            self._running += 1
        try:
            yield
        finally:
            with self._idle:
                self._running -= 1
                self._idle.notify_all()

    @property
    def running_crawls(self) -> int:
        with self._lock:
            return self._running

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no crawl job runs; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._running == 0, timeout=timeout)
