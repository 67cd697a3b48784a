"""Sitemap parsing: urlsets (including Google News), sitemap indexes, gzip and plain text."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from crawler.errors import CrawlError
from crawler.extract.dates import parse_date
from crawler.extract.feeds import child, child_text, children, local, parse_xml

MAX_DECOMPRESSED = 50 * 1024 * 1024


class SitemapParseError(CrawlError):
    """The body is neither a sitemap nor a sitemap index."""


@dataclass(frozen=True)
class SitemapEntry:
    """One <url> or <sitemap> entry."""

    url: str
    lastmod: datetime | None = None
    news_title: str | None = None
    news_published: datetime | None = None
    language: str | None = None


@dataclass(frozen=True)
class Sitemap:
    """A parsed sitemap: `kind` is "urlset" (see `entries`) or "index" (see `sitemaps`)."""

    kind: str
    entries: list[SitemapEntry] = field(default_factory=list)
    sitemaps: list[SitemapEntry] = field(default_factory=list)
    truncated: bool = False


def gunzip_capped(body: bytes, limit: int = MAX_DECOMPRESSED) -> tuple[bytes, bool]:
    """Decompress gzip bytes up to `limit`; returns (data, truncated)."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(body, limit)
    except zlib.error as exc:
        raise SitemapParseError(f"corrupt gzip sitemap: {exc}") from exc
    return data, bool(inflater.unconsumed_tail)


def parse_sitemap(body: bytes, url: str) -> Sitemap:
    """Parse a sitemap body (gzip detected by magic bytes); raise SitemapParseError if not one."""
    truncated = False
    if body[:2] == b"\x1f\x8b":
        body, truncated = gunzip_capped(body)
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:4].lower() in (b"http",):
        return Sitemap("urlset", _text_entries(stripped), truncated=truncated)
    root = parse_xml(body)
    if root is None:
        raise SitemapParseError(f"{url}: not a sitemap (unparsable XML)")
    name = local(root)
    if name == "urlset":
        entries = [e for e in (_url_entry(node) for node in children(root, "url")) if e]
        return Sitemap("urlset", entries, truncated=truncated)
    if name == "sitemapindex":
        maps = [e for e in (_url_entry(node) for node in children(root, "sitemap")) if e]
        return Sitemap("index", sitemaps=maps, truncated=truncated)
    raise SitemapParseError(f"{url}: not a sitemap (root element <{name}>)")


def _text_entries(body: bytes) -> list[SitemapEntry]:
    lines = body.decode("utf-8", errors="replace").splitlines()
    urls = (line.strip() for line in lines[:50_000])
    return [SitemapEntry(u) for u in urls if u.startswith(("http://", "https://"))]


def _url_entry(node: etree._Element) -> SitemapEntry | None:
    loc = child_text(node, "loc")
    if not loc or not loc.startswith(("http://", "https://")):
        return None
    lastmod = child_text(node, "lastmod")
    news = child(node, "news")
    title = published = language = None
    if news is not None:
        title = child_text(news, "title")
        stamp = child_text(news, "publication_date")
        published = parse_date(stamp) if stamp else None
        publication = child(news, "publication")
        if publication is not None:
            language = child_text(publication, "language")
    return SitemapEntry(
        url=loc,
        lastmod=parse_date(lastmod) if lastmod else None,
        news_title=" ".join(title.split()) if title else None,
        news_published=published,
        language=language,
    )
