"""Which spider class crawls a source: generic by kind, custom by `spider:` name."""

from __future__ import annotations

import importlib
import pkgutil

import spiders
from crawler.config.models import SourceConfig, SpiderSource
from crawler.errors import CrawlError
from spiders.base import BaseSourceSpider


def load_all() -> None:
    """Import every module of the spiders package so subclasses register themselves."""
    for module in pkgutil.iter_modules(spiders.__path__):
        importlib.import_module(f"spiders.{module.name}")


def spider_class(source: SourceConfig) -> type[BaseSourceSpider]:
    """The spider class for a source; CrawlError naming the known ones when unknown."""
    load_all()
    if isinstance(source, SpiderSource):
        found = BaseSourceSpider.custom.get(source.spider)
        if found is None:
            known = ", ".join(sorted(BaseSourceSpider.custom)) or "none"
            raise CrawlError(
                f'source "{source.id}": unknown spider "{source.spider}" (known: {known})'
            )
        return found
    return BaseSourceSpider.generic[source.kind]


def known_spiders() -> list[str]:
    """Names usable as `spider:` in a `kind: spider` source."""
    load_all()
    return sorted(BaseSourceSpider.custom)
