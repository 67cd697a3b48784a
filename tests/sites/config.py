"""Write a presswatch config directory pointing at a fixture site, with fast crawl settings."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tests.sites.generators import (
    ARTICLE_SELECTORS,
    FEED_PATHS,
    LISTING_PATH,
    LISTING_SELECTORS,
    SITEMAP_INDEX,
)
from tests.sites.server import FixtureSiteServer

FAST_CRAWL: dict[str, Any] = {
    "download_delay": "0s",
    "autothrottle": False,
    "retries": 1,
    "timeout": "5s",
    "allow_private_addresses": True,
    "concurrency_per_domain": 8,
}


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        old = merged.get(key)
        if isinstance(old, dict) and isinstance(value, Mapping):
            merged[key] = _merge(old, value)
        else:
            merged[key] = value
    return merged


def _dump(path: Path, data: Any) -> None:
    # JSON is valid YAML, and avoids any YAML quoting surprises.
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_config(
    tmp_path: Path,
    sources: Sequence[Mapping[str, Any]] = (),
    rules: Sequence[Mapping[str, Any]] = (),
    settings: Mapping[str, Any] | None = None,
    *,
    name: str = "config",
) -> Path:
    """Create tmp_path/<name>/ (presswatch.yaml, sources/test.yaml, rules/test.yaml); return it.

    Settings default to a data_dir under tmp_path, the outbox transport and FAST_CRAWL;
    `settings` is merged over them (nested dicts merge).  Every source gets
    `allow_private_addresses: true` unless it says otherwise.
    """
    directory = tmp_path / name
    (directory / "sources").mkdir(parents=True, exist_ok=True)
    (directory / "rules").mkdir(exist_ok=True)
    base = {
        "data_dir": str(tmp_path / "data"),
        "timezone": "UTC",
        "crawl": FAST_CRAWL,
        "mail": {"transport": "outbox"},
    }
    _dump(directory / "presswatch.yaml", _merge(base, settings or {}))
    if sources:
        listed = [{"allow_private_addresses": True, **source} for source in sources]
        _dump(directory / "sources" / "test.yaml", {"sources": listed})
    if rules:
        _dump(directory / "rules" / "test.yaml", {"rules": [dict(rule) for rule in rules]})
    return directory


def _common(server: FixtureSiteServer, source_id: str) -> dict[str, Any]:
    return {
        "id": source_id,
        "name": f"Fixture site ({source_id})",
        "languages": ["en", "ru"],
        "allowed_domains": ["127.0.0.1"],
        "schedule": {"every": "30m"},
        "allow_private_addresses": True,
    }


def listing_source(
    server: FixtureSiteServer, source_id: str = "fixture-listing", **overrides: Any
) -> dict[str, Any]:
    """A listing source for build_listing_site, with its selectors and ?page=N pagination."""
    source = {
        **_common(server, source_id),
        "kind": "listing",
        "urls": [server.url(LISTING_PATH)],
        "selectors": dict(LISTING_SELECTORS),
        "article": dict(ARTICLE_SELECTORS),
        "pagination": {"next": "a.next", "max_pages": 1},
    }
    return _merge(source, overrides)


def feed_source(
    server: FixtureSiteServer,
    source_id: str = "fixture-feed",
    variant: str = "rss",
    **overrides: Any,
) -> dict[str, Any]:
    """A feed source for one of FEED_PATHS (rss, atom, json, rss_cp1251, rss_latin1)."""
    source = {
        **_common(server, source_id),
        "kind": "feed",
        "urls": [server.url(FEED_PATHS[variant])],
        "follow": True,
        "article": dict(ARTICLE_SELECTORS),
    }
    return _merge(source, overrides)


def sitemap_source(
    server: FixtureSiteServer, source_id: str = "fixture-sitemap", **overrides: Any
) -> dict[str, Any]:
    """A sitemap source starting at the sitemap index."""
    source = {
        **_common(server, source_id),
        "kind": "sitemap",
        "urls": [server.url(SITEMAP_INDEX)],
        "article": dict(ARTICLE_SELECTORS),
    }
    return _merge(source, overrides)
