"""The daemon's mutable state, shared by every job: config (swapped on reload), store, lease."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from crawler.config import Config
from crawler.daemon.lock import Holder
from crawler.store.store import Store


@dataclass
class DaemonState:
    """What jobs read at run time; jobs get only ids, never a config of their own."""

    config: Config
    store: Store
    holder: Holder
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


_current: list[DaemonState] = []


def install(state: DaemonState) -> None:
    """Make `state` the one jobs of this process use."""
    _current[:] = [state]


def uninstall() -> None:
    _current.clear()


def current() -> DaemonState:
    """The installed state; jobs fired after shutdown find none and do nothing."""
    if not _current:
        raise LookupError("no daemon state installed")
    return _current[0]
