"""Deterministic site generators: articles, listing pages, feeds and sitemaps on a Site."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from typing import Any

from tests.sites.pages import GeneratedArticle, article_html, make_paragraphs
from tests.sites.server import Site
from tests.sites.text import en_date, human_date, title

NEWEST = datetime(2024, 5, 31, 9, 30, tzinfo=UTC)
RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
XML = "application/xml; charset=utf-8"

LISTING_PATH = "/news"
LISTING_SELECTORS: dict[str, str] = {
    "item": "div.news-item",
    "link": "h3.news-title a",
    "title": "h3.news-title a",
    "date": ".news-date",
}
ARTICLE_SELECTORS: dict[str, str] = {
    "title": "h1.article-title",
    "date": ".article-date time::attr(datetime)",
    "body": "div.article-body",
}
FEED_PATHS: dict[str, str] = {
    "rss": "/feeds/rss.xml",
    "atom": "/feeds/atom.xml",
    "json": "/feeds/feed.json",
    "rss_cp1251": "/feeds/rss-cp1251.xml",
    "rss_latin1": "/feeds/rss-latin1.xml",
}
SITEMAP_INDEX = "/sitemap.xml"
NEWS_SITEMAP = "/sitemaps/news.xml"


# --- articles ------------------------------------------------------------------------------


def _make_article(site: Site, index: int, **fields: Any) -> GeneratedArticle:
    rng = random.Random(f"{site.seed}:article:{index}")
    language = fields.pop("language", "ru" if index % 3 == 0 else "en")
    published = fields.pop("published_at", NEWEST - timedelta(days=40) + timedelta(days=index))
    in_title = fields.pop("date_in_title_only", index % 5 == 0)
    headline = fields.pop("title", None)
    if headline is None:
        headline = title(rng, language, index)
        if in_title:
            headline = f"{headline}, {human_date(published, language)}"
    return GeneratedArticle(
        slug=fields.pop("slug", f"{index:04d}-{language}"),
        title=headline,
        published_at=published,
        language=language,
        paragraphs=fields.pop("paragraphs", None) or make_paragraphs(rng, language),
        date_in_title_only=in_title,
        size=fields.pop("size", rng.randint(50_000, 100_000)),
    )


def newest_first(site: Site) -> list[GeneratedArticle]:
    """The site's articles, newest first."""
    return sorted(site.articles, key=lambda a: (a.published_at, a.slug), reverse=True)


def add_article(site: Site, *, render: bool = True, **fields: Any) -> GeneratedArticle:
    """Add an article (title, language, published_at, date_in_title_only, slug, size, ...).

    The default date is one day after the newest article, so it tops every listing and feed.
    Listings, feeds and sitemaps are re-rendered unless `render` is False.
    """
    index = len(site.articles) + 1
    if "published_at" not in fields and site.articles:
        fields["published_at"] = max(a.published_at for a in site.articles) + timedelta(days=1)
    article = _make_article(site, index, **fields)
    others = newest_first(site)
    site.articles.append(article)
    site.add(article.path, article_html(article, site.name, others, site.seed))
    if render:
        site.render()
    return article


def ensure_articles(site: Site, count: int) -> list[GeneratedArticle]:
    """Give the site at least `count` articles (dates one day apart, every 3rd in Russian)."""
    while len(site.articles) < count:
        index = len(site.articles) + 1
        add_article(site, render=False, published_at=NEWEST - timedelta(days=count - index))
    return newest_first(site)


def _register(site: Site, renderer: Any) -> None:
    if renderer not in site.renderers:
        site.renderers.append(renderer)
    renderer(site)


# --- listing -------------------------------------------------------------------------------


def listing_page_html(
    site: Site, articles: list[GeneratedArticle], page: int, pages: int, path: str
) -> str:
    """One page of the news listing with a pager (rel=next to ?page=N+1)."""
    items = "".join(
        '<div class="news-item">'
        f'<span class="news-date">{en_date(a.published_at)}</span>'
        f'<h3 class="news-title"><a href="{a.path}">{escape(a.title)}</a></h3>'
        f'<p class="news-teaser">{escape(a.paragraphs[0][:160])}</p></div>'
        for a in articles
    )
    pager = f'<span class="current">Page {page} of {pages}</span>'
    if page > 1:
        pager = f'<a class="prev" href="{path}?page={page - 1}">« Previous</a>' + pager
    if page < pages:
        pager += f'<a class="next" rel="next" href="{path}?page={page + 1}">Next »</a>'
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Press releases'
        f" - {escape(site.name)}</title></head><body>"
        '<header><nav class="main-nav"><ul><li><a href="/">Home page of the ministry</a></li>'
        '<li><a href="/news">Press releases and statements</a></li></ul></nav></header>'
        f'<main><h1>Press releases</h1><div class="news-list">{items}</div>'
        f'<div class="pagination">{pager}</div></main>'
        f"<footer><p>© 2024 {escape(site.name)}</p></footer></body></html>"
    )


def render_listing(site: Site, *, per_page: int = 10, path: str = LISTING_PATH) -> None:
    """(Re-)render every listing page: `path`, and `path?page=N` for N = 1..pages."""
    articles = newest_first(site)
    pages = max(1, -(-len(articles) // per_page))
    for page in range(1, pages + 1):
        chunk = articles[(page - 1) * per_page : page * per_page]
        html = listing_page_html(site, chunk, page, pages, path)
        site.add(f"{path}?page={page}", html)
        if page == 1:
            site.add(path, html)


def build_listing_site(site: Site | None = None, *, articles: int = 30, per_page: int = 10) -> Site:
    """A ministry-style site: a paginated listing at /news linking to article pages."""
    site = site if site is not None else Site()
    ensure_articles(site, articles)

    def renderer(target: Site) -> None:
        render_listing(target, per_page=per_page)

    _register(site, renderer)
    return site


# --- feeds ---------------------------------------------------------------------------------


def _rss(site: Site, articles: list[GeneratedArticle], encoding: str, channel: str) -> bytes:
    items = "".join(
        f"<item><title>{escape(a.title)}</title><link>__BASE__{a.path}</link>"
        f'<guid isPermaLink="true">__BASE__{a.path}</guid>'
        f"<pubDate>{format_datetime(a.published_at)}</pubDate>"
        f"<description>{escape(a.paragraphs[0][:300])}</description></item>"
        for a in articles
    )
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(channel)}</title><link>__BASE__/</link>"
        f"<description>Press releases</description>{items}</channel></rss>"
    )
    return text.encode(encoding, errors="xmlcharrefreplace")


def _atom(site: Site, articles: list[GeneratedArticle]) -> bytes:
    updated = articles[0].published_at.isoformat() if articles else NEWEST.isoformat()
    entries = "".join(
        f'<entry><title>{escape(a.title)}</title><link rel="alternate" href="__BASE__{a.path}"/>'
        f"<id>__BASE__{a.path}</id><published>{a.published_at.isoformat()}</published>"
        f"<updated>{a.published_at.isoformat()}</updated>"
        f"<summary>{escape(a.paragraphs[0][:300])}</summary></entry>"
        for a in articles
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(site.name)}</title><id>__BASE__/</id><updated>{updated}</updated>"
        f'<link rel="self" href="__BASE__{FEED_PATHS["atom"]}"/>{entries}</feed>'
    ).encode()


def _json_feed(site: Site, articles: list[GeneratedArticle]) -> bytes:
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": site.name,
        "home_page_url": "__BASE__/",
        "feed_url": f"__BASE__{FEED_PATHS['json']}",
        "items": [
            {
                "id": f"__BASE__{a.path}",
                "url": f"__BASE__{a.path}",
                "title": a.title,
                "date_published": a.published_at.isoformat(),
                "summary": a.paragraphs[0][:300],
            }
            for a in articles
        ],
    }
    return json.dumps(feed, ensure_ascii=False, indent=1).encode()


def render_feeds(site: Site, *, size: int = 20) -> None:
    """(Re-)render the RSS, Atom, JSON Feed, windows-1251 and ISO-8859-1 feeds."""
    latest = newest_first(site)[:size]
    english = [a for a in latest if a.language == "en"]
    site.add(FEED_PATHS["rss"], _rss(site, latest, "utf-8", site.name), content_type=RSS)
    site.add(FEED_PATHS["atom"], _atom(site, latest), content_type=ATOM)
    site.add(FEED_PATHS["json"], _json_feed(site, latest), content_type="application/feed+json")
    cp1251 = _rss(site, latest, "windows-1251", "Министерство иностранных дел - Новости")
    site.add(
        FEED_PATHS["rss_cp1251"], cp1251, content_type="application/rss+xml; charset=windows-1251"
    )
    latin1 = _rss(site, english, "iso-8859-1", "Ministère des Affaires étrangères - Communiqués")
    site.add(
        FEED_PATHS["rss_latin1"], latin1, content_type="application/rss+xml; charset=iso-8859-1"
    )


def build_feed_site(site: Site | None = None, *, articles: int = 15, size: int = 20) -> Site:
    """Feeds (RSS 2.0, Atom, JSON Feed, cp1251 and latin-1 RSS) linking to article pages."""
    site = site if site is not None else Site()
    ensure_articles(site, articles)

    def renderer(target: Site) -> None:
        render_feeds(target, size=size)

    _register(site, renderer)
    return site


# --- sitemaps ------------------------------------------------------------------------------


def _urlset(articles: list[GeneratedArticle]) -> bytes:
    urls = "".join(
        f"<url><loc>__BASE__{a.path}</loc><lastmod>{a.published_at.isoformat()}</lastmod></url>"
        for a in articles
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    ).encode()


def _news_sitemap(site: Site, articles: list[GeneratedArticle]) -> bytes:
    urls = "".join(
        f"<url><loc>__BASE__{a.path}</loc><news:news><news:publication>"
        f"<news:name>{escape(site.name)}</news:name><news:language>{a.language}</news:language>"
        f"</news:publication><news:publication_date>{a.published_at.isoformat()}"
        f"</news:publication_date><news:title>{escape(a.title)}</news:title></news:news></url>"
        for a in articles
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>'
    ).encode()


def render_sitemaps(site: Site, *, per_sitemap: int = 25, news: int = 10) -> None:
    """(Re-)render /sitemap.xml (an index), its urlsets and /sitemaps/news.xml."""
    articles = newest_first(site)
    chunks = [articles[i : i + per_sitemap] for i in range(0, len(articles), per_sitemap)] or [[]]
    refs = ""
    for number, chunk in enumerate(chunks, start=1):
        path = f"/sitemaps/press-{number}.xml"
        site.add(path, _urlset(chunk), content_type=XML)
        lastmod = chunk[0].published_at.isoformat() if chunk else NEWEST.isoformat()
        refs += f"<sitemap><loc>__BASE__{path}</loc><lastmod>{lastmod}</lastmod></sitemap>"
    refs += f"<sitemap><loc>__BASE__{NEWS_SITEMAP}</loc></sitemap>"
    index = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{refs}</sitemapindex>'
    )
    site.add(SITEMAP_INDEX, index, content_type=XML)
    site.add(NEWS_SITEMAP, _news_sitemap(site, articles[:news]), content_type=XML)


def build_sitemap_site(
    site: Site | None = None, *, articles: int = 30, per_sitemap: int = 25
) -> Site:
    """A sitemap index -> urlsets, plus a Google News sitemap; robots.txt names the index."""
    site = site if site is not None else Site()
    ensure_articles(site, articles)

    def renderer(target: Site) -> None:
        render_sitemaps(target, per_sitemap=per_sitemap)

    _register(site, renderer)
    if site.robots_txt is not None and "Sitemap:" not in site.robots_txt:
        site.robots_txt += f"Sitemap: __BASE__{SITEMAP_INDEX}\n"
    return site
