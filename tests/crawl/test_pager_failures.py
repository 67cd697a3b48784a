"""A listing's pager page (page 2..n) that fails while page 1 works: the run is `degraded`, the
detail names the page and its error, `status` and the digest's source health show it, and the
entries of the pages that worked are stored (the listing is truth; silence is a bug)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from alerts.ledger.batches import Batch
from alerts.ledger.content import build_digest
from crawler.daemon.render import to_text
from crawler.daemon.status import collect_status
from crawler.store.schema import crawl_runs
from crawler.store.store import Store
from crawler.store.types import utcnow
from spiders.catalog import load_config
from tests.crawl.conftest import crawl, rows, source_row
from tests.sites import (
    LISTING_PATH,
    FixtureSiteServer,
    build_listing_site,
    listing_source,
    write_config,
)

PAGER = {"next": "a.next", "max_pages": 3}
RECIPIENTS = {"recipients": [{"id": "ops", "address": "ops@example.org"}]}


def _page_two_answers(server: FixtureSiteServer, **route: object) -> str:
    build_listing_site(server.site, articles=20, per_page=10)
    page = server.site.routes[f"{LISTING_PATH}?page=2"]
    server.site.add(f"{LISTING_PATH}?page=2", page.body, **route)
    return server.url(f"{LISTING_PATH}?page=2")


def _status_and_digest(config_dir: Path) -> tuple[str, str]:
    config = load_config(config_dir)
    store = Store.from_config(config)
    now = utcnow()
    try:
        status = to_text(collect_status(config, store, now))
        batch = Batch(1, "ops", "digest", "<m@x>", now, now - timedelta(days=1), 0)
        with store.connect() as connection:
            digest = build_digest(connection, config, batch, config.settings.recipients[0])
    finally:
        store.close()
    return status, " | ".join(f"{h.source_id} {h.health} {h.detail}" for h in digest.health)


def test_a_pager_page_answering_503_degrades_the_run_and_names_the_page(
    fixture_site: FixtureSiteServer, tmp_path: Path
) -> None:
    page_two = _page_two_answers(fixture_site, status=503)
    source = listing_source(fixture_site, backfill=100, pagination=PAGER)
    config_dir = write_config(tmp_path, [source], settings=RECIPIENTS)
    config, runs = crawl(config_dir)
    run = runs["fixture-listing"]
    assert run.health == "degraded"
    assert run.items_new == 10  # page 1's entries are stored all the same
    assert len(rows(config)) == 10
    detail = source_row(config, "fixture-listing").health_detail
    assert detail == f"listing page failed: {page_two}: HTTP 503"
    [record] = rows(config, crawl_runs, source_id="fixture-listing")
    assert record.detail["index"]["failures"] == [f"{page_two}: HTTP 503"]
    status, health = _status_and_digest(config_dir)
    assert "fixture-listing: degraded since" in status and page_two in status
    assert health == f"fixture-listing degraded {detail}"


def test_a_pager_page_that_times_out_degrades_the_run(
    fixture_site: FixtureSiteServer, tmp_path: Path
) -> None:
    page_two = _page_two_answers(fixture_site, delay=3.0)
    source = listing_source(fixture_site, backfill=100, pagination=PAGER)
    config_dir = write_config(tmp_path, [source], settings={"crawl": {"timeout": "1s"}})
    config, runs = crawl(config_dir)
    assert runs["fixture-listing"].health == "degraded"
    detail = source_row(config, "fixture-listing").health_detail
    assert detail == f"listing page failed: {page_two}: timeout"
    assert len(rows(config)) == 10


def test_a_linked_pager_page_listing_nothing_degrades_the_run(
    fixture_site: FixtureSiteServer, tmp_path: Path
) -> None:
    page_two = _page_two_answers(fixture_site)
    fixture_site.site.add(f"{LISTING_PATH}?page=2", "<html><body><p>Oops</p></body></html>")
    source = listing_source(fixture_site, backfill=100, pagination=PAGER)
    config, runs = crawl(write_config(tmp_path, [source]))
    assert runs["fixture-listing"].health == "degraded"
    detail = source_row(config, "fixture-listing").health_detail
    assert detail == f"listing page failed: {page_two}: listing page 2: no entries found"


def test_a_url_pattern_page_past_the_last_one_is_the_end_not_a_failure(
    fixture_site: FixtureSiteServer, tmp_path: Path
) -> None:
    build_listing_site(fixture_site.site, articles=20, per_page=10)
    pattern = fixture_site.url(f"{LISTING_PATH}?page={{page}}")
    pagination = {"url_pattern": pattern, "max_pages": 5}
    source = listing_source(fixture_site, backfill=100, pagination=pagination)
    _, runs = crawl(write_config(tmp_path, [source]))
    run = runs["fixture-listing"]
    assert (run.health, run.items_new, run.index_failures) == ("ok", 20, [])
