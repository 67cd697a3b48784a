"""The spider registry as crawler.config's check sees it (`SpiderCatalog`), and the config
loader every command that crawls or checks the config uses.

Cheap to import: Scrapy and the spider modules are imported only when the configuration
has custom spiders (the catalog's methods are called only then).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from pydantic import BaseModel

from crawler.config import Config
from crawler.config import load_config as load_config_only
from crawler.config.partial import load_config_partial
from crawler.errors import ConfigError, ConfigIssue


class ConfigSpiders:
    """Plugin spiders, and the spider files of a config directory."""

    def load(self, directory: Path) -> list[ConfigIssue]:
        from spiders.configdir import load_spider_files

        return load_spider_files(directory)

    def params_model(self, name: str) -> type[BaseModel] | None:
        from spiders.base import BaseSourceSpider

        return BaseSourceSpider.custom[name].Params

    def known_text(self) -> str:
        from spiders.registry import known_text

        return known_text()

    def snapshot(self) -> Callable[[], None]:
        from spiders.registry import Snapshot

        return Snapshot.take().restore

    def forget(self) -> None:
        import sys

        loaded = sys.modules.get("spiders.configdir")
        if loaded is not None:  # only an earlier load can have registered spider files
            loaded.forget_config_spiders()


def load_config(directory: Path, environ: Mapping[str, str] | None = None) -> Config:
    """The configuration, its custom spiders loaded and every spider source checked."""
    return load_config_only(directory, environ, spiders=ConfigSpiders())


def load_config_or_parts(
    directory: Path, environ: Mapping[str, str] | None = None
) -> tuple[Config, ConfigError | None]:
    """`load_config`, or when the config is broken its valid parts and the error
    (crawler.config.partial)."""
    return load_config_partial(directory, environ, spiders=ConfigSpiders())
