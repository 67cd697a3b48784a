"""Imported once by the crawl forkserver: every module a crawl child would otherwise import.

Scrapy loads its components (download handlers, middlewares, extensions, scheduler,
queues...) by dotted path when a crawler starts, so importing `scrapy.crawler` alone
leaves ~300 modules (aiohttp, tldextract, the TLS context factory whose deprecation shim
walks `inspect.stack()`) to every child.  `warm()` imports the components presswatch's
settings enable; the TLS modules go first, while few modules are loaded (`inspect.stack`
scans `sys.modules`).  The extraction models are loaded here too (`warm_up`).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import Any

FIRST = [
    "scrapy.core.downloader.tls",
    "scrapy.core.downloader.contextfactory",
    "scrapy.core.downloader.handlers.http11",
]
# Loaded lazily by Scrapy (robots.txt parser) or by our code at the first article.
LAZY = ["scrapy.robotstxt", "protego"]
MODULES = [
    "crawler.crawl.child",
    "crawler.crawl.records",
    "scrapy.crawler",
    "scrapy.core.engine",
    "scrapy.core.scraper",
    "scrapy.http",
    "twisted.internet.asyncioreactor",
    "spiders.registry",
    "spiders.feed",
    "spiders.listing",
    "spiders.sitemap",
    "spiders.configdir",
    "crawler.pipelines.validate",
    "crawler.pipelines.collect",
    "crawler.pipelines.store",
    "crawler.store.clusters",
    "crawler.store.matches",
    "crawler.middlewares.backoff",
    "crawler.middlewares.conditional",
    "crawler.middlewares.safety",
    "crawler.extract.article",
    "crawler.extract.neardup",
]
SINGLE_SETTINGS = (
    "DNS_RESOLVER",
    "DOWNLOADER",
    "DUPEFILTER_CLASS",
    "ITEM_PROCESSOR",
    "LOG_FORMATTER",
    "REQUEST_FINGERPRINTER_CLASS",
    "SCHEDULER",
    "SCHEDULER_DISK_QUEUE",
    "SCHEDULER_MEMORY_QUEUE",
    "SCHEDULER_PRIORITY_QUEUE",
    "SCHEDULER_START_DISK_QUEUE",
    "SCHEDULER_START_MEMORY_QUEUE",
    "STATS_CLASS",
    "DOWNLOADER_HTTPCLIENTFACTORY",
)
COMPONENT_SETTINGS = (
    "DOWNLOAD_HANDLERS",
    "DOWNLOADER_MIDDLEWARES",
    "EXTENSIONS",
    "SPIDER_MIDDLEWARES",
)


def _module_of(path: Any) -> str | None:
    if not isinstance(path, str) or "." not in path:
        return None
    return path.rsplit(".", 1)[0]


def _handlers(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> Iterator[str]:
    for path in {**base, **overrides}.values():
        if module := _module_of(path):
            yield module


def _components(base: Mapping[str, Any]) -> Iterator[str]:
    # Scrapy loads every base component, disabled ones too, to normalise their keys.
    for path in base:
        if module := _module_of(path):
            yield module


def component_modules() -> list[str]:
    """Modules of the Scrapy components a crawler built from presswatch's settings loads."""
    from scrapy.settings import default_settings

    from crawler.scrapy_settings import DISABLED_COMPONENTS

    found: list[str] = []
    for name in SINGLE_SETTINGS:
        module = _module_of(getattr(default_settings, name, None))
        if module:
            found.append(module)
    for name in COMPONENT_SETTINGS:
        base = getattr(default_settings, f"{name}_BASE", {})
        if name == "DOWNLOAD_HANDLERS":
            found.extend(_handlers(base, DISABLED_COMPONENTS[name]))
        else:
            found.extend(_components(base))
    return list(dict.fromkeys(found))


def warm() -> list[str]:
    """Import everything a crawl child needs and load the extraction models and data.

    Returns the modules that failed to import (optional components; never fatal here).
    """
    failed: list[str] = []
    for name in [*FIRST, *component_modules(), *MODULES, *LAZY]:
        try:
            importlib.import_module(name)
        except Exception:
            failed.append(name)
    for name in ("crawler.extract.article", "alerts.rules.normalize"):
        try:
            # Extraction: language model, dateparser data. Rules: the normalizers'
            # Hyperscan character scans. Once here, not once per child.
            importlib.import_module(name).warm_up()
        except Exception:
            failed.append(f"{name}.warm_up")
    return failed


FAILED = warm()
