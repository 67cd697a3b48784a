"""Tests for crawler.extract.feeds on hand-made fixtures and hostile bodies."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.errors import CrawlError
from crawler.extract.feeds import FeedParseError, parse_feed

FIXTURES = Path(__file__).parent / "fixtures"
FEED_URL = "https://mfa.example.org/en/rss.xml"


def test_rss2() -> None:
    feed = parse_feed((FIXTURES / "feed_rss2.xml").read_bytes(), FEED_URL)
    assert feed.title == "Ministry of Foreign Affairs – Press releases"
    first, second = feed.entries
    assert first.title == "Statement on the summit results"
    assert first.url == "https://mfa.example.org/en/press/summit-results"
    assert first.guid == "press-1001"
    assert first.published_at == datetime(2020, 3, 2, 7, 0, tzinfo=UTC)
    assert first.summary == "The minister welcomed the results."
    assert first.content == "First paragraph.\n\nSecond paragraph."
    assert second.url == "https://mfa.example.org/en/briefing-7"
    assert second.published_at == datetime(2020, 3, 1, 9, 30, tzinfo=UTC)
    assert second.summary == "Plain text description & more"


def test_atom() -> None:
    feed = parse_feed((FIXTURES / "feed_atom.xml").read_bytes(), "https://example.fr/feeds/")
    assert feed.kind == "atom"
    assert feed.title == "Communiqués & déclarations"
    (entry,) = feed.entries
    assert entry.url == "https://example.fr/feeds/declaration-42.html"
    assert entry.published_at == datetime(2021, 2, 3, 13, 30, tzinfo=UTC)
    assert entry.summary == "La France condamne l'attaque."
    assert entry.content == "Texte complet."
    assert entry.guid == "tag:example.fr,2021:42"


def test_rdf() -> None:
    feed = parse_feed((FIXTURES / "feed_rdf.xml").read_bytes(), "https://example.org/rss")
    assert feed.kind == "rdf"
    assert [e.url for e in feed.entries] == ["https://example.org/item/1"]
    assert feed.entries[0].published_at == datetime(2019, 8, 22, tzinfo=UTC)


def test_json_feed() -> None:
    feed = parse_feed((FIXTURES / "feed.json").read_bytes(), "https://example.org/feed.json")
    assert feed.kind == "json"
    first, second = feed.entries
    assert first.content == "Hello world"
    assert first.published_at == datetime(2021, 10, 29, 10, 0, tzinfo=UTC)
    assert second.url == "https://example.org/relative"
    assert second.title is None
    assert second.guid == "2"


def test_entity_bomb_does_not_expand() -> None:
    levels = ['<!ENTITY lol "lol">']
    for i in range(1, 10):
        levels.append(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">')
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n' + "\n".join(levels) + "\n]>\n"
        "<rss><channel><title>&lol9;</title><item><title>Item &lol9;</title>"
        "<link>https://example.org/a</link></item></channel></rss>"
    ).encode()
    started = time.perf_counter()
    feed = parse_feed(bomb, FEED_URL)
    assert time.perf_counter() - started < 20  # expanded, the bomb would take minutes and gigabytes
    assert len(feed.entries) == 1
    assert "lollollol" not in (feed.entries[0].title or "")


def test_external_entities_are_not_fetched(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>'
        "<rss><channel><title>T</title><item><title>a &x; b</title></item></channel></rss>"
    ).encode()
    feed = parse_feed(body, FEED_URL)
    assert "TOPSECRET" not in (feed.entries[0].title or "")


def test_wrong_declared_encoding() -> None:
    text = (
        "<rss><channel><title>Новости МИД</title>"
        "<item><title>Заявление</title></item></channel></rss>"
    )
    body = b'<?xml version="1.0" encoding="utf-8"?>' + text.encode("cp1251")
    feed = parse_feed(body, FEED_URL)
    assert feed.title == "Новости МИД"
    body = b'<?xml version="1.0" encoding="windows-1251"?>' + text.encode("cp1251")
    assert parse_feed(body, FEED_URL).entries[0].title == "Заявление"


def test_gb2312_declared_feed() -> None:
    text = (
        '<?xml version="1.0" encoding="gb2312"?>'
        "<rss><channel><title>外交部新闻</title></channel></rss>"
    )
    assert parse_feed(text.encode("gb18030"), FEED_URL).title == "外交部新闻"


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not xml at all",
        b"<html><body><p>Hello</p></body></html>",
        b'{"a": 1}',
        b"{broken",
        b"\x00\xff\xfe garbage",
    ],
)
def test_not_a_feed(body: bytes) -> None:
    with pytest.raises(FeedParseError):
        parse_feed(body, FEED_URL)
    assert issubclass(FeedParseError, CrawlError)


def test_truncated_feed_still_parses() -> None:
    body = (FIXTURES / "feed_rss2.xml").read_bytes()[:-200]
    feed = parse_feed(body, FEED_URL)
    assert feed.entries and feed.entries[0].title
