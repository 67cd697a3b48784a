"""Build the demo site in memory: listing pages with pagination, RSS feeds, article pages."""

from __future__ import annotations

from datetime import UTC, date, datetime
from email.utils import format_datetime
from html import escape

from crawler.demo.content import FREEDONIA, RURITANIA, SYLVANIA, WIRE, Statement

Pages = dict[str, tuple[str, bytes]]  # path -> (content type, body)
HTML = "text/html; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
PER_PAGE = 3


def build_site(base_url: str) -> Pages:
    """Every path of the demo site; links are absolute under `base_url`."""
    pages: Pages = {"/robots.txt": ("text/plain", b"User-agent: *\nAllow: /\n")}
    pages.update(
        _listing_site(
            base_url,
            "/freedonia",
            "Ministry of Foreign Affairs of Freedonia",
            FREEDONIA,
            "press-releases",
        )
    )
    # two statements a page: the demo's ?page={page} pagination has a real second page
    pages.update(
        _listing_site(base_url, "/ruritania", "МИД Руритании", RURITANIA, "news", per_page=2)
    )
    pages.update(_feed_site(base_url, "/sylvania", "Sylvania Foreign Office", SYLVANIA, full=False))
    pages.update(_feed_site(base_url, "/wire", "Demo Wire", WIRE, full=True))
    return pages


def _listing_site(
    base: str,
    root: str,
    name: str,
    statements: tuple[Statement, ...],
    section: str,
    per_page: int = PER_PAGE,
) -> Pages:
    pages: Pages = {}
    chunks = [statements[i : i + per_page] for i in range(0, len(statements), per_page)]
    for number, chunk in enumerate(chunks, start=1):
        path = f"{root}/{section}" + ("" if number == 1 else f"?page={number}")
        has_next = number < len(chunks)
        next_url = f"{base}{root}/{section}?page={number + 1}" if has_next else None
        body = _listing_html(base, root, name, chunk, next_url)
        pages[path] = (HTML, _page(name, name, body, statements[0].lang))
    for statement in statements:
        pages[f"{root}/{statement.slug}"] = (HTML, _article(name, statement, base + root))
    return pages


def _listing_html(
    base: str, root: str, name: str, chunk: tuple[Statement, ...], next_url: str | None
) -> str:
    rows = "\n".join(
        f'<div class="views-row"><span class="date">{_human(s.date, s.lang)}</span>'
        f'<h3><a href="{root}/{s.slug}">{escape(s.title)}</a></h3></div>'
        for s in chunk
    )
    pager = f'<a class="next" rel="next" href="{next_url}">Next</a>' if next_url else ""
    return f'<h1>{escape(name)}</h1><div class="view-content">{rows}</div>{pager}'


def _feed_site(
    base: str, root: str, name: str, statements: tuple[Statement, ...], *, full: bool
) -> Pages:
    items = "\n".join(_rss_item(base + root, s, full=full) for s in statements)
    rss = (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(name)}</title><link>{base}{root}/</link>"
        f"<description>{escape(name)}</description>{items}</channel></rss>"
    )
    pages: Pages = {f"{root}/feed.xml": (RSS, rss.encode("utf-8"))}
    for statement in statements:
        pages[f"{root}/{statement.slug}"] = (HTML, _article(name, statement, base + root))
    return pages


def _rss_item(prefix: str, statement: Statement, *, full: bool) -> str:
    when = datetime.fromisoformat(statement.date).replace(hour=9, tzinfo=UTC)
    text = " ".join(statement.paragraphs) if full else statement.paragraphs[0]
    return (
        f"<item><title>{escape(statement.title)}</title>"
        f"<link>{prefix}/{statement.slug}</link><guid>{prefix}/{statement.slug}</guid>"
        f"<pubDate>{format_datetime(when)}</pubDate>"
        f"<description>{escape(text)}</description></item>"
    )


def _article(site: str, statement: Statement, prefix: str) -> bytes:
    paragraphs = "\n".join(f"<p>{escape(p)}</p>" for p in statement.paragraphs)
    body = (
        f'<article><h1 class="title">{escape(statement.title)}</h1>'
        f'<time datetime="{statement.date}T09:00:00+00:00">{_human(statement.date, statement.lang)}'
        f'</time><div class="body">{paragraphs}</div></article>'
    )
    canonical = f'<link rel="canonical" href="{prefix}/{statement.slug}">'
    return _page(f"{statement.title} | {site}", site, body, statement.lang, canonical)


def _page(title: str, site: str, main: str, lang: str, head: str = "") -> bytes:
    nav = "".join(
        f'<li><a href="#">{item}</a></li>'
        for item in ("Home", "Minister", "Press", "Embassies", "Consular services", "Contacts")
    )
    html = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>{head}</head><body>"
        f'<header><div class="logo">{escape(site)}</div><nav><ul>{nav}</ul></nav></header>'
        f"<main>{main}</main>"
        f"<aside><h4>Follow us</h4><ul><li>Newsletter</li><li>Podcast</li></ul></aside>"
        f"<footer>&copy; {escape(site)}. All rights reserved. Accessibility | Privacy</footer>"
        "</body></html>"
    )
    return html.encode("utf-8")


_RU_MONTHS = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)


def _human(iso: str, lang: str) -> str:
    day = date.fromisoformat(iso)
    if lang == "ru":
        return f"{day.day} {_RU_MONTHS[day.month - 1]} {day.year} года"
    return day.strftime("%d %B %Y")
