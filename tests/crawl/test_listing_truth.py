"""The listing is truth (issue 14): every listed entry is stored with the title and date the
listing shows, whatever its article page does; the recrawl costs one request per listing or
feed URL; health says `degraded` when articles fail.  Each site is crawled twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from crawler.config import Config
from crawler.crawl import RunSummary
from crawler.store.schema import article_retries, rule_matches, url_aliases
from tests.crawl.conftest import crawl, rows, source_row
from tests.sites import FixtureSiteServer, Site, write_config
from tests.sites.truth import (
    RSS,
    Listed,
    article_page,
    homepage_with_leads,
    listed_entries,
    rss,
    rss_item,
    sibling_date_listing,
    time_homepage,
)

LEAD_RULE = [{"id": "security", "name": "security", "query": "security"}]


def source(server: FixtureSiteServer, kind: str, *paths: str, **keys: Any) -> dict[str, Any]:
    return {
        "id": "truth",
        "name": "Listing truth fixture",
        "kind": kind,
        "languages": ["en"],
        "urls": [server.url(p) for p in paths],
        **keys,
    }


def pages_requested(server: FixtureSiteServer) -> list[str]:
    return [p for p in server.paths() if p != "/robots.txt"]


def crawl_twice(
    server: FixtureSiteServer, config_dir: Path
) -> tuple[Config, RunSummary, RunSummary, list[str]]:
    """Two crawls; the pages the second one requested."""
    config, first = crawl(config_dir)
    server.reset_counts()
    _, second = crawl(config_dir)
    return config, first["truth"], second["truth"], pages_requested(server)


def by_path(config: Config) -> dict[str, Any]:
    return {urlsplit(r.url).path: r for r in rows(config)}


def day(stamp: datetime | None) -> Any:
    return None if stamp is None else stamp.astimezone(UTC).date()


def assert_listing_fields(stored: dict[str, Any], entries: list[Listed]) -> None:
    assert set(stored) >= {e.path for e in entries}
    for entry in entries:
        row = stored[entry.path]
        assert row.title == entry.title
        assert day(row.published_at) == entry.published.date()


# --- article pages that fail --------------------------------------------------------------


def test_homepage_whose_release_pages_answer_404(
    fixture_site: FixtureSiteServer, tmp_path: Path
) -> None:
    entries = listed_entries(18, "/press/release-")
    homepage_with_leads(fixture_site.site, "/index.html", entries)
    selectors = {"item": "div.news-item", "link": "h3 a", "date": "span.date"}
    config_dir = write_config(
        tmp_path, [source(fixture_site, "listing", "/index.html", selectors=selectors)], LEAD_RULE
    )
    config, runs = crawl(config_dir)
    first = runs["truth"]
    assert (first.items_new, first.articles_failed, first.health) == (18, 18, "degraded")
    assert source_row(config, "truth").health_detail == "18 of 18 article pages: HTTP 404"
    stored = by_path(config)
    assert_listing_fields(stored, entries)
    for entry in entries:
        row = stored[entry.path]
        assert row.summary == entry.lead and row.body == ""
        assert row.extra["article"]["state"] == "unavailable"
        assert row.extra["article"]["reason"] == "HTTP 404"
    # matched on the text the listing gave (the lead), so the digest can carry them
    assert len({m.item_id for m in rows(config, rule_matches)}) == 18
    assert len(rows(config, article_retries)) == 18
    # the second run: the listing only (its retries wait for their backoff)
    fixture_site.reset_counts()
    _, runs = crawl(config_dir)
    assert pages_requested(fixture_site) == ["/index.html"]
    assert runs["truth"].items_new == 0 and runs["truth"].health == "ok"


def test_backfill_limits_what_is_new_not_what_is_stored(
    fixture_site: FixtureSiteServer, tmp_path: Path
) -> None:
    entries = listed_entries(18, "/press/release-")
    homepage_with_leads(fixture_site.site, "/index.html", entries)
    selectors = {"item": "div.news-item", "link": "h3 a", "date": "span.date"}
    listing = source(fixture_site, "listing", "/index.html", selectors=selectors, backfill=5)
    config, first, _, requested = crawl_twice(
        fixture_site, write_config(tmp_path, [listing], LEAD_RULE)
    )
    stored = by_path(config)
    assert_listing_fields(stored, entries)
    baseline = [r for r in stored.values() if r.extra.get("backfill_skipped")]
    assert len(baseline) == 13 and all(r.summary for r in baseline)
    assert {r.title for r in baseline} == {e.title for e in entries[5:]}
    matched = {m.item_id for m in rows(config, rule_matches)}
    assert len(matched) == 5 and not matched & {r.id for r in baseline}  # never alerted
    assert first.articles_failed == 5 and requested == ["/index.html"]


def test_time_datetime_homepage(fixture_site: FixtureSiteServer, tmp_path: Path) -> None:
    entries = [
        Listed(e.path, e.title, e.published - timedelta(hours=5 * n), e.lead)
        for n, e in enumerate(listed_entries(24, "/events/", days=0))
    ]
    time_homepage(fixture_site.site, "/", entries)
    for entry in entries[4:]:  # 4 of 24 pages missing: below the degraded share
        fixture_site.site.add(entry.path, article_page(entry))
    config, first, _, requested = crawl_twice(
        fixture_site, write_config(tmp_path, [source(fixture_site, "listing", "/")])
    )
    stored = by_path(config)
    assert_listing_fields(stored, entries)
    for entry in entries:
        assert stored[entry.path].published_at == entry.published
    assert (first.items_new, first.articles_failed, first.health) == (24, 4, "ok")
    assert requested == ["/"]


def test_a_retried_article_arrives_later_and_is_matched(
    fixture_site: FixtureSiteServer, tmp_path: Path
) -> None:
    lead = "A short lead of the release without the word."  # the rule's word is in the body
    entries = [Listed(e.path, e.title, e.published, lead) for e in listed_entries(3, "/pr/")]
    homepage_with_leads(fixture_site.site, "/index.html", entries)
    selectors = {"item": "div.news-item", "link": "h3 a", "date": "span.date"}
    rule = [{"id": "paragraph", "name": "paragraph", "query": "paragraph"}]
    settings = {"crawl": {"article_retry_after": "0s"}}
    config_dir = write_config(
        tmp_path,
        [source(fixture_site, "listing", "/index.html", selectors=selectors)],
        rule,
        settings,
    )
    config, first = crawl(config_dir)
    assert first["truth"].items_new == 3 and not rows(config, rule_matches)
    for entry in entries:
        fixture_site.site.add(entry.path, article_page(entry))
    fixture_site.reset_counts()
    _, second = crawl(config_dir)
    assert sorted(pages_requested(fixture_site)) == sorted(
        ["/index.html"] + [e.path for e in entries]
    )
    assert second["truth"].items_updated == 3 and second["truth"].health == "ok"
    stored = by_path(config)
    for entry in entries:
        row = stored[entry.path]
        assert "Paragraph 3 of the release" in row.body and row.title == entry.title
        assert row.extra["article"] == {"state": "ok", "retried": True}
    assert len(rows(config)) == 3  # updated in place, no second item
    assert len(rows(config, rule_matches)) == 3 and not rows(config, article_retries)
    fixture_site.reset_counts()
    crawl(config_dir)
    assert pages_requested(fixture_site) == ["/index.html"]


def test_article_retries_are_bounded(fixture_site: FixtureSiteServer, tmp_path: Path) -> None:
    entries = listed_entries(1, "/press/release-")
    homepage_with_leads(fixture_site.site, "/index.html", entries)
    selectors = {"item": "div.news-item", "link": "h3 a", "date": "span.date"}
    settings = {"crawl": {"article_retry_after": "0s", "article_retries": 2}}
    config_dir = write_config(
        tmp_path,
        [source(fixture_site, "listing", "/index.html", selectors=selectors)],
        (),
        settings,
    )
    for _ in range(4):
        config, _ = crawl(config_dir)
    assert fixture_site.count(entries[0].path) == 3  # the first try and 2 retries
    (retry,) = rows(config, article_retries)
    assert retry.attempts == 3 and retry.next_attempt_at is None and retry.reason == "HTTP 404"


def huge_page() -> Iterator[bytes]:
    yield b"<html><body><p>" + b"x" * (2 * 1024 * 1024) + b"</p></body></html>"


@pytest.mark.parametrize(
    ("route", "reason"),
    [
        ({"status": 500}, "HTTP 500"),
        ({"status": 200, "body": b"%PDF-1.4 ...", "content_type": "application/pdf"}, "not HTML"),
        ({"status": 200, "body": b"<html><body></body></html>"}, "no article text"),
        ({"body": b"<html><p>late</p></html>", "delay": 3.0}, "timeout"),
        ({"stream": huge_page, "length": 2 * 1024 * 1024 + 40}, "too large"),
    ],
)
def test_every_kind_of_article_failure_keeps_the_listing_item(
    fixture_site: FixtureSiteServer, tmp_path: Path, route: dict[str, Any], reason: str
) -> None:
    entries = listed_entries(2, "/press/release-")
    homepage_with_leads(fixture_site.site, "/index.html", entries)
    for entry in entries:
        fixture_site.site.add(entry.path, **route)
    selectors = {"item": "div.news-item", "link": "h3 a", "date": "span.date"}
    listing = source(fixture_site, "listing", "/index.html", selectors=selectors)
    settings = {"crawl": {"timeout": "1s", "retries": 0, "max_download_size": "1MB"}}
    config, runs = crawl(write_config(tmp_path, [listing], settings=settings))
    stored = by_path(config)
    assert_listing_fields(stored, entries)
    for entry in entries:
        assert stored[entry.path].extra["article"]["reason"].startswith(reason)
    assert runs["truth"].health == "degraded"


# --- feeds --------------------------------------------------------------------------------


def test_feed_entries_without_links_are_kept(
    fixture_site: FixtureSiteServer, tmp_path: Path
) -> None:
    start = datetime(2024, 3, 1, 8, tzinfo=UTC)
    items = [
        rss_item(
            f"Bulletin number {n}",
            start + timedelta(hours=n),
            guid=f"urn:bulletin:{n}",
            description=f"Text of bulletin {n} on consular matters.",
        )
        for n in range(10)
    ]
    fixture_site.site.add("/feed.xml", rss(items), content_type=RSS)
    config_dir = write_config(tmp_path, [source(fixture_site, "feed", "/feed.xml")])
    config, first, _, requested = crawl_twice(fixture_site, config_dir)
    stored = rows(config)
    assert first.items_new == 10 and first.health == "ok"
    assert {r.title for r in stored} == {f"Bulletin number {n}" for n in range(10)}
    for row in stored:
        n = int(row.title.rsplit(" ", 1)[1])
        assert row.published_at == start + timedelta(hours=n)
        assert row.url.startswith(fixture_site.url("/feed.xml#entry-"))
        assert row.extra["guid"] == f"urn:bulletin:{n}" and row.body.startswith("Text of")
    assert requested == ["/feed.xml"]


def test_followed_feed_with_some_link_less_entries(
    fixture_site: FixtureSiteServer, tmp_path: Path
) -> None:
    entries = listed_entries(10, "/news/")
    items = []
    for n, entry in enumerate(entries):
        fixture_site.site.add(entry.path, article_page(entry))
        if n < 3:  # no <link>: the guid is the page's URL
            items.append(
                rss_item(entry.title, entry.published, guid=f"__BASE__{entry.path}", permalink=True)
            )
        else:
            items.append(rss_item(entry.title, entry.published, link=f"__BASE__{entry.path}"))
    fixture_site.site.add("/feed.xml", rss(items), content_type=RSS)
    feed = source(fixture_site, "feed", "/feed.xml", follow=True)
    config, first, _, requested = crawl_twice(fixture_site, write_config(tmp_path, [feed]))
    stored = by_path(config)
    assert_listing_fields(stored, entries)
    assert all(r.body for r in stored.values()) and first.items_new == 10
    assert requested == ["/feed.xml"]


@pytest.mark.parametrize(("trust_guid", "expected"), [(True, 50), (False, 1)])
def test_entries_differing_only_by_fragment(
    fixture_site: FixtureSiteServer, tmp_path: Path, trust_guid: bool, expected: int
) -> None:
    start = datetime(2024, 3, 1, tzinfo=UTC)
    items = [
        rss_item(
            f"Briefing item {n}",
            start + timedelta(minutes=n),
            link=f"__BASE__/briefing.html#item-{n}",
            guid=f"briefing-2024-03-01-{n}",
        )
        for n in range(50)
    ]
    fixture_site.site.add("/feed.xml", rss(items), content_type=RSS)
    feed = source(fixture_site, "feed", "/feed.xml", trust_guid=trust_guid, backfill=100)
    config, _, _, requested = crawl_twice(fixture_site, write_config(tmp_path, [feed]))
    stored = rows(config)
    assert len(stored) == expected
    if trust_guid:
        assert {urlsplit(r.url).fragment for r in stored} == {f"item-{n}" for n in range(50)}
    assert requested == ["/feed.xml"]


@pytest.fixture
def other_hosts() -> Iterator[list[FixtureSiteServer]]:
    """Two more servers on other loopback addresses: other host names."""
    servers = [FixtureSiteServer(Site(), host=f"127.0.0.{n}") for n in (2, 3)]
    try:
        yield [server.start() for server in servers]
    finally:
        for server in servers:
            server.stop()


def aggregator(home: FixtureSiteServer, others: list[FixtureSiteServer]) -> list[Listed]:
    """A feed on `home` with three entries on each of three hosts."""
    entries = listed_entries(9, "/story/")
    hosts = [home, *others]
    items = []
    for n, entry in enumerate(entries):
        server = hosts[n % 3]
        server.site.add(entry.path, article_page(entry))
        items.append(rss_item(entry.title, entry.published, link=server.url(entry.path)))
    home.site.add("/feed.xml", rss(items), content_type=RSS)
    return entries


def test_feed_entries_on_other_hosts_are_followed_by_default(
    fixture_site: FixtureSiteServer, other_hosts: list[FixtureSiteServer], tmp_path: Path
) -> None:
    entries = aggregator(fixture_site, other_hosts)
    feed = source(fixture_site, "feed", "/feed.xml", follow=True)
    config, first, _, requested = crawl_twice(fixture_site, write_config(tmp_path, [feed]))
    stored = rows(config)
    assert len(stored) == 9 and all(r.body for r in stored) and not first.dropped
    assert {urlsplit(r.url).hostname for r in stored} == {"127.0.0.1", "127.0.0.2", "127.0.0.3"}
    assert {r.title for r in stored} == {e.title for e in entries}
    assert requested == ["/feed.xml"]
    assert all(pages_requested(server) for server in other_hosts)


@pytest.mark.parametrize(
    ("allowed", "kept"),
    [(["127.0.0.1", "127.0.0.2"], 6), (["*"], 9), (["*.0.0.1"], 3)],
)
def test_allowed_domains_limit_feed_entries_and_count_the_rest(
    fixture_site: FixtureSiteServer,
    other_hosts: list[FixtureSiteServer],
    tmp_path: Path,
    allowed: list[str],
    kept: int,
) -> None:
    aggregator(fixture_site, other_hosts)
    feed = source(fixture_site, "feed", "/feed.xml", follow=True, allowed_domains=allowed)
    config, runs = crawl(write_config(tmp_path, [feed]))
    assert len(rows(config)) == kept
    assert runs["truth"].dropped == ({"offsite": 9 - kept} if kept < 9 else {})
    if kept < 9:
        assert any("entry dropped (offsite)" in m for m in runs["truth"].messages)


def test_listing_links_to_other_hosts_stay_off_unless_allowed(
    fixture_site: FixtureSiteServer, other_hosts: list[FixtureSiteServer], tmp_path: Path
) -> None:
    local = listed_entries(3, "/press/")
    away = listed_entries(2, "/elsewhere/")
    for entry in local:
        fixture_site.site.add(entry.path, article_page(entry))
    rows_html = [(fixture_site.url(e.path), e) for e in local]
    rows_html += [(other_hosts[0].url(e.path), e) for e in away]
    body = "".join(
        f'<li class="news"><a href="{url}">{e.title}</a> <span>{e.published:%d %B %Y}</span></li>'
        for url, e in rows_html
    )
    fixture_site.site.add("/list.html", f"<html><body><ul>{body}</ul></body></html>")
    listing = source(fixture_site, "listing", "/list.html", selectors={"item": "li.news"})
    config, runs = crawl(write_config(tmp_path, [listing]))
    assert len(rows(config)) == 3 and runs["truth"].dropped == {"offsite": 2}
    assert not pages_requested(other_hosts[0])


# --- listing shapes -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "selectors",
    [{"item": "ul.press li", "link": "h4"}, {"item": "ul.press li", "link": "a"}, {}],
)
def test_sibling_date_is_not_part_of_the_title(
    fixture_site: FixtureSiteServer, tmp_path: Path, selectors: dict[str, str]
) -> None:
    entries = listed_entries(6, "/pr/")
    sibling_date_listing(fixture_site.site, "/press.html", entries)
    for entry in entries:
        fixture_site.site.add(entry.path, article_page(entry))
    listing = source(fixture_site, "listing", "/press.html", selectors=selectors)
    config, _, _, requested = crawl_twice(fixture_site, write_config(tmp_path, [listing]))
    assert_listing_fields(by_path(config), entries)
    assert requested == ["/press.html"]


def test_default_1_pager(fixture_site: FixtureSiteServer, tmp_path: Path) -> None:
    entries = listed_entries(15, "/press/item-")
    pages = ["/press/default.shtml", "/press/default_1.shtml", "/press/default_2.shtml"]
    for n, path in enumerate(pages):
        homepage_with_leads(fixture_site.site, path, entries[5 * n : 5 * n + 5])
    for entry in entries:
        fixture_site.site.add(entry.path, article_page(entry))
    pagination = {
        "url_pattern": fixture_site.url("/press/default_{page}.shtml"),
        "first_page": 1,
        "max_pages": 5,
    }
    selectors = {"item": "div.news-item", "link": "h3 a", "date": "span.date"}
    listing = source(fixture_site, "listing", pages[0], selectors=selectors, pagination=pagination)
    config, _ = crawl(write_config(tmp_path, [listing]))
    assert [p for p in pages_requested(fixture_site) if p.endswith(".shtml")][:3] == pages
    assert_listing_fields(by_path(config), entries)
    fixture_site.reset_counts()
    crawl(write_config(tmp_path, [listing]))
    assert pages_requested(fixture_site) == [pages[0]]


def test_canonical_differing_from_the_link_is_not_fetched_again(
    fixture_site: FixtureSiteServer, tmp_path: Path
) -> None:
    entries = listed_entries(4, "/news/show-")
    homepage_with_leads(fixture_site.site, "/index.html", entries)
    for n, entry in enumerate(entries):
        canonical = fixture_site.url(f"/news/{n}/statement-of-the-ministry")
        fixture_site.site.add(entry.path, article_page(entry, canonical=canonical))
    selectors = {"item": "div.news-item", "link": "h3 a", "date": "span.date"}
    config_dir = write_config(
        tmp_path, [source(fixture_site, "listing", "/index.html", selectors=selectors)]
    )
    config, _ = crawl(config_dir)
    stored = rows(config)
    assert len(stored) == 4 and all("/statement-of-the-ministry" in r.canonical_url for r in stored)
    assert len(rows(config, url_aliases)) >= 4
    fixture_site.site.mark_changed("/index.html")  # no 304: the listing is read again
    fixture_site.reset_counts()
    crawl(config_dir)
    assert pages_requested(fixture_site) == ["/index.html"]


# --- bad input ------------------------------------------------------------------------------


def test_bad_listing_entries_each_have_a_defined_outcome(
    fixture_site: FixtureSiteServer, tmp_path: Path
) -> None:
    good = listed_entries(3, "/ok/")
    now = datetime.now(UTC)
    odd = [
        Listed("/future.html", "A release dated far in the future", now + timedelta(days=400)),
        Listed(
            "/epoch.html", "A release dated at the Unix epoch", datetime(1970, 1, 1, tzinfo=UTC)
        ),
    ]
    items = [
        f'<li class="n"><a href="{e.path}">{e.title}</a> <span>{e.published:%d %B %Y}</span></li>'
        for e in good + odd
    ]
    items += [
        '<li class="n">A release without any link at all</li>',
        '<li class="n"><a href="javascript:void(0)">A release behind a script link</a></li>',
        '<li class="n"><a href="http://[broken">A release with a garbage link</a></li>',
        f'<li class="n"><a href="{good[0].path}">{good[0].title}</a></li>',  # listed twice
    ]
    fixture_site.site.add("/list.html", f"<html><body><ul>{''.join(items)}</ul></body></html>")
    listing = source(fixture_site, "listing", "/list.html", selectors={"item": "li.n"})
    config_dir = write_config(tmp_path, [listing])
    config, runs = crawl(config_dir)
    run = runs["truth"]
    stored = by_path(config)
    assert_listing_fields(stored, good)
    assert set(stored) == {e.path for e in good + odd}
    for path in ("/future.html", "/epoch.html"):  # stored, without the date it cannot mean
        assert stored[path].published_at is None
    assert run.dropped == {"bad_link": 2, "no_link": 1, "repeated_link": 1}
    # the listing suddenly lists nothing: the source says so
    fixture_site.site.add("/list.html", "<html><body><p>Maintenance</p></body></html>")
    _, runs = crawl(config_dir)
    assert runs["truth"].health == "empty"


def test_a_feed_of_ten_thousand_entries(fixture_site: FixtureSiteServer, tmp_path: Path) -> None:
    start = datetime(2020, 1, 1, tzinfo=UTC)
    items = [
        rss_item(f"Entry {n}", start + timedelta(hours=n), link=f"__BASE__/e/{n}")
        for n in range(10_000)
    ]
    fixture_site.site.add("/big.xml", rss(items), content_type=RSS)
    feed = source(fixture_site, "feed", "/big.xml")
    config, first, second, requested = crawl_twice(fixture_site, write_config(tmp_path, [feed]))
    stored = rows(config)
    assert len(stored) == 10_000 and first.items_new == 10_000
    assert sum(1 for r in stored if not r.extra.get("backfill_skipped")) == 20
    assert requested == ["/big.xml"] and second.items_new == 0


def test_cli_shows_dropped_entries_unavailable_articles_and_degraded(
    fixture_site: FixtureSiteServer, other_hosts: list[FixtureSiteServer], tmp_path: Path
) -> None:
    from tests.crawl.test_cli import _cli

    local = listed_entries(3, "/press/")
    body = "".join(
        f'<li class="news"><a href="{url}">{e.title}</a> <span>{e.published:%d %B %Y}</span></li>'
        for url, e in [(fixture_site.url(e.path), e) for e in local]
        + [(other_hosts[0].url(e.path), e) for e in listed_entries(2, "/away/")]
    )
    fixture_site.site.add("/list.html", f"<html><body><ul>{body}</ul></body></html>")
    listing = source(fixture_site, "listing", "/list.html", selectors={"item": "li.news"})
    config_dir = write_config(tmp_path, [listing])
    tested = _cli(config_dir, "sources", "test", "truth", "--limit", "5")
    assert tested.returncode == 0, tested.stderr
    assert tested.stdout.count("article: unavailable (HTTP 404), from the listing") == 3
    assert "entries dropped: 2 offsite" in tested.stdout
    crawled = _cli(config_dir, "crawl")
    assert crawled.returncode == 0, crawled.stderr
    assert "2 offsite" in crawled.stdout and "degraded" in crawled.stdout
    listed = _cli(config_dir, "sources", "list")
    assert "degraded" in listed.stdout
