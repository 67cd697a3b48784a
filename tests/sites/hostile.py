"""Hostile endpoints: errors, slow and endless responses, bombs, garbage, redesigns, challenges."""

from __future__ import annotations

import random
from collections.abc import Iterator
from html import escape

from tests.sites.generators import ensure_articles
from tests.sites.server import Site

HUGE_SIZE = 50 * 1024 * 1024
_CHUNK = 64 * 1024

HOSTILE: dict[str, str] = {
    "not_found": "/hostile/404",
    "server_error": "/hostile/500",
    "forbidden": "/hostile/403",
    "too_many": "/hostile/429",
    "slow": "/hostile/slow",
    "slowloris": "/hostile/slowloris",
    "loop": "/hostile/loop-a",
    "loop_b": "/hostile/loop-b",
    "huge": "/hostile/huge.html",
    "garbage": "/hostile/garbage.html",
    "truncated": "/hostile/truncated.html",
    "short_read": "/hostile/short-read.html",
    "bomb": "/hostile/bomb.xml",
    "redesigned": "/hostile/redesigned/news",
    "challenge": "/hostile/challenge",
    "challenge_403": "/hostile/challenge-403",
}

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE rss [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">\n'
        for n in range(1, 10)
    )
    + ']>\n<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title>'
    "<link>http://127.0.0.1/x</link></item></channel></rss>"
)

CHALLENGE_HTML = (
    '<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>'
    '<meta http-equiv="refresh" content="390"><meta name="robots" content="noindex,nofollow">'
    '</head><body><div class="main-wrapper" role="main"><div class="main-content">'
    '<h1 class="zone-name-title h1">example.gov</h1><h2 id="challenge-running">Checking if the '
    "site connection is secure</h2><noscript>Enable JavaScript and cookies to continue"
    '</noscript><div id="challenge-body-text">example.gov needs to review the security of '
    'your connection before proceeding.</div></div></div><script src="/cdn-cgi/challenge-'
    'platform/h/g/orchestrate/chl_page/v1?ray=7d2f1c2a9b8e0f12"></script></body></html>'
)


def huge_stream(size: int = HUGE_SIZE) -> Iterator[bytes]:
    """`size` bytes of HTML in 64 KiB chunks; one chunk object is reused, never the whole."""
    head = b"<!DOCTYPE html><html><head><title>Huge</title></head><body><p>"
    chunk = (b"All work and no play makes a crawler dull. " * (_CHUNK // 43 + 1))[:_CHUNK]
    yield head
    sent = len(head)
    while sent + _CHUNK <= size:
        yield chunk
        sent += _CHUNK
    yield chunk[: size - sent]


def _redesigned_html(site: Site) -> str:
    cards = "".join(
        f'<li class="card"><a class="card__link" href="{a.path}"><span class="card__headline">'
        f'{escape(a.title)}</span></a><em class="card__when">{a.published_at:%Y-%m-%d}</em></li>'
        for a in ensure_articles(site, 5)[:10]
    )
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Newsroom</title></head><body>'
        f'<main class="newsroom"><ul class="feed">{cards}</ul></main></body></html>'
    )


def add_hostile_endpoints(
    site: Site,
    *,
    slow_seconds: float = 10.0,
    drip_interval: float = 0.5,
    drip_bytes: int = 400,
    seed: int = 0,
) -> Site:
    """Add every endpoint of HOSTILE to the site; paths are the values of HOSTILE."""
    rng = random.Random(seed)
    page = b"<html><body><h1>Error</h1></body></html>"
    site.add(HOSTILE["not_found"], page, status=404)
    site.add(HOSTILE["server_error"], page, status=500)
    site.add(HOSTILE["forbidden"], page, status=403)
    site.add(HOSTILE["too_many"], page, status=429, headers={"Retry-After": "1"})
    site.add(HOSTILE["slow"], b"<html><body><p>finally</p></body></html>", delay=slow_seconds)
    drip = b"<html><body><p>" + b"." * max(0, drip_bytes - 30) + b"</p></body></html>"
    site.add(HOSTILE["slowloris"], drip, drip=drip_interval, chunk_size=1, validators=False)
    site.add(HOSTILE["loop"], b"", status=302, headers={"Location": HOSTILE["loop_b"]})
    site.add(HOSTILE["loop_b"], b"", status=302, headers={"Location": HOSTILE["loop"]})
    site.add(HOSTILE["huge"], stream=huge_stream, length=HUGE_SIZE)
    site.add(HOSTILE["garbage"], rng.randbytes(20_000), templated=False)
    whole = b"<html><head><title>Cut</title></head><body><div class='news-item'><h3><a hr"
    site.add(HOSTILE["truncated"], whole)
    site.add(HOSTILE["short_read"], b"<html><body><p>only the start", declared_length=100_000)
    site.add(HOSTILE["bomb"], BILLION_LAUGHS, content_type="application/rss+xml")
    site.add(HOSTILE["redesigned"], _redesigned_html(site))
    challenge_headers = {"Server": "cloudflare", "CF-RAY": "7d2f1c2a9b8e0f12-FRA"}
    site.add(HOSTILE["challenge"], CHALLENGE_HTML, status=503, headers=challenge_headers)
    site.add(HOSTILE["challenge_403"], CHALLENGE_HTML, status=403, headers=challenge_headers)
    return site
