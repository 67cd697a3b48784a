"""Tests for crawler.extract.sitemaps."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest

from crawler.extract.sitemaps import SitemapParseError, parse_sitemap

NEWS = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://mfa.example.org/en/news/1</loc><lastmod>2022-03-01T10:00:00+00:00</lastmod>
<news:news><news:publication><news:name>MFA</news:name><news:language>en</news:language>
</news:publication><news:publication_date>2022-03-01T09:00:00Z</news:publication_date>
<news:title>Minister meets   counterpart</news:title></news:news></url>
<url><loc>https://mfa.example.org/en/news/2</loc></url>
<url><loc>javascript:alert(1)</loc></url>
</urlset>"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://example.org/sitemap-1.xml.gz</loc><lastmod>2021-05-01</lastmod></sitemap>
<sitemap><loc>https://example.org/sitemap-2.xml</loc></sitemap>
</sitemapindex>"""


def test_news_sitemap() -> None:
    sitemap = parse_sitemap(NEWS, "https://mfa.example.org/sitemap.xml")
    assert sitemap.kind == "urlset"
    first, second = sitemap.entries
    assert first.news_title == "Minister meets counterpart"
    assert first.news_published == datetime(2022, 3, 1, 9, 0, tzinfo=UTC)
    assert first.lastmod == datetime(2022, 3, 1, 10, 0, tzinfo=UTC)
    assert first.language == "en"
    assert second.lastmod is None


def test_index() -> None:
    sitemap = parse_sitemap(INDEX, "https://example.org/sitemap.xml")
    assert sitemap.kind == "index"
    assert next(s.url for s in sitemap.sitemaps) == "https://example.org/sitemap-1.xml.gz"
    assert sitemap.sitemaps[0].lastmod == datetime(2021, 5, 1, tzinfo=UTC)


def test_gzip() -> None:
    sitemap = parse_sitemap(gzip.compress(NEWS), "https://example.org/s.xml.gz")
    assert len(sitemap.entries) == 2


def test_gzip_bomb_is_capped() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * (60 * 1024 * 1024))
    sitemap = parse_sitemap(bomb, "https://example.org/s.xml.gz")
    assert sitemap.truncated
    assert sitemap.entries == []


def test_plain_text_sitemap() -> None:
    body = b"https://example.org/a\nhttps://example.org/b\n"
    assert [e.url for e in parse_sitemap(body, "https://example.org/s.txt").entries] == [
        "https://example.org/a",
        "https://example.org/b",
    ]


@pytest.mark.parametrize("body", [b"", b"<rss></rss>", b"\x1f\x8bnot gzip", b"<html></html>"])
def test_not_a_sitemap(body: bytes) -> None:
    with pytest.raises(SitemapParseError):
        parse_sitemap(body, "https://example.org/s.xml")


def test_surrogate_character_reference_drops_the_entry_only() -> None:
    """lxml's recover mode keeps `&#xD800;` as bytes that cannot be decoded on access."""
    body = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>&#0;&#xD800;&#99999999;http://www.example.com/a.html</loc></url>"
        b"<url><loc>http://www.example.com/b.html</loc></url></urlset>"
    )
    sitemap = parse_sitemap(body, "https://mfa.example/sitemap.xml")
    assert [entry.url for entry in sitemap.entries] == ["http://www.example.com/b.html"]
