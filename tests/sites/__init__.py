"""A local fixture-site server and deterministic generated sites for crawl tests."""

from __future__ import annotations

from tests.sites.config import (
    FAST_CRAWL,
    feed_source,
    listing_source,
    sitemap_source,
    write_config,
)
from tests.sites.generators import (
    ARTICLE_SELECTORS,
    FEED_PATHS,
    LISTING_PATH,
    LISTING_SELECTORS,
    NEWS_SITEMAP,
    SITEMAP_INDEX,
    add_article,
    build_feed_site,
    build_listing_site,
    build_sitemap_site,
    ensure_articles,
    newest_first,
)
from tests.sites.hostile import HOSTILE, HUGE_SIZE, add_hostile_endpoints
from tests.sites.pages import GeneratedArticle
from tests.sites.server import FixtureSiteServer, RequestRecord, Route, Site

__all__ = [
    "ARTICLE_SELECTORS",
    "FAST_CRAWL",
    "FEED_PATHS",
    "HOSTILE",
    "HUGE_SIZE",
    "LISTING_PATH",
    "LISTING_SELECTORS",
    "NEWS_SITEMAP",
    "SITEMAP_INDEX",
    "FixtureSiteServer",
    "GeneratedArticle",
    "RequestRecord",
    "Route",
    "Site",
    "add_article",
    "add_hostile_endpoints",
    "build_feed_site",
    "build_listing_site",
    "build_sitemap_site",
    "ensure_articles",
    "feed_source",
    "listing_source",
    "newest_first",
    "sitemap_source",
    "write_config",
]
