"""Real corpus pages served at their original paths, crawled with the shipped source configs."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ruamel.yaml import YAML

from tests.crawl.conftest import crawl, rows
from tests.sites import FixtureSiteServer, Site, write_config

REPO_ROOT = Path(__file__).resolve().parents[2]
MINISTRIES = Path("foreign_ministries") / "diplomaticpulse_fixtures"
GOVUK = Path("foreign_ministries") / "govuk_content_items"
ATOM = "application/atom+xml; charset=utf-8"


def shipped_source(source_id: str) -> dict[str, Any]:
    """A source of config/sources/*.yaml as plain data."""
    yaml = YAML(typ="safe")
    for path in sorted((REPO_ROOT / "config" / "sources").glob("*.yaml")):
        for source in yaml.load(path.read_text("utf-8")).get("sources", []):
            if source["id"] == source_id:
                return dict(source)
    raise KeyError(source_id)


def localised(source: dict[str, Any], server: FixtureSiteServer) -> dict[str, Any]:
    """The source pointed at the local server: same paths, 127.0.0.1, enabled."""
    urls = []
    for url in source["urls"]:
        parts = urlsplit(url)
        urls.append(server.url(parts.path + (f"?{parts.query}" if parts.query else "")))
    return {
        **source,
        "urls": urls,
        "allowed_domains": ["127.0.0.1"],
        "allow_private_addresses": True,
        "enabled": True,
        "expect_new_within": None,
    }


def serve_page(site: Site, path: str, page: Path, *origins: str) -> None:
    """Serve a saved page at `path`, its absolute links to `origins` made local."""
    body = page.read_bytes()
    for origin in origins:
        body = body.replace(origin.encode(), b"__BASE__")
    site.add(path, body)


def crawl_one(tmp_path: Path, source: dict[str, Any], health: str = "ok") -> tuple[Any, list[Any]]:
    config_dir = write_config(tmp_path, [source])
    config, runs = crawl(config_dir, source["id"])
    run = runs[source["id"]]
    assert run.health == health, run
    return run, rows(config, source_id=source["id"])


def day(stamp: datetime | None) -> date | None:
    if stamp is None:
        return None
    return (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).astimezone(UTC).date()


def test_belarus_statements(
    fixture_site: FixtureSiteServer, corpus_dir: Path, tmp_path: Path
) -> None:
    folder = corpus_dir / MINISTRIES
    facts = json.loads((folder / "expected.json").read_text("utf-8"))
    listing_key = f"{MINISTRIES}/belarus_mfa/statements_listing.html"
    source = localised(shipped_source("by-mfa-statements"), fixture_site)
    site = fixture_site.site
    serve_page(site, "/en/press/statements/", corpus_dir / listing_key, "http://localhost")
    for item in facts[listing_key]["items"]:
        serve_page(site, urlsplit(item["href"]).path, corpus_dir / item["corpus_file"])
    run, stored = crawl_one(tmp_path, source)
    # statement_makei_cei_summit_b repeats _a word for word: stored, flagged as its duplicate
    assert (run.items_new, run.items_duplicate, run.errors) == (4, 1, 0)
    assert len([r for r in stored if r.duplicate_of is not None]) == 1
    by_path = {urlsplit(r.url).path: r for r in stored}
    for item in facts[listing_key]["items"]:
        page = facts[item["corpus_file"]]
        row = by_path[urlsplit(item["href"]).path]
        assert row.title == page["h1"][0]
        assert len(row.body) >= 0.8 * page["body_chars"]
        if page["dateline_paragraphs"]:
            # The source's own day (Europe/Minsk midnight is 21:00 UTC the day before).
            assert row.published_date == date(2021, 12, 6)


def test_malaysia_press_releases(
    fixture_site: FixtureSiteServer, corpus_dir: Path, tmp_path: Path
) -> None:
    folder = corpus_dir / MINISTRIES / "malaysia_kln"
    source = localised(shipped_source("my-kln-press"), fixture_site)
    listing = source["urls"][0]
    site = fixture_site.site
    origin = "https://www.kln.gov.my"
    serve_page(site, "/web/guest/press-releases", folder / "press_releases_listing.html", origin)
    uae = (
        "/web/guest/-/"
        "united-arab-emirates-contributes-500-000-doses-of-covid-19-vaccine-to-malaysia"
    )
    serve_page(site, uae, folder / "press_release_uae_vaccine.html", origin)
    # Only one release page is saved: the other 29 requested answer 404, so the run is
    # degraded, and every listed release is stored all the same, from the listing.
    _, stored = crawl_one(tmp_path, source, health="degraded")
    fetched = [r for r in stored if r.body]
    skipped = {r.title: r for r in stored if r.extra.get("backfill_skipped")}
    unavailable = [r for r in stored if (r.extra.get("article") or {}).get("state")]
    # backfill 30: the newest 30 are requested (only the saved one exists), the rest baseline
    assert fixture_site.count("/robots.txt") <= 1
    pages = [p for p in fixture_site.paths() if p not in ("/robots.txt", urlsplit(listing).path)]
    assert len(pages) == 30
    assert len(stored) == 293 and len(fetched) == 1
    assert len([r for r in stored if r.extra.get("backfill_skipped")]) == 293 - 30
    assert len(unavailable) == 29
    assert all(r.extra["article"]["reason"] == "HTTP 404" for r in unavailable)
    title = "UNITED ARAB EMIRATES CONTRIBUTES 500,000 DOSES OF COVID-19 VACCINE TO MALAYSIA"
    assert fetched[0].title == title and "500,000 doses" in fetched[0].body
    assert day(fetched[0].published_at) == date(2022, 1, 25)
    turkey = skipped["EARTHQUAKE IN ELAZIG AND MALATYA PROVINCES, REPUBLIC OF TURKEY"]
    assert day(turkey.published_at) == date(2020, 1, 25)
    assert all(r.published_at is not None for r in stored)


UZ_PAGE = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"></head><body>'
    '<div class="base-content"><p>President Shavkat Mirziyoyev held talks with President Xi '
    "Jinping on the development of the comprehensive strategic partnership, trade, "
    "investment and connectivity between the two countries.</p></div></body></html>"
)


def test_uzbekistan_listing_hints(
    fixture_site: FixtureSiteServer, corpus_dir: Path, tmp_path: Path
) -> None:
    listing = corpus_dir / MINISTRIES / "uzbekistan_mfa" / "news_listing.html"
    source = localised(shipped_source("uz-mfa-news"), fixture_site)
    serve_page(fixture_site.site, "/en/press/news", listing, "http://localhost")
    fixture_site.site.add("/31033.html", UZ_PAGE)  # hand-written: no title, no date
    run, stored = crawl_one(tmp_path, source)
    assert run.items_new == 1
    assert stored[0].title.startswith("Uzbekistan, China leaders call for further strengthening")
    assert day(stored[0].published_at) == date(2022, 2, 7)


def govuk_items(corpus_dir: Path) -> list[dict[str, Any]]:
    """The GOV.UK content items, one per base path, withdrawn ones left out."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted((corpus_dir / GOVUK).glob("*/*.json")):
        item = json.loads(path.read_text("utf-8"))
        if "base_path" in item and not item.get("withdrawn_notice"):
            found.setdefault(item["base_path"], item)
    return list(found.values())


def govuk_page(item: dict[str, Any]) -> str:
    """A GOV.UK-like page: schema.org JSON-LD, heading, "Published" line, govspeak body."""
    published = datetime.fromisoformat(item["first_published_at"])
    schema = {
        "@context": "http://schema.org",
        "@type": "NewsArticle",
        "headline": item["title"],
        "datePublished": item["first_published_at"],
        "dateModified": item["public_updated_at"],
    }
    return (
        f'<!DOCTYPE html><html lang="{item["locale"]}"><head><meta charset="utf-8">'
        f"<title>{escape(item['title'])} - GOV.UK</title>"
        f'<script type="application/ld+json">{json.dumps(schema)}</script></head><body><main>'
        f'<h1 class="gem-c-heading__text">{escape(item["title"])}</h1>'
        '<div class="gem-c-metadata"><dl><dt>Published</dt>'
        f'<dd><time datetime="{item["first_published_at"]}">'
        f"{published.day} {published:%B %Y}</time></dd></dl></div>"
        f'<div class="govspeak">{item["details"]["body"]}</div></main></body></html>'
    )


def govuk_feed(items: list[dict[str, Any]]) -> str:
    """A GOV.UK search Atom feed of the items (updated: their public_updated_at)."""
    entries = "".join(
        f"<entry><id>https://www.gov.uk{i['base_path']}</id>"
        f"<updated>{i['public_updated_at']}</updated>"
        f'<link rel="alternate" type="text/html" href="__BASE__{i["base_path"]}"/>'
        f"<title>{escape(i['title'])}</title><summary>{escape(i['description'])}</summary>"
        "</entry>"
        for i in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<id>https://www.gov.uk/search/news-and-communications</id>"
        "<title>News and communications - GOV.UK</title>"
        f"<updated>2024-11-16T00:00:00+00:00</updated>{entries}</feed>"
    )


def test_govuk_items_through_the_fcdo_feed(
    fixture_site: FixtureSiteServer, corpus_dir: Path, tmp_path: Path
) -> None:
    items = govuk_items(corpus_dir)
    source = localised(shipped_source("uk-fcdo-news"), fixture_site)
    source["backfill"] = len(items)
    site = fixture_site.site
    site.add(urlsplit(source["urls"][0]).path, govuk_feed(items), content_type=ATOM)
    for item in items:
        site.add(item["base_path"], govuk_page(item))
    run, stored = crawl_one(tmp_path, source)
    # two items carry the same message word for word: one is stored as the other's duplicate
    assert run.items_new + run.items_duplicate == len(items) and run.errors == 0
    by_path = {urlsplit(r.url).path: r for r in stored}
    for item in items:
        row = by_path[item["base_path"]]
        assert row.title == " ".join(item["title"].split()), item["base_path"]
        first = datetime.fromisoformat(item["first_published_at"])
        assert day(row.published_at) == day(first), item["base_path"]
        assert row.body and not row.extra.get("backfill_skipped")


# --- real feeds -------------------------------------------------------------------------------

# corpus file -> (path it is served at: its own self/feed URL's path, content type)
FEEDS: dict[str, tuple[str, str]] = {
    "netnewswire/livemint.xml": ("/rss/News", "application/rss+xml"),
    "netnewswire/qemu.atom": ("/feed.xml", "application/atom+xml"),
    "netnewswire/inessential.json": ("/feed.json", "application/feed+json"),
    "netnewswire/bio.rdf": ("/rss/plant-biology.xml", "application/rdf+xml"),
}
NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "rss1": "http://purl.org/rss/1.0/",
    "dc": "http://purl.org/dc/elements/1.1/",
}


def feed_truth(body: bytes, base: str) -> list[tuple[str, str, datetime | None]]:
    """(absolute url, title, date) of each entry, read independently of crawler.extract."""
    import xml.etree.ElementTree as ET
    from email.utils import parsedate_to_datetime
    from urllib.parse import urljoin

    if body.lstrip().startswith(b"{"):
        data = json.loads(body)
        return [
            (i["url"], i.get("title", ""), _iso(i.get("date_published"))) for i in data["items"]
        ]
    root = ET.fromstring(body)
    if root.tag == "rss":
        return [
            (
                (i.findtext("link") or "").strip(),
                i.findtext("title") or "",
                parsedate_to_datetime((i.findtext("pubDate") or "").strip()),
            )
            for i in root.iter("item")
        ]
    if root.tag.endswith("RDF"):
        return [
            (
                (i.findtext("rss1:link", namespaces=NS) or "").strip(),
                i.findtext("rss1:title", namespaces=NS) or "",
                _iso(i.findtext("dc:date", namespaces=NS)),
            )
            for i in root.iterfind("rss1:item", NS)
        ]
    return [
        (
            urljoin(base, e.find("atom:link[@rel='alternate']", NS).get("href", "")),  # type: ignore[union-attr]
            e.findtext("atom:title", namespaces=NS) or "",
            _iso(e.findtext("atom:published", namespaces=NS)),
        )
        for e in root.iterfind("atom:entry", NS)
    ]


def _plain(title: str) -> str:
    """A feed title as text: markup such as <span class='webrupee'> dropped, spaces collapsed."""
    from html import unescape

    return " ".join(unescape(re.sub(r"<[^>]+>", "", title)).split())


def _iso(value: str | None) -> datetime | None:
    """An ISO date; a date without a zone is taken as UTC (as the crawler stores it)."""
    if not value:
        return None
    stamp = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def test_real_feeds(fixture_site: FixtureSiteServer, corpus_dir: Path, tmp_path: Path) -> None:
    truth: dict[str, list[tuple[str, str, datetime | None]]] = {}
    sources = []
    for name, (path, content_type) in FEEDS.items():
        body = (corpus_dir / "feeds" / name).read_bytes()
        fixture_site.site.add(path, body, content_type=content_type, templated=False)
        source_id = "feed-" + Path(name).stem.lower()
        truth[source_id] = feed_truth(body, fixture_site.url(path))
        hosts = {urlsplit(url).hostname or "" for url, _, _ in truth[source_id]}
        sources.append(
            {
                "id": source_id,
                "name": name,
                "kind": "feed",
                "follow": False,
                "urls": [fixture_site.url(path)],
                "allowed_domains": sorted(hosts),
                "languages": ["en"],
            }
        )
    config_dir = write_config(tmp_path, sources, settings={"crawl": {"parallel_sources": 4}})
    config, runs = crawl(config_dir)
    for source_id, entries in truth.items():
        assert runs[source_id].health == "ok", runs[source_id]
        stored = {r.url: r for r in rows(config, source_id=source_id)}
        assert len(stored) == len(entries) >= 10, source_id
        for url, title, published in entries:
            row = stored[url]
            assert row.title == _plain(title), (source_id, url)
            assert row.published_at == published, (source_id, url)
