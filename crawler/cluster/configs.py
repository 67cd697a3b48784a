"""The worker's configs: loaded once per directory, loaded again when a file in it changed."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from crawler.config import Config
from crawler.errors import ConfigError
from crawler.store.store import Store
from spiders.catalog import load_config

log = logging.getLogger("presswatch.worker")


# What the loader reads; not a walk of the whole directory, whose data/ holds the evidence
# files, feeds and outbox.
_CONFIG_FILES: tuple[str, ...] = ("presswatch.yaml", "spiders/*.py")
_CONFIG_FILES += ("sources/*.yaml", "sources/*.yml", "rules/*.yaml", "rules/*.yml")


def _stamp(directory: Path) -> tuple[tuple[str, int], ...]:
    """Each config file's path and mtime: a change to any of them means reload."""
    files = sorted(p for pattern in _CONFIG_FILES for p in directory.glob(pattern))
    return tuple((str(p), p.stat().st_mtime_ns) for p in files if p.is_file())


@dataclass
class _Loaded:
    config: Config
    store: Store
    stamp: tuple[tuple[str, int], ...]


class ConfigCache:
    """Config and Store per config directory, shared by the worker's threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded: dict[str, _Loaded] = {}

    def get(self, directory: str) -> tuple[Config, Store]:
        """The config (reloaded if changed on disk; a broken one keeps the previous) and store."""
        path = Path(directory)
        with self._lock:
            current = self._loaded.get(directory)
            stamp = _stamp(path)
            if current is not None and current.stamp == stamp:
                return current.config, current.store
            try:
                config = load_config(path)
            except ConfigError as exc:
                if current is None:
                    raise
                log.error("config %s is invalid, keeping the previous one:\n%s", path, exc)
                return current.config, current.store
            if current is not None and current.config.database_url == config.database_url:
                store = current.store
            else:
                store = Store.from_config(config)
                if current is not None:
                    current.store.close()
            if current is not None:
                log.info("config %s reloaded", path)
            self._loaded[directory] = _Loaded(config, store, stamp)
            return config, store

    def close(self) -> None:
        with self._lock:
            for loaded in self._loaded.values():
                loaded.store.close()
            self._loaded.clear()
