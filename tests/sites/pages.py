"""Article pages of generated sites: 50-100 KB of boilerplate around a dated statement."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from html import escape

from tests.sites.text import human_date, paragraph, words


@dataclass(frozen=True)
class GeneratedArticle:
    """One article of a generated site; `path` is where its page is served."""

    slug: str
    title: str
    published_at: datetime
    language: str
    paragraphs: tuple[str, ...]
    date_in_title_only: bool = False
    size: int = 60_000

    @property
    def path(self) -> str:
        return f"/{self.language}/press/{self.slug}.html"

    @property
    def body_text(self) -> str:
        return "\n\n".join(self.paragraphs)


def _nav(rng: random.Random, site_name: str) -> str:
    sections = ["Ministry", "Press", "Foreign policy", "Consular", "Embassies", "Documents"]
    parts = []
    for section in sections:
        links = "".join(
            f'<li><a href="/menu/{section.lower().replace(" ", "-")}/{i}">'
            f"{escape(words(rng, 3).title())}</a></li>"
            for i in range(20)
        )
        parts.append(f'<li class="menu-item">{section}<ul class="submenu">{links}</ul></li>')
    return (
        f'<header class="site-header"><div class="logo"><a href="/">{escape(site_name)}</a>'
        f'</div><nav class="main-nav"><ul class="menu">{"".join(parts)}</ul></nav>'
        '<div class="lang-switch"><a href="/en/">EN</a> <a href="/ru/">RU</a></div></header>'
    )


def _sidebar(others: list[GeneratedArticle]) -> str:
    items = "".join(f'<li><a href="{a.path}">{escape(a.title)}</a></li>' for a in others[:12])
    return (
        '<aside class="sidebar"><h4>Latest news</h4>'
        f'<ul class="latest">{items}</ul><div class="banner">Subscribe to our newsletter'
        "</div></aside>"
    )


def _footer(rng: random.Random, site_name: str) -> str:
    columns = "".join(
        f'<div class="footer-col"><h5>{escape(words(rng, 2).title())}</h5><p>'
        f"{escape(words(rng, 60))}</p></div>"
        for _ in range(6)
    )
    return (
        f'<footer class="site-footer">{columns}<p class="copyright">© 2024 {escape(site_name)}.'
        " All rights reserved. Use of materials is permitted with a reference.</p></footer>"
    )


def _padding(rng: random.Random, missing: int) -> str:
    if missing <= 0:
        return ""
    filler = words(rng, missing // 6 + 1)[:missing]
    return f'<script type="application/json" id="analytics-config">{{"t": "{filler}"}}</script>'


def article_html(
    article: GeneratedArticle, site_name: str, others: list[GeneratedArticle], seed: int
) -> str:
    """The full page of one article; its size is close to `article.size`."""
    rng = random.Random(f"{seed}:{article.slug}")
    date_block = (
        ""
        if article.date_in_title_only
        else f'<div class="article-date"><time datetime="{article.published_at:%Y-%m-%d}">'
        f"{human_date(article.published_at, article.language)}</time></div>"
    )
    body = "".join(f"<p>{escape(p)}</p>" for p in article.paragraphs)
    breadcrumbs = '<div class="breadcrumbs"><a href="/">Home</a> / <a href="/news">Press</a></div>'
    head = (
        f'<!DOCTYPE html><html lang="{article.language}"><head><meta charset="utf-8">'
        f"<title>{escape(article.title)} - {escape(site_name)}</title>"
        f'<link rel="canonical" href="__BASE__{article.path}">'
        '<link rel="stylesheet" href="/static/site.css"></head><body>'
    )
    main = (
        f'<main class="content"><article class="press-release">{breadcrumbs}'
        f'<h1 class="article-title">{escape(article.title)}</h1>{date_block}'
        f'<div class="article-body">{body}</div>'
        '<div class="share">Share: <a href="https://x.invalid/share">X</a></div>'
        "</article></main>"
    )
    page = head + _nav(rng, site_name) + main + _sidebar(others) + _footer(rng, site_name)
    return page + _padding(rng, article.size - len(page.encode()) - 20) + "</body></html>"


def make_paragraphs(rng: random.Random, language: str) -> tuple[str, ...]:
    """6-14 paragraphs of statement text."""
    return tuple(paragraph(rng, language) for _ in range(rng.randint(6, 14)))
