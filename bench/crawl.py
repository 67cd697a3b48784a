"""Crawl benchmark: 20 local sources x 100 articles (50-100 KB each), empty store, then again."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.config import load_config
from crawler.crawl import run_crawls
from tests.sites import (
    LISTING_PATH,
    FixtureSiteServer,
    Site,
    build_listing_site,
    listing_source,
    write_config,
)

SOURCES = 20
ARTICLES = 100


def main() -> None:
    servers = [
        FixtureSiteServer(build_listing_site(Site(seed=n), articles=ARTICLES, per_page=ARTICLES))
        for n in range(SOURCES)
    ]
    for server in servers:
        server.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            sources = [
                listing_source(s, f"bench-{n:02d}", backfill=ARTICLES * 2)
                for n, s in enumerate(servers)
            ]
            config = load_config(
                write_config(Path(tmp), sources, settings={"crawl": {"parallel_sources": 2}})
            )
            ids = [s.id for s in config.sources]
            started = time.perf_counter()
            first = run_crawls(config, ids)
            elapsed = time.perf_counter() - started
            new = sum(r.items_new for r in first)
            print(f"first crawl: {new} articles in {elapsed:.1f}s = {new / elapsed:.1f} articles/s")
            for server in servers:
                server.reset_counts()
            started = time.perf_counter()
            second = run_crawls(config, ids)
            pages = sum(n for s in servers for (m, p), n in s.counts.items() if p != "/robots.txt")
            listing = sum(s.count(LISTING_PATH) for s in servers)
            print(
                f"second crawl: {pages} page requests ({listing} listing requests for "
                f"{SOURCES} listing URLs), {sum(r.items_new for r in second)} new, "
                f"{time.perf_counter() - started:.1f}s"
            )
    finally:
        for server in servers:
            server.stop()


if __name__ == "__main__":
    main()
