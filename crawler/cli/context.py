"""What every command shares: the config directory, loading config and opening the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import click

from crawler.config import Config, resolve_config_dir
from crawler.logs import configure_logging
from crawler.store.store import Store
from spiders.catalog import load_config


@dataclass
class AppContext:
    """Lazily loaded config and store for one CLI invocation."""

    config_option: str | None = None
    debug: bool = False
    log_format: str | None = None
    _config: Config | None = field(default=None, repr=False)

    @property
    def config_dir(self) -> Path:
        return resolve_config_dir(self.config_option)

    def config(self) -> Config:
        """Load (once) and validate the configuration; raises ConfigError."""
        if self._config is None:
            self._config = load_config(self.config_dir)
            self._apply_logging(self._config)
        return self._config

    def _apply_logging(self, config: Config) -> None:
        """The config's logging settings, unless --debug or --log-format said otherwise."""
        settings = config.settings.logging
        level = "DEBUG" if self.debug else settings.level
        configure_logging(level, self.log_format or settings.format)

    def open_store(self, *, migrate: bool = True) -> Store:
        """Open the configured store, migrating unless told not to."""
        return Store.from_config(self.config(), migrate_schema=migrate)


pass_app = click.make_pass_decorator(AppContext)
