"""Imported once by the crawl forkserver: every module a crawl child would otherwise import.

Scrapy loads its components (download handlers, middlewares, extensions, scheduler,
queues...) by dotted path when a crawler starts, so importing `scrapy.crawler` alone
leaves ~300 modules (aiohttp, tldextract, the TLS context factory whose deprecation shim
walks `inspect.stack()`) to every child.  `warm()` imports what the child would: the Scrapy
components presswatch's settings enable (from Scrapy's default settings and ours), our own
pipelines and middlewares (from `crawler.scrapy_settings`) and every shipped spider (from the
spider registry).  The TLS modules go first, while few modules are loaded (`inspect.stack`
scans `sys.modules`).  The extraction models are loaded here too (`warm_up`).  A module that
fails to import is logged (the child then imports it itself, or fails with its own error).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterator, Mapping
from typing import Any

log = logging.getLogger("presswatch.crawl")

FIRST = [
    "scrapy.core.downloader.tls",
    "scrapy.core.downloader.contextfactory",
    "scrapy.core.downloader.handlers.http11",
]
# The child's entry point, and the crawler process it imports when it starts a crawl.
ENTRY = ["crawler.crawl.child", "scrapy.crawler"]
# Imported by the robots.txt parser at its first use (no setting names it).
LAZY = ["protego"]
# Loaded once per process before any crawl: language models, dateparser data, rule scans.
WARM_UP = ("crawler.extract.article", "alerts.rules.normalize")
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
    "ROBOTSTXT_PARSER",
    "TWISTED_REACTOR",
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


def presswatch_modules() -> list[str]:
    """presswatch's own crawl modules: every shipped spider (the registry) and the pipelines
    and middlewares the settings enable (dry runs included)."""
    from crawler.scrapy_settings import DOWNLOADER_MIDDLEWARES, DRY_RUN_PIPELINES, STORE_PIPELINES
    from spiders.base import BaseSourceSpider
    from spiders.registry import load_all

    load_all()
    registered = [*BaseSourceSpider.generic.values(), *BaseSourceSpider.custom.values()]
    found = ["spiders.registry", *(spider.__module__ for spider in registered)]
    enabled = {**STORE_PIPELINES, **DRY_RUN_PIPELINES, **DOWNLOADER_MIDDLEWARES}
    found += [
        module
        for path, order in enabled.items()
        if order is not None
        if (module := _module_of(path)) and module.startswith("crawler.")
    ]
    return list(dict.fromkeys(found))


def try_import(name: str, failed: list[str]) -> None:
    """Import `name`; on failure log why and add it to `failed`."""
    try:
        importlib.import_module(name)
    except Exception as exc:
        log.warning("preload: could not import %s: %s: %s", name, type(exc).__name__, exc)
        failed.append(name)


def warm() -> list[str]:
    """Import everything a crawl child needs and load the extraction models and data.

    Returns the modules that failed to import (each logged; never fatal here).
    """
    failed: list[str] = []
    for name in [*FIRST, *component_modules(), *ENTRY, *presswatch_modules(), *LAZY]:
        try_import(name, failed)
    for name in WARM_UP:
        try:
            importlib.import_module(name).warm_up()
        except Exception as exc:
            log.warning("preload: %s.warm_up failed: %s: %s", name, type(exc).__name__, exc)
            failed.append(f"{name}.warm_up")
    return failed


FAILED = warm()
