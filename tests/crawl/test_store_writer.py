"""The crawl stores its batches from a writer thread: the reactor keeps crawling meanwhile."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from sqlalchemy.engine import make_url

from crawler.config import load_config
from crawler.store.schema import http_validators
from crawler.store.store import Store
from tests.crawl.conftest import crawl, rows
from tests.sites import FixtureSiteServer, build_listing_site, listing_source, write_config

ARTICLES = 60


def _articles_served(server: FixtureSiteServer) -> int:
    return sum(1 for path in server.paths() if path.startswith(("/en/", "/ru/")))


def test_crawl_keeps_fetching_while_another_process_holds_the_write_lock(
    fixture_site: FixtureSiteServer, tmp_path: Path
) -> None:
    """Another writer takes SQLite's write lock once the listing is fetched (before the
    first batch of 25 items is complete) and holds it until every article has been
    fetched. A crawl whose reactor waited for the lock in the pipeline would stop after
    its first batch and never get there."""
    build_listing_site(fixture_site.site, articles=ARTICLES, per_page=ARTICLES)
    source = listing_source(fixture_site, backfill=ARTICLES)
    config_dir = write_config(tmp_path, [source])
    config = load_config(config_dir)
    Store.from_config(config).close()  # migrated before the lock is taken
    database = str(make_url(config.database_url).database)
    served: dict[str, int] = {}

    def hold_the_lock() -> None:
        holder = sqlite3.connect(database, isolation_level=None, timeout=30)
        try:
            deadline = time.monotonic() + 25
            while not fixture_site.paths() and time.monotonic() < deadline:
                time.sleep(0.001)
            holder.execute("BEGIN IMMEDIATE")
            served["when locked"] = _articles_served(fixture_site)
            while _articles_served(fixture_site) < ARTICLES and time.monotonic() < deadline:
                time.sleep(0.02)
            served["when released"] = _articles_served(fixture_site)
            holder.execute("COMMIT")
        finally:
            holder.close()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        _, runs = crawl(config_dir)
    finally:
        holder.join()
    assert served["when locked"] < 25, served  # no batch could have been written before
    assert served["when released"] == ARTICLES, served
    run = runs["fixture-listing"]
    assert run.health == "ok" and run.items_new == ARTICLES and run.errors == 0
    assert len(rows(config)) == ARTICLES


def test_a_batch_that_fails_to_store_is_counted_and_the_others_are_stored(
    fixture_site: FixtureSiteServer, tmp_path: Path
) -> None:
    """One article makes its batch's transaction fail (a trigger refuses it): the crawl
    finishes, the other batches are stored, and the run says what went wrong."""
    build_listing_site(fixture_site.site, articles=ARTICLES - 1, per_page=ARTICLES)
    fixture_site.site.add_article(title="The poisoned statement")
    source = listing_source(fixture_site, backfill=ARTICLES)
    config_dir = write_config(tmp_path, [source])
    config = load_config(config_dir)
    Store.from_config(config).close()
    poison = sqlite3.connect(str(make_url(config.database_url).database))
    poison.execute(
        "CREATE TRIGGER refuse_poison BEFORE INSERT ON items WHEN NEW.title LIKE '%poisoned%'"
        " BEGIN SELECT RAISE(ABORT, 'poisoned item refused'); END"
    )
    poison.commit()
    poison.close()
    _, runs = crawl(config_dir)
    run = runs["fixture-listing"]
    assert run.errors == 1 and run.health == "error"  # found but not kept: never "ok"
    assert any("poisoned item refused" in message for message in run.messages), run.messages
    stored = rows(config)
    assert ARTICLES - 25 <= len(stored) < ARTICLES  # all but the poisoned batch (<= 25)
    assert not any("poisoned" in row.title for row in stored)
    # Nothing lets the next run skip the listing (a 304 would hide the lost batch for good).
    assert rows(config, http_validators) == []
    _drop_trigger(config.database_url)
    _, runs = crawl(config_dir)
    assert runs["fixture-listing"].health == "ok"
    assert len(rows(config)) == ARTICLES


def _drop_trigger(database_url: str) -> None:
    connection = sqlite3.connect(str(make_url(database_url).database))
    try:
        connection.execute("DROP TRIGGER refuse_poison")
        connection.commit()
    finally:
        connection.close()
