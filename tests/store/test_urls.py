"""Canonical URLs and fingerprints: what makes two URLs the same item."""

from __future__ import annotations

import random

import pytest

from crawler.store import urls
from crawler.store.urls import (
    canonicalize_url,
    content_fingerprint,
    normalize_text,
    url_fingerprint,
)


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://example.com/a#section", "https://example.com/a"),
        ("https://example.com/a?utm_source=rss&utm_medium=feed", "https://example.com/a"),
        ("https://example.com/a?id=3&fbclid=XYZ", "https://example.com/a?id=3"),
        ("https://example.com/a?gclid=1&b=2&a=1", "https://example.com/a?a=1&b=2"),
        ("https://EXAMPLE.com/News", "https://example.com/News"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/a?z=1&y=2&x", "https://example.com/a?x=&y=2&z=1"),
        ("https://example.com/a/./b/../c", "https://example.com/a/c"),
        ("  https://example.com/a  ", "https://example.com/a"),
        ("https://example.com/a?UTM_Campaign=x", "https://example.com/a"),
        (
            "https://пример.рф/новости",
            "https://xn--e1afmkfd.xn--p1ai/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8",
        ),
        ("https://example.com/r%c3%a9sum%c3%a9", "https://example.com/r%C3%A9sum%C3%A9"),
        ("https://example.com/résumé", "https://example.com/r%C3%A9sum%C3%A9"),
        ("https://example.com/s?q=a+b", "https://example.com/s?q=a+b"),
    ],
)
def test_canonical_form(url: str, canonical: str) -> None:
    assert canonicalize_url(url) == canonical


def test_http_and_https_share_a_fingerprint() -> None:
    assert url_fingerprint("http://example.com/a") == url_fingerprint("https://example.com/a")
    assert url_fingerprint("https://example.com/a") != url_fingerprint("https://example.com/b")


def test_equivalent_urls_share_a_fingerprint() -> None:
    variants = [
        "https://Example.com:443/a?b=2&a=1#top",
        "http://example.com/a?a=1&b=2&utm_source=x",
        "https://example.com/a?gclid=9&a=1&b=2",
    ]
    assert len({url_fingerprint(url) for url in variants}) == 1


def test_fast_path_agrees_with_the_full_canonicalization() -> None:
    rng = random.Random(7)
    keys = ["a", "b", "id", "utm_source", "fbclid", "gclid", "Page", "x.y", "mtm_kw", "z~"]
    checked = 0
    for _ in range(20_000):
        path = "".join(rng.choice("ab/._~-%A1;é") for _ in range(rng.randint(0, 9)))
        pairs = [
            rng.choice(keys) + rng.choice(["", "=", "=1", "=v.2", "=a-b", "=%20", "==x"])
            for _ in range(rng.randint(0, 4))
        ]
        url = f"{rng.choice(['http', 'https'])}://www.example.com/{path}"
        if pairs:
            url += "?" + "&".join(pairs)
        if rng.random() < 0.2:
            url += "#frag"
        fast = urls._canonicalize_simple(url)
        if fast is not None:
            checked += 1
            assert fast == urls._canonicalize_full(url), url
    assert checked > 2_000


def test_content_fingerprint_ignores_case_width_and_whitespace() -> None:
    base = content_fingerprint("Stability Report", "The  bank\nsaid.")
    assert content_fingerprint("stability report", "The bank said.") == base
    assert content_fingerprint("ＳＴＡＢＩＬＩＴＹ Report", " The\tbank said. ") == base
    assert content_fingerprint("Stability Report", "The bank said!") != base


def test_normalize_text_matches_the_regex_definition() -> None:
    import re
    import unicodedata

    space = re.compile(r"\s+")
    rng = random.Random(3)
    alphabet = "ab AÉß\u0130ﬁ①" + urls._OTHER_SPACES + "Стабильность"
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        expected = space.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()
        assert normalize_text(text) == expected, repr(text)


def test_whitespace_table_is_complete() -> None:
    import sys

    every = {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()} - {" "}
    assert set(urls._OTHER_SPACES) == every
    assert set(urls._ASCII_SPACES) == {c for c in every if c.isascii()}
