"""End to end per kind: first crawl into the store, then an unchanged second crawl."""

from __future__ import annotations

from pathlib import Path

from crawler.store.schema import crawl_runs, rule_matches
from tests.crawl.conftest import crawl, rows, source_row
from tests.sites import (
    FEED_PATHS,
    LISTING_PATH,
    SITEMAP_INDEX,
    FixtureSiteServer,
    Site,
    build_feed_site,
    build_listing_site,
    build_sitemap_site,
    feed_source,
    listing_source,
    sitemap_source,
    write_config,
)

INDEX_PATHS = {"listing": LISTING_PATH, "feed": FEED_PATHS["rss"], "sitemap": SITEMAP_INDEX}


def test_every_kind_end_to_end_then_incremental(tmp_path: Path) -> None:
    listing_site, feed_site, sitemap_site = Site(), Site(), Site()
    build_listing_site(listing_site)
    build_feed_site(feed_site)
    build_sitemap_site(sitemap_site)
    with (
        FixtureSiteServer(listing_site) as listing,
        FixtureSiteServer(feed_site) as feed,
        FixtureSiteServer(sitemap_site) as sitemap,
    ):
        servers = {"listing": listing, "feed": feed, "sitemap": sitemap}
        config_dir = write_config(
            tmp_path,
            [listing_source(listing), feed_source(feed), sitemap_source(sitemap)],
            rules=[{"id": "any-the", "name": "the", "query": "the"}],
            settings={"crawl": {"parallel_sources": 3}},
        )
        config, runs = crawl(config_dir)
        for kind in servers:
            run = runs[f"fixture-{kind}"]
            assert run.health == "ok", (kind, run)
            assert run.items_new > 0, (kind, run)
            stored = rows(config, source_id=f"fixture-{kind}")
            fetched = [r for r in stored if not r.extra.get("backfill_skipped")]
            assert fetched and all(r.body for r in fetched), kind
            assert len(fetched) <= 20  # backfill: only the newest 20 are fetched on a first run
            assert source_row(config, f"fixture-{kind}").health == "ok"
        assert rows(config, rule_matches)
        assert len(rows(config, crawl_runs)) == 3

        for server in servers.values():
            server.reset_counts()
        config, runs = crawl(config_dir)
        for kind, server in servers.items():
            run = runs[f"fixture-{kind}"]
            assert run.health == "ok" and run.items_new == 0, (kind, run)
            gets = {path: n for (method, path), n in server.counts.items() if method == "GET"}
            pages = {p: n for p, n in gets.items() if p != "/robots.txt"}
            assert pages == {INDEX_PATHS[kind]: 1}, (kind, gets)
            assert run.requests == 1, (kind, run)
            assert run.index_not_modified == 1  # the server supports validators: 304
            assert gets.get("/robots.txt", 0) <= 1  # robots.txt: once per crawl, counted apart
