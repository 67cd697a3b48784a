"""Pagination, backfill, steady-state requests and failure streaks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crawler.store.schema import rule_matches
from tests.crawl.conftest import crawl, rows, source_row
from tests.sites import (
    LISTING_PATH,
    FixtureSiteServer,
    Route,
    build_listing_site,
    listing_source,
    newest_first,
    write_config,
)

ANY_RULE = [{"id": "any-the", "name": "the", "query": "the"}]


def _article_gets(server: FixtureSiteServer) -> list[str]:
    return [p for p in server.paths() if p.startswith(("/en/", "/ru/"))]


def _listing_gets(server: FixtureSiteServer) -> list[str]:
    return [p for p in server.paths() if p.startswith(LISTING_PATH)]


def test_pagination_by_next_link_stops_at_the_backfill(
    fixture_site: FixtureSiteServer, tmp_path: Path
) -> None:
    build_listing_site(fixture_site.site, articles=30, per_page=10)
    source = listing_source(
        fixture_site, backfill=25, pagination={"next": "a.next", "max_pages": 5}
    )
    config, runs = crawl(write_config(tmp_path, [source], rules=ANY_RULE))
    run = runs["fixture-listing"]
    assert run.health == "ok" and run.items_new == 30
    assert _listing_gets(fixture_site) == [
        LISTING_PATH,
        f"{LISTING_PATH}?page=2",
        f"{LISTING_PATH}?page=3",
    ]
    assert len(_article_gets(fixture_site)) == 25
    stored = rows(config)
    skipped = {r.id for r in stored if r.extra.get("backfill_skipped")}
    oldest = {a.title for a in newest_first(fixture_site.site)[25:]}
    assert {r.title for r in stored if r.id in skipped} == oldest
    assert all(not r.body for r in stored if r.id in skipped)
    matched = {m.item_id for m in rows(config, rule_matches)}
    fetched = {r.id for r in stored} - skipped
    assert matched and matched <= fetched  # backfill-skipped items are never matched


def test_pagination_by_url_pattern_stops_at_max_pages(
    fixture_site: FixtureSiteServer, tmp_path: Path
) -> None:
    build_listing_site(fixture_site.site, articles=30, per_page=10)
    pattern = fixture_site.url(f"{LISTING_PATH}?page={{page}}")
    source = listing_source(
        fixture_site, backfill=100, pagination={"url_pattern": pattern, "max_pages": 2}
    )
    _, runs = crawl(write_config(tmp_path, [source]))
    assert runs["fixture-listing"].items_new == 20
    assert _listing_gets(fixture_site) == [LISTING_PATH, f"{LISTING_PATH}?page=2"]
    assert len(_article_gets(fixture_site)) == 20


def test_site_without_validators_second_crawl_is_one_request(
    fixture_site: FixtureSiteServer, tmp_path: Path
) -> None:
    build_listing_site(fixture_site.site, articles=10)
    fixture_site.site.validators = False
    config_dir = write_config(tmp_path, [listing_source(fixture_site)])
    crawl(config_dir)
    fixture_site.reset_counts()
    _, runs = crawl(config_dir)
    run = runs["fixture-listing"]
    assert run.health == "ok" and run.items_new == 0
    assert run.requests == 1 and run.index_ok == 1 and run.index_not_modified == 0
    assert _listing_gets(fixture_site) == [LISTING_PATH] and not _article_gets(fixture_site)
    assert "if-none-match" not in fixture_site.records(LISTING_PATH)[0].headers


def test_one_new_article_is_one_article_request(
    fixture_site: FixtureSiteServer, tmp_path: Path
) -> None:
    build_listing_site(fixture_site.site, articles=10)
    config_dir = write_config(tmp_path, [listing_source(fixture_site)])
    crawl(config_dir)
    added = fixture_site.site.add_article(title="Joint statement on the new trade corridor")
    fixture_site.reset_counts()
    config, runs = crawl(config_dir)
    run = runs["fixture-listing"]
    assert run.items_new == 1 and run.requests == 2
    assert _listing_gets(fixture_site) == [LISTING_PATH]
    assert _article_gets(fixture_site) == [added.path]
    assert [r.title for r in rows(config, url=fixture_site.url(added.path))] == [added.title]


def test_three_failures_make_failing_and_a_success_makes_ok(
    fixture_site: FixtureSiteServer, tmp_path: Path
) -> None:
    site = build_listing_site(fixture_site.site, articles=3)
    good = site.routes[LISTING_PATH]
    site.routes[LISTING_PATH] = Route(status=500, body=b"<h1>Internal error</h1>")
    settings = {"crawl": {"retries": 0}, "health": {"failing_after": 3}}
    config_dir = write_config(tmp_path, [listing_source(fixture_site)], settings=settings)
    seen: list[tuple[str, int, Any]] = []
    for _ in range(3):
        config, runs = crawl(config_dir)
        row = source_row(config, "fixture-listing")
        assert runs["fixture-listing"].health == row.health
        seen.append((row.health, row.consecutive_failures, row.health_since))
    assert [(h, n) for h, n, _ in seen] == [("error", 1), ("error", 2), ("failing", 3)]
    assert seen[0][2] == seen[1][2] < seen[2][2]  # the state changed at the third run only
    assert "3 failed runs in a row" in (row.health_detail or "")
    site.routes[LISTING_PATH] = good
    config, runs = crawl(config_dir)
    row = source_row(config, "fixture-listing")
    assert runs["fixture-listing"].health == row.health == "ok"
    assert row.consecutive_failures == 0 and row.health_since > seen[2][2]
    assert row.last_success_at is not None
