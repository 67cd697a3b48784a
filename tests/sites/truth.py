"""Fixture sites where a listing or feed shows more than its article pages give.

Written for issue 14 after structures seen on real ministry sites and feeds (not copied):
a homepage of releases with leads whose release pages answer 404, a homepage of
``<time datetime>`` entries, feeds with link-less entries, with fragment-only links, and
with entries on other hosts, a title followed by a date in a sibling node, a
``default.shtml`` / ``default_1.shtml`` pager, and links whose page names another
rel=canonical.  Each builder returns what the listing shows: (path, title, date) rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape

from tests.sites.server import Site

START = datetime(2024, 5, 20, 9, 30, tzinfo=UTC)
RSS = "application/rss+xml; charset=utf-8"

TOPICS = (
    "Foreign Minister receives the Ambassador of Kazakhstan",
    "Statement on the situation in the Middle East",
    "Joint press release on strategic dialogue with Uzbekistan",
    "Spokesperson comments on the ministerial meeting in Geneva",
    "Deputy Minister holds consultations with the delegation of Malaysia",
    "Message of condolence on the earthquake in the region",
)


@dataclass(frozen=True)
class Listed:
    """One entry as the listing shows it."""

    path: str
    title: str
    published: datetime
    lead: str = ""


def listed_entries(count: int, prefix: str, *, days: int = 1) -> list[Listed]:
    """`count` entries, newest first, one every `days` days, with a lead each."""
    entries = []
    for n in range(count):
        topic = TOPICS[n % len(TOPICS)]
        title = f"{topic} (No. {count - n})"
        lead = (
            f"The ministry said on this occasion that release number {count - n} "
            "concerns cooperation, trade and regional security between the two countries."
        )
        stamp = START - timedelta(days=days * n)
        entries.append(Listed(f"{prefix}{count - n}.html", title, stamp, lead))
    return entries


def homepage_with_leads(site: Site, path: str, entries: list[Listed]) -> None:
    """A ministry homepage: title link, a "20.05.2024" date and a lead per release;
    the release pages are not added (they answer 404)."""
    rows = "".join(
        f'<div class="news-item"><h3><a href="{e.path}">{escape(e.title)}</a></h3>'
        f'<span class="date">{e.published:%d.%m.%Y}</span><p class="lead">{escape(e.lead)}</p>'
        "</div>"
        for e in entries
    )
    site.add(path, _page("Ministry of Foreign Affairs", f'<div class="news">{rows}</div>'))


def time_homepage(site: Site, path: str, entries: list[Listed]) -> None:
    """A kremlin.ru-like homepage: each entry a link holding its title and a <time datetime>."""
    rows = "".join(
        f'<div class="hentry"><a href="{e.path}"><span class="title">{escape(e.title)}</span>'
        f'<time datetime="{e.published.isoformat()}">{e.published:%B %d, %Y, %H:%M}</time></a>'
        "</div>"
        for e in entries
    )
    site.add(path, _page("News", f'<main><div class="events">{rows}</div></main>'))


def sibling_date_listing(site: Site, path: str, entries: list[Listed]) -> None:
    """The date written after the link, in a sibling node of the same heading."""
    rows = "".join(
        f'<li><h4><a href="{e.path}">{escape(e.title)}</a> '
        f'<span class="dt">({e.published:%Y-%m-%d})</span></h4></li>'
        for e in entries
    )
    site.add(path, _page("Press releases", f'<ul class="press">{rows}</ul>'))


def article_page(entry: Listed, *, canonical: str | None = None) -> str:
    """A release page (its own h1, date meta and body); rel=canonical when given."""
    head = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    head += f'<meta property="article:published_time" content="{entry.published.isoformat()}">'
    body = (
        f"<article><h1>{escape(entry.title)}</h1>"
        + "".join(f"<p>{escape(entry.lead)} Paragraph {n} of the release.</p>" for n in range(4))
        + "</article>"
    )
    return _page(entry.title, body, head=head)


def rss(items: list[str], title: str = "Fixture feed") -> str:
    """An RSS 2.0 document around <item> elements."""
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>__BASE__/</link>"
        f"<description>fixture</description>{''.join(items)}</channel></rss>"
    )


def rss_item(
    title: str,
    published: datetime,
    *,
    link: str | None = None,
    guid: str | None = None,
    permalink: bool = False,
    description: str = "",
) -> str:
    parts = [f"<title>{escape(title)}</title>"]
    if link is not None:
        parts.append(f"<link>{escape(link)}</link>")
    if guid is not None:
        flag = "true" if permalink else "false"
        parts.append(f'<guid isPermaLink="{flag}">{escape(guid)}</guid>')
    parts.append(f"<pubDate>{published:%a, %d %b %Y %H:%M:%S +0000}</pubDate>")
    if description:
        parts.append(f"<description>{escape(description)}</description>")
    return "<item>" + "".join(parts) + "</item>"


def _page(title: str, body: str, *, head: str = "") -> str:
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
        f'</title>{head}</head><body><header><nav><a href="/">Home</a></nav></header>'
        f"{body}<footer>Ministry of Foreign Affairs</footer></body></html>"
    )
