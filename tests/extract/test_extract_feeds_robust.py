"""Feeds: one bad link, byte or date never costs the feed; text, namespaces, bases and ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from crawler.extract.feeds import FeedParseError, parse_feed

URL = "https://mfa.example.org/en/feed.xml"
ATOM = 'xmlns="http://www.w3.org/2005/Atom"'


def rss(items: str, *, channel_attrs: str = "", root_attrs: str = "") -> bytes:
    return (
        f"<rss version='2.0' {root_attrs}><channel {channel_attrs}><title>Press</title>"
        f"{items}</channel></rss>"
    ).encode()


def atom(entries: str, *, attrs: str = "") -> bytes:
    return f"<feed {ATOM} {attrs}><title>Press</title>{entries}</feed>".encode()


# ---------- links ----------


@pytest.mark.parametrize(
    "bad",
    [
        "<link>http://bad]host/statement</link>",
        "<link>http://[bad/statement</link>",
        "<guid isPermaLink='true'>http://[2001:db8::1/statement</guid>",
    ],
)
def test_a_bad_host_loses_one_link_not_the_feed(bad: str) -> None:
    body = rss(
        f"<item><title>Broken</title>{bad}</item>"
        "<item><title>Fine</title><link>https://mfa.example.org/en/2</link></item>"
    )
    feed = parse_feed(body, URL)
    broken, fine = feed.entries
    assert broken.title == "Broken" and broken.url is None
    assert fine.url == "https://mfa.example.org/en/2"
    assert feed.problems["entry/no-link"] == 1


def test_bare_ampersand_in_a_link_is_kept() -> None:
    body = rss("<item><title>A</title><link>https://e.org/news?id=1&lang=en</link></item>")
    feed = parse_feed(body, URL)
    assert feed.entries[0].url == "https://e.org/news?id=1&lang=en"  # "&lang" is no "〈"
    assert not feed.problems  # escaped before parsing, the feed is well-formed


# ---------- bytes ----------


def test_one_invalid_utf8_byte_keeps_the_rest_of_the_text() -> None:
    body = rss(
        "<item><title>Élections législatives</title><description>Résultats \xff fin"
        "</description><link>https://e.org/1</link></item>"
    )
    body = body.replace("\xff".encode(), b"\xff")
    feed = parse_feed(b'<?xml version="1.0" encoding="utf-8"?>' + body, URL)
    (entry,) = feed.entries
    assert entry.title == "Élections législatives"
    assert entry.summary.startswith("Résultats ") and entry.summary.endswith(" fin")
    assert feed.problems["encoding/bad-byte"] == 1


def test_undeclared_latin1_feed_reads_as_windows_1252() -> None:
    text = "<item><title>Communiqué du ministère – «Paix»</title><link>https://e.org/1</link>"
    body = rss(text + "</item>").decode().encode("cp1252")
    assert parse_feed(body, URL).entries[0].title == "Communiqué du ministère – «Paix»"


def test_declared_latin1_feed_uses_its_declaration() -> None:
    body = b'<?xml version="1.0" encoding="ISO-8859-1"?>' + rss(
        "<item><title>Déclaration</title><link>https://e.org/1</link></item>"
    ).decode().encode("latin-1")
    assert parse_feed(body, URL).entries[0].title == "Déclaration"


def test_c1_punctuation_and_double_encoded_utf8_are_repaired() -> None:
    c1 = "Don\u0092t panic \u0093quoted\u0094"
    twice = "Élections".encode().decode("cp1252")  # "Ã‰lections"
    body = rss(
        f"<item><title>{c1}</title><link>https://e.org/1</link></item>"
        f"<item><title>{twice}</title><link>https://e.org/2</link></item>"
    )
    feed = parse_feed(body, URL)
    assert [e.title for e in feed.entries] == ["Don’t panic “quoted”", "Élections"]
    assert feed.problems["encoding/c1-repaired"] == 1
    assert feed.problems["encoding/double-utf8-repaired"] == 1


# ---------- text semantics ----------


def test_atom_text_is_not_decoded_twice() -> None:
    body = atom(
        "<entry><title type='text'>AT&amp;amp;T and the &lt;blink&gt; tag</title>"
        "<content type='text'>a &lt;b&gt; c</content><link href='https://e.org/1'/></entry>"
    )
    (entry,) = parse_feed(body, URL).entries
    assert entry.title == "AT&amp;T and the <blink> tag"
    assert entry.content == "a <b> c"
    assert entry.summary == "a <b> c"


def test_base64_atom_content_is_decoded() -> None:
    body = atom(
        "<entry><title>x</title><link href='https://e.org/1'/>"
        "<content type='text/html' mode='base64'>PHA+SGVsbG8gPGI+d29ybGQ8L2I+PC9wPg==</content>"
        "</entry>",
        attrs="version='0.3'",
    ).replace(ATOM.encode(), b'xmlns="http://purl.org/atom/ns#"')
    assert parse_feed(body, URL).entries[0].content == "Hello world"


def test_xhtml_typed_element_with_bare_text_is_read() -> None:
    body = atom(
        "<entry><title type='xhtml'>bare words</title><link href='https://e.org/1'/></entry>"
    )
    assert parse_feed(body, URL).entries[0].title == "bare words"


def test_rss_xhtml_body_and_fullitem_are_content() -> None:
    body = rss(
        "<item><title>one</title><link>https://e.org/1</link>"
        "<xhtml:body xmlns:xhtml='http://www.w3.org/1999/xhtml'><xhtml:p>Body text</xhtml:p>"
        "</xhtml:body></item>"
        "<item><title>two</title><link>https://e.org/2</link>"
        "<fullitem>&lt;p&gt;Full text&lt;/p&gt;</fullitem></item>"
    )
    assert [e.content for e in parse_feed(body, URL).entries] == ["Body text", "Full text"]


# ---------- namespaces ----------


def test_elements_of_other_namespaces_are_not_taken_for_ours() -> None:
    body = rss(
        "<item><media:title>media title</media:title><title>The title</title>"
        "<x:description>other description</x:description><description>The summary</description>"
        "<link>https://e.org/1</link></item>",
        root_attrs="xmlns:media='http://search.yahoo.com/mrss/' xmlns:x='urn:example:x'",
    )
    (entry,) = parse_feed(body, URL).entries
    assert entry.title == "The title"
    assert entry.summary == "The summary"


# ---------- bases and ids ----------


def test_xml_base_on_rss_feed_applies_to_links() -> None:
    body = rss(
        "<item><title>one</title><link>press/1</link></item>",
        root_attrs="xml:base='https://base.example/en/'",
    )
    assert parse_feed(body, URL).entries[0].url == "https://base.example/en/press/1"


def test_xml_base_nested_and_on_links_and_relative_atom_ids() -> None:
    body = atom(
        "<entry xml:base='releases/'><id>item/1</id><title>x</title>"
        "<link xml:base='https://other.example/' href='page'/></entry>"
        "<entry><id>item/2</id><title>y</title><link href='two.html'/></entry>",
        attrs="xml:base='https://b.example/feed/'",
    )
    first, second = parse_feed(body, URL).entries
    assert first.url == "https://other.example/page"
    assert first.guid == "https://b.example/feed/releases/item/1"
    assert second.url == "https://b.example/feed/two.html"
    assert second.guid == "https://b.example/feed/item/2"


def test_rdf_about_is_the_id_and_atom_link_text_is_a_link() -> None:
    body = (
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        b'xmlns="http://purl.org/rss/1.0/"><channel rdf:about="https://e.org/"><title>T</title>'
        b'</channel><item rdf:about="https://e.org/1"><title>one</title></item></rdf:RDF>'
    )
    (entry,) = parse_feed(body, URL).entries
    assert entry.guid == "https://e.org/1" and entry.url == "https://e.org/1"
    text_link = atom("<entry><title>x</title><link>https://e.org/a</link></entry>")
    assert parse_feed(text_link, URL).entries[0].url == "https://e.org/a"


# ---------- dates ----------


def test_dates_keep_their_offset_and_a_bad_one_is_counted_not_guessed() -> None:
    body = rss(
        "<item><title>a</title><link>https://e.org/1</link>"
        "<pubDate>Wed, 19 Feb 2020 22:40:00 GMT-01:30</pubDate></item>"
        "<item><title>b</title><link>https://e.org/2</link>"
        "<pubDate>Sun, 16 zzz 2012 11:47:32 GMT</pubDate></item>"
        "<item><title>c</title><link>https://e.org/3</link>"
        "<dc:date xmlns:dc='http://purl.org/dc/elements/1.1/'>2020-03-01T09:30:00+05:30</dc:date>"
        "</item>"
    )
    feed = parse_feed(body, URL)
    first, bad, third = feed.entries
    assert first.published_at == datetime(
        2020, 2, 19, 22, 40, tzinfo=timezone(-timedelta(hours=1.5))
    )
    assert first.published_at.utcoffset() == -timedelta(hours=1, minutes=30)
    assert bad.published_at is None and bad.title == "b"
    assert third.published_at == datetime(2020, 3, 1, 4, 0, tzinfo=UTC)
    assert feed.problems["entry/bad-date"] == 1


# ---------- hostile input ----------


def test_a_body_that_is_a_path_is_not_read_as_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "feed.xml"
    secret.write_bytes(rss("<item><title>SECRET</title><link>https://e.org/1</link></item>"))
    with pytest.raises(FeedParseError):
        parse_feed(str(secret).encode(), URL)


def test_doctype_inside_content_is_not_taken_for_the_dtd() -> None:
    body = rss(
        "<item><title>one</title><link>https://e.org/1</link>"
        "<description><![CDATA[ <!DOCTYPE html> text ]]></description></item>"
    )
    feed = parse_feed(b"<!-- a <!DOCTYPE x> in a comment -->" + body, URL)
    assert [e.title for e in feed.entries] == ["one"]


def test_a_feed_of_absurd_size_is_refused_with_a_reason_not_parsed_for_minutes() -> None:
    nested = b"<a>" * 200_001 + b"</a>" * 200_001
    body = (
        b"<rss><channel><title>T</title><item><title>x</title>"
        + nested
        + b"</item></channel></rss>"
    )
    with pytest.raises(FeedParseError, match="elements, more than 200000"):
        parse_feed(body, URL)


def test_json_feed_problems_are_counted_too() -> None:
    body = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": ['
        b'{"id": "1", "url": "http://bad]host/", "title": "one"},'
        b'{"id": "2", "url": "https://e.org/2", "title": "two \xff",'
        b' "date_published": "2020-13-45"}]}'
    )
    feed = parse_feed(body, URL)
    assert [e.title for e in feed.entries] == ["one", "two \ufffd"]
    assert feed.entries[1].published_at is None
    assert feed.problems == {"entry/no-link": 1, "entry/bad-date": 1, "encoding/bad-byte": 1}
