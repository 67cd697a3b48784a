"""Tests of the fixture-site server, its generators and its hostile endpoints."""

from __future__ import annotations

import http.client
import json
import socket
import time
from pathlib import Path

import pytest

from crawler.config.loader import load_config
from crawler.extract.listing import extract_listing, find_next_page
from tests.sites import (
    FEED_PATHS,
    HOSTILE,
    HUGE_SIZE,
    LISTING_SELECTORS,
    NEWS_SITEMAP,
    SITEMAP_INDEX,
    FixtureSiteServer,
    Site,
    add_hostile_endpoints,
    build_feed_site,
    build_listing_site,
    build_sitemap_site,
    feed_source,
    listing_source,
    newest_first,
    sitemap_source,
    write_config,
)
from tests.sites.hostile import huge_stream

Headers = dict[str, str]


def fetch(
    server: FixtureSiteServer,
    path: str,
    headers: Headers | None = None,
    method: str = "GET",
    timeout: float = 5.0,
) -> tuple[int, Headers, bytes]:
    """One request on a fresh connection: status, lower-cased headers, body."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        conn.close()


@pytest.fixture
def listing_server(fixture_site: FixtureSiteServer) -> FixtureSiteServer:
    build_listing_site(fixture_site.site, articles=25, per_page=10)
    build_feed_site(fixture_site.site)
    return fixture_site


# --- validators and counters -------------------------------------------------------------


def test_etag_and_last_modified_give_304(listing_server: FixtureSiteServer) -> None:
    status, headers, body = fetch(listing_server, "/news")
    assert status == 200 and body
    etag, modified = headers["etag"], headers["last-modified"]
    assert fetch(listing_server, "/news", {"If-None-Match": etag})[0] == 304
    assert fetch(listing_server, "/news", {"If-Modified-Since": modified})[0] == 304
    assert fetch(listing_server, "/news", {"If-None-Match": '"other"'})[0] == 200
    logged = listing_server.records("/news")
    assert [r.status for r in logged] == [200, 304, 304, 200]
    assert logged[1].if_none_match == etag
    assert logged[2].if_modified_since == modified


def test_feeds_carry_validators(listing_server: FixtureSiteServer) -> None:
    for path in FEED_PATHS.values():
        status, headers, _ = fetch(listing_server, path)
        assert status == 200
        assert fetch(listing_server, path, {"If-None-Match": headers["etag"]})[0] == 304


def test_validators_can_be_switched_off(listing_server: FixtureSiteServer) -> None:
    listing_server.site.validators = False
    status, headers, _ = fetch(listing_server, "/news", {"If-None-Match": "*"})
    assert status == 200
    assert "etag" not in headers and "last-modified" not in headers


def test_mark_changed_moves_validators(listing_server: FixtureSiteServer) -> None:
    _, before, _ = fetch(listing_server, "/news")
    listing_server.site.mark_changed("/news")
    status, after, _ = fetch(listing_server, "/news", {"If-None-Match": before["etag"]})
    assert status == 200
    assert after["etag"] != before["etag"]
    since = {"If-Modified-Since": before["last-modified"]}
    assert fetch(listing_server, "/news", since)[0] == 200


def test_counts_and_reset(listing_server: FixtureSiteServer) -> None:
    for _ in range(3):
        fetch(listing_server, "/news")
    fetch(listing_server, "/news", method="HEAD")
    fetch(listing_server, "/news?page=2")
    assert listing_server.count("/news") == 3
    assert listing_server.count("/news", method="HEAD") == 1
    assert listing_server.count("/news", method=None) == 4
    assert listing_server.count("/news?page=2") == 1
    assert listing_server.counts[("GET", "/news")] == 3
    listing_server.reset_counts()
    assert listing_server.count("/news") == 0 and listing_server.requests == []


def test_unknown_path_is_404(fixture_site: FixtureSiteServer) -> None:
    assert fetch(fixture_site, "/nothing/here")[0] == 404


def test_robots_txt_default_and_configured(fixture_site: FixtureSiteServer) -> None:
    status, _, body = fetch(fixture_site, "/robots.txt")
    assert status == 200 and b"Allow: /" in body
    fixture_site.site.robots_txt = "User-agent: *\nDisallow: /private/\n"
    assert b"Disallow: /private/" in fetch(fixture_site, "/robots.txt")[2]
    fixture_site.site.robots_txt = None
    assert fetch(fixture_site, "/robots.txt")[0] == 404


def test_server_stops_cleanly() -> None:
    with FixtureSiteServer() as server:
        port = server.port
        assert server.url("/x") == f"http://127.0.0.1:{port}/x"
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


# --- generated sites ---------------------------------------------------------------------


def _bodies(seed: int) -> dict[str, bytes]:
    site = Site(seed=seed)
    build_listing_site(site, articles=12)
    build_feed_site(site)
    build_sitemap_site(site)
    add_hostile_endpoints(site, seed=seed)
    return {path: route.body for path, route in site.routes.items()}


def test_generation_is_deterministic() -> None:
    first, second = _bodies(7), _bodies(7)
    assert first == second
    assert first != _bodies(8)


def test_article_pages_are_realistic(listing_server: FixtureSiteServer) -> None:
    articles = newest_first(listing_server.site)
    assert {a.language for a in articles} == {"en", "ru"}
    assert any(a.date_in_title_only for a in articles)
    for article in articles:
        status, _, body = fetch(listing_server, article.path)
        assert status == 200
        assert 50_000 <= len(body) <= 105_000
        text = body.decode()
        assert f'<link rel="canonical" href="{listing_server.url(article.path)}">' in text
        assert "<nav" in text and "<footer" in text and 'class="sidebar"' in text
        assert ('class="article-date"' in text) != article.date_in_title_only


def test_listing_pagination_covers_every_article(listing_server: FixtureSiteServer) -> None:
    seen: list[str] = []
    url: str | None = listing_server.url("/news")
    while url is not None:
        path = url.removeprefix(listing_server.base_url)
        html = fetch(listing_server, path)[2].decode()
        entries = extract_listing(html, url, **LISTING_SELECTORS)
        assert all(e.title and e.published_at for e in entries)
        seen += [e.url for e in entries]
        url = find_next_page(html, url, "a.next")
    expected = [listing_server.url(a.path) for a in newest_first(listing_server.site)]
    assert seen == expected
    assert fetch(listing_server, "/news?page=3")[0] == 200
    assert fetch(listing_server, "/news?page=1")[2] == fetch(listing_server, "/news")[2]


def test_add_article_changes_only_what_it_should(listing_server: FixtureSiteServer) -> None:
    site = listing_server.site
    old_pages = {a.path: site.routes[a.path].etag for a in site.articles}
    _, before, _ = fetch(listing_server, "/news")
    added = site.add_article(title="Statement on the new nuclear test moratorium")
    assert newest_first(site)[0] == added
    status, after, body = fetch(listing_server, "/news", {"If-None-Match": before["etag"]})
    assert status == 200 and after["etag"] != before["etag"]
    assert added.path.encode() in body
    assert {a.path: site.routes[a.path].etag for a in site.articles[:-1]} == old_pages
    assert fetch(listing_server, added.path)[0] == 200
    assert added.title.encode() in fetch(listing_server, FEED_PATHS["rss"])[2]


def test_feed_encodings(listing_server: FixtureSiteServer) -> None:
    _, headers, cp1251 = fetch(listing_server, FEED_PATHS["rss_cp1251"])
    assert "windows-1251" in headers["content-type"]
    assert b'encoding="windows-1251"' in cp1251
    assert "Министерство" in cp1251.decode("windows-1251")
    with pytest.raises(UnicodeDecodeError):
        cp1251.decode("utf-8")
    _, _, latin1 = fetch(listing_server, FEED_PATHS["rss_latin1"])
    assert "Ministère" in latin1.decode("iso-8859-1")
    feed = json.loads(fetch(listing_server, FEED_PATHS["json"])[2])
    assert feed["items"][0]["url"].startswith(listing_server.base_url)


def test_sitemap_index_and_news_sitemap(fixture_site: FixtureSiteServer) -> None:
    build_sitemap_site(fixture_site.site, articles=30, per_sitemap=25)
    index = fetch(fixture_site, SITEMAP_INDEX)[2].decode()
    assert index.count("<sitemap>") == 3
    assert f"{fixture_site.base_url}/sitemaps/press-2.xml" in index
    assert fetch(fixture_site, "/sitemaps/press-1.xml")[2].count(b"<url>") == 25
    news = fetch(fixture_site, NEWS_SITEMAP)[2]
    assert b"<news:publication_date>" in news and news.count(b"<url>") == 10
    assert (
        f"Sitemap: {fixture_site.base_url}/sitemap.xml".encode()
        in fetch(fixture_site, "/robots.txt")[2]
    )


def test_write_config_loads(tmp_path: Path, listing_server: FixtureSiteServer) -> None:
    build_sitemap_site(listing_server.site)
    sources = [
        listing_source(listing_server, pagination={"max_pages": 3}),
        feed_source(listing_server, variant="atom"),
        sitemap_source(listing_server),
    ]
    rules = [{"id": "nuclear", "name": "Nuclear", "query": "nuclear"}]
    directory = write_config(tmp_path, sources, rules, {"crawl": {"retries": 2}})
    config = load_config(directory, environ={})
    assert [s.id for s in config.sources] == ["fixture-listing", "fixture-feed", "fixture-sitemap"]
    assert all(s.allow_private_addresses for s in config.sources)
    crawl = config.settings.crawl
    assert crawl.retries == 2 and crawl.download_delay.total_seconds() == 0
    assert not crawl.autothrottle and crawl.timeout.total_seconds() == 5
    assert config.data_dir == tmp_path / "data"


# --- hostile endpoints ---------------------------------------------------------------------


@pytest.fixture
def hostile(fixture_site: FixtureSiteServer) -> FixtureSiteServer:
    add_hostile_endpoints(fixture_site.site, slow_seconds=3.0, drip_interval=0.2)
    return fixture_site


@pytest.mark.parametrize(
    ("name", "status"),
    [("not_found", 404), ("server_error", 500), ("forbidden", 403), ("too_many", 429)],
)
def test_error_statuses(hostile: FixtureSiteServer, name: str, status: int) -> None:
    got, headers, _ = fetch(hostile, HOSTILE[name])
    assert got == status
    assert "etag" not in headers
    if status == 429:
        assert headers["retry-after"] == "1"


def test_slow_endpoint_exceeds_timeout(hostile: FixtureSiteServer) -> None:
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        fetch(hostile, HOSTILE["slow"], timeout=0.5)
    assert time.monotonic() - started < 2


def test_slowloris_drips(hostile: FixtureSiteServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", hostile.port, timeout=5)
    try:
        conn.request("GET", HOSTILE["slowloris"])
        response = conn.getresponse()
        assert response.status == 200
        assert response.getheader("Transfer-Encoding") == "chunked"
        started = time.monotonic()
        received = b"".join(response.read(1) for _ in range(5))
        assert received == b"<html"
        assert time.monotonic() - started >= 0.6
    finally:
        conn.close()


def test_redirect_loop(hostile: FixtureSiteServer) -> None:
    status, headers, _ = fetch(hostile, HOSTILE["loop"])
    assert status == 302 and headers["location"] == HOSTILE["loop_b"]
    status, headers, _ = fetch(hostile, HOSTILE["loop_b"])
    assert status == 302 and headers["location"] == HOSTILE["loop"]


def test_huge_page_is_streamed(hostile: FixtureSiteServer) -> None:
    assert sum(len(chunk) for chunk in huge_stream()) == HUGE_SIZE
    status, headers, _ = fetch(hostile, HOSTILE["huge"], method="HEAD")
    assert status == 200 and int(headers["content-length"]) == HUGE_SIZE
    conn = http.client.HTTPConnection("127.0.0.1", hostile.port, timeout=10)
    try:
        conn.request("GET", HOSTILE["huge"])
        response = conn.getresponse()
        total = 0
        while chunk := response.read(1 << 20):
            total += len(chunk)
        assert total == HUGE_SIZE
    finally:
        conn.close()


def test_garbage_truncated_and_short_read(hostile: FixtureSiteServer) -> None:
    garbage = fetch(hostile, HOSTILE["garbage"])[2]
    assert len(garbage) == 20_000
    with pytest.raises(UnicodeDecodeError):
        garbage.decode("utf-8")
    assert fetch(hostile, HOSTILE["truncated"])[2].endswith(b"<a hr")
    with pytest.raises(http.client.IncompleteRead):
        fetch(hostile, HOSTILE["short_read"])


def test_entity_bomb_is_small_on_the_wire(hostile: FixtureSiteServer) -> None:
    status, headers, body = fetch(hostile, HOSTILE["bomb"])
    assert status == 200 and "rss" in headers["content-type"]
    assert len(body) < 4096
    assert b"<!ENTITY lol9" in body and b"&lol9;" in body


def test_redesigned_listing_no_longer_matches(hostile: FixtureSiteServer) -> None:
    url = hostile.url(HOSTILE["redesigned"])
    html = fetch(hostile, HOSTILE["redesigned"])[2].decode()
    assert extract_listing(html, url, **LISTING_SELECTORS) == []
    assert html.count('class="card"') == 5


@pytest.mark.parametrize(("name", "status"), [("challenge", 503), ("challenge_403", 403)])
def test_challenge_page(hostile: FixtureSiteServer, name: str, status: int) -> None:
    got, headers, body = fetch(hostile, HOSTILE[name])
    assert got == status
    assert headers["server"] == "cloudflare" and "cf-ray" in headers
    assert b"<title>Just a moment...</title>" in body


def test_shared_site_serves_everything(shared_fixture_site: FixtureSiteServer) -> None:
    for path in ("/news", FEED_PATHS["atom"], SITEMAP_INDEX, HOSTILE["redesigned"]):
        assert fetch(shared_fixture_site, path)[0] == 200
    shared_fixture_site.reset_counts()
