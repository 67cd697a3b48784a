"""Feed parsing: RSS 0.9x/2.0, RSS 1.0 (RDF), Atom and JSON Feed into one `Feed` shape.

RSS, RDF and Atom are read by feedparser, the field's reference parser (chosen by
measurement: `bench/feedconf.py` runs feedparser's own test suite), on text presswatch
decoded and stripped of its DTD. What presswatch adds around it: the decoding (one bad byte
mended alone), no entity expansion, a size bound, JSON Feed, plain text out, dates with
their offsets, and a count of every problem that did not cost the feed (`Feed.problems`).
The lxml helpers below serve the sitemap parser.
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser
from lxml import etree

from crawler.errors import CrawlError
from crawler.extract._text import html_to_text, normalize_space
from crawler.extract.dates import parse_date, plausible_date
from crawler.extract.encoding import decode_xml, decode_xml_checked

_DOCTYPE_SUBSET = re.compile(r"<!DOCTYPE[^>\[]*\[.*?\]\s*>", re.S | re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_DOCTYPE = re.compile(r"<!DOCTYPE[^>\[]*(?:\[.*?\]\s*)?>", re.S | re.I)
# A "&" that starts no character or entity reference ("?id=1&lang=en"); CDATA left alone.
# Escaped, the document stays well-formed and "&lang" is not read as the entity "〈".
_BARE_AMP = re.compile(r"<!\[CDATA\[.*?\]\]>|&(?!#\d+;|#[xX][0-9A-Fa-f]+;|[A-Za-z][\w.-]*;)", re.S)
# feedparser spends ~0.1 ms per element: the bound keeps a hostile body to seconds, far
# above real feeds (the largest of the shared corpus has under 3,000 elements).
MAX_FEED_ELEMENTS = 200_000
_ELEMENT_START = re.compile(rb"<[A-Za-z_]")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_ROOT = re.compile(r"<([A-Za-z_][\w:.-]*)")
_DATE_KEYS = ("published", "updated", "created")


class FeedParseError(CrawlError):
    """The body is not an RSS, Atom, RDF or JSON feed at all."""


@dataclass(frozen=True)
class FeedEntry:
    """One feed item; `content` and `summary` are plain text."""

    url: str | None
    title: str | None
    published_at: datetime | None
    summary: str
    content: str
    guid: str | None


@dataclass(frozen=True)
class Feed:
    """A parsed feed: its title and entries in document order."""

    title: str | None
    entries: list[FeedEntry] = field(default_factory=list)
    kind: str = "rss"
    # What was mended or dropped without failing the feed: reason -> count.
    problems: Counter[str] = field(default_factory=Counter)


def safe_xml_parser() -> etree.XMLParser:
    """An XML parser that never expands entities nor touches the network."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        recover=True,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(body: bytes, declared: str | None = None) -> etree._Element | None:
    """Decode and parse XML safely (internal DTD subsets are dropped); None if unparsable."""
    text = decode_xml(body, declared)
    text = _XML_DECL.sub("", text.lstrip("\ufeff"), count=1)
    text = _DOCTYPE_SUBSET.sub("", text[:4096], count=1) + text[4096:]
    try:
        root = etree.fromstring(text.encode("utf-8"), safe_xml_parser())
    except (etree.XMLSyntaxError, ValueError):
        return None
    return root


def local(node: etree._Element) -> str:
    """Local (namespace-free) tag name, '' for comments and PIs."""
    tag = node.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def children(node: etree._Element, *names: str) -> list[etree._Element]:
    """Direct children whose local name is one of `names`."""
    return [child for child in node if local(child) in names]


def child(node: etree._Element, *names: str) -> etree._Element | None:
    """First direct child with a local name in `names`, in the order of `names`."""
    for name in names:
        for candidate in node:
            if local(candidate) == name:
                return candidate
    return None


def child_text(node: etree._Element, *names: str) -> str | None:
    """Stripped text of the first matching child, or None."""
    found = child(node, *names)
    if found is None:
        return None
    try:
        text = "".join(found.itertext()).strip()
    except UnicodeDecodeError:  # lxml's recover mode keeps what `&#xD800;` decodes to
        return None
    return text or None


def parse_feed(body: bytes, url: str, *, content_type: str | None = None) -> Feed:
    """Parse a feed body; raise FeedParseError only when it is not a feed at all.

    RSS, RDF and Atom go through feedparser (the field's reference parser) on text that
    presswatch decoded and stripped of any DTD first; JSON Feed is read here. A bad entry,
    link, date or byte never fails the feed: what parsed is kept and the problem counted.
    """
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith((b"{", b"[")) or "json" in (content_type or "").lower():
        return _json_feed(stripped, url)
    elements = len(_ELEMENT_START.findall(body))
    if elements > MAX_FEED_ELEMENTS:
        raise FeedParseError(
            f"{url}: not parsed: {elements} elements, more than {MAX_FEED_ELEMENTS} "
            "(a feed that size is broken or hostile)"
        )
    decoded = decode_xml_checked(body, content_type)
    problems: Counter[str] = Counter(decoded.problems)
    parsed = _feedparser(_without_dtd(decoded.text), url)
    kind = _kind(parsed)
    if kind is None:
        raise FeedParseError(f"{url}: not a feed ({_not_a_feed_reason(decoded.text)})")
    if _get(parsed, "bozo"):
        problems["xml/recovered"] += 1
    entries = [_entry(item, url, kind, problems) for item in _get(parsed, "entries", [])]
    title = _text(_get(parsed, "feed", {}), "title")
    return Feed(title, entries, kind, problems)


def _without_dtd(text: str) -> bytes:
    """UTF-8 bytes of the document with its XML declaration and any DTD removed.

    Entities are never expanded (no billion laughs, no external files): an entity the DTD
    declared is left undefined, which feedparser's loose parser then keeps as text.
    """
    text = _XML_DECL.sub("", text.lstrip("\ufeff"), count=1)
    first = _ROOT.search(text)  # the DTD can only come before the root element
    split = first.start() if first else len(text)
    head = _DOCTYPE.sub("", _COMMENT.sub("", text[:split]), count=1)
    body = _BARE_AMP.sub(_escape_bare_amp, text[split:])
    return ('<?xml version="1.0" encoding="utf-8"?>' + head + body).encode(
        "utf-8", errors="replace"
    )


def _escape_bare_amp(match: re.Match[str]) -> str:
    return "&amp;" if match.group(0) == "&" else match.group(0)


def _feedparser(data: bytes, url: str) -> Any:
    # A stream, never bytes or str: feedparser would take a short body for a path or a URL.
    return feedparser.parse(
        io.BytesIO(data),
        response_headers={
            "content-type": "application/xml; charset=utf-8",
            "content-location": url,
        },
        sanitize_html=False,  # presswatch keeps text, not HTML
        resolve_relative_uris=False,
    )


def _kind(parsed: Any) -> str | None:
    version = str(_get(parsed, "version") or "")
    if version.startswith("atom"):
        return "atom"
    if version in ("rss090", "rss10"):
        return "rdf"
    if version.startswith("rss") or version == "cdf":
        return "rss"
    if _get(parsed, "entries") or _get(_get(parsed, "feed", {}), "title"):
        return "rss"
    return None


def _not_a_feed_reason(text: str) -> str:
    root = _ROOT.search(text)
    return f"root element <{root.group(1)}>" if root else "unparsable XML"


def _entry(item: Any, base: str, kind: str, problems: Counter[str]) -> FeedEntry:
    url = _resolve(base, _get(item, "link"))
    if url is None and kind == "rdf":  # an RSS 1.0 item's rdf:about is its URL
        url = _resolve(base, _get(item, "id"))
    if url is None:  # no link, or one no URL can be made of ("http://bad]host/")
        problems["entry/no-link"] += 1
    # Without its own detail, feedparser's summary is a copy of the content: not a summary.
    summary = (_text(item, "summary") if _get(item, "summary_detail") else None) or ""
    contents = [
        _typed_text(str(_get(c, "value") or ""), str(_get(c, "type") or "text/html"))
        for c in _get(item, "content") or []
    ]
    content = "\n\n".join(c for c in contents if c)
    guid = _get(item, "id")
    return FeedEntry(
        url=url,
        title=_text(item, "title"),
        published_at=_entry_date(item, problems),
        summary=summary or content[:1000],
        content=content or summary,
        guid=str(guid).strip() or None if guid else None,
    )


def _text(node: Any, key: str) -> str | None:
    """Plain text of a feedparser text construct (plain text kept, HTML turned to text).

    The value is read from `key`, not from `key_detail`: feedparser lets a nested element
    of the same name (an `<image><title>`) overwrite the detail but not the value.
    """
    value = _get(node, key)
    if not value:
        return None
    detail = _get(node, f"{key}_detail") or {}
    kind = str(_get(detail, "type") or "text/html").lower()
    return _typed_text(str(value), kind)


def _typed_text(value: str, kind: str) -> str | None:
    text = normalize_space(value) if kind == "text/plain" else html_to_text(value)
    return text or None


def _entry_date(item: Any, problems: Counter[str]) -> datetime | None:
    """The entry's own date string parsed by presswatch (keeps the source's offset);
    feedparser's reading (UTC) when that fails; None, counted, when neither gives a date."""
    seen = False
    for key in _DATE_KEYS:
        raw = _get(item, key)
        if not raw:
            continue
        seen = True
        found = parse_date(str(raw))
        if found is not None:
            return found
        stamp = _utc_stamp(_get(item, f"{key}_parsed"))
        if stamp is not None:
            return stamp
    if seen:
        problems["entry/bad-date"] += 1
    return None


def _get(node: Any, key: str, default: Any = None) -> Any:
    """A key of a feedparser result as stored: its dict maps absent keys onto others
    ("updated" onto "published", with a DeprecationWarning), which is not what we ask."""
    return dict.get(node, key, default) if isinstance(node, dict) else default


def _utc_stamp(stamp: Any) -> datetime | None:
    """feedparser's own reading (a UTC struct_time), held to the same plausibility rules."""
    if not stamp:
        return None
    try:
        year, month, day, hour, minute, second = (int(part) for part in stamp[:6])
        value = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None
    return value if plausible_date(value) else None


def _plain(text: str | None) -> str | None:
    if not text:
        return None
    cleaned = html_to_text(text) if "<" in text or "&" in text else text
    cleaned = normalize_space(cleaned)
    return cleaned or None


def _resolve(base: str, link: str | None) -> str | None:
    if not link or not link.strip():
        return None
    try:
        resolved = urljoin(base, link.strip())
    except ValueError:  # "http://bad]host/": urljoin refuses it
        return None
    return resolved if resolved.startswith(("http://", "https://")) else None


def _json_feed(body: bytes, url: str) -> Feed:
    try:
        data = json.loads(body.decode("utf-8", errors="replace"))
    except (ValueError, RecursionError) as exc:
        raise FeedParseError(f"{url}: not a feed (invalid JSON)") from exc
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise FeedParseError(f"{url}: not a feed (JSON without an items list)")
    problems: Counter[str] = Counter()
    if not _utf8(body):  # read with U+FFFD for each bad byte, the rest kept
        problems["encoding/bad-byte"] += 1
    items = [item for item in data["items"] if isinstance(item, dict)]
    entries = [_json_item(item, url, problems) for item in items]
    title = data.get("title")
    return Feed(_plain(title) if isinstance(title, str) else None, entries, "json", problems)


def _utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _json_item(item: dict[str, Any], url: str, problems: Counter[str]) -> FeedEntry:
    def text(key: str) -> str | None:
        value = item.get(key)
        return value if isinstance(value, str) and value.strip() else None

    content_html = text("content_html")
    content = (
        html_to_text(content_html) if content_html else normalize_space(text("content_text") or "")
    )
    summary = normalize_space(text("summary") or "") or content[:1000]
    date_text = text("date_published") or text("date_modified")
    link = text("url") or text("external_url")
    item_id = item.get("id")
    resolved = _resolve(url, link)
    if resolved is None:
        problems["entry/no-link"] += 1
    published = parse_date(date_text) if date_text else None
    if date_text and published is None:
        problems["entry/bad-date"] += 1
    return FeedEntry(
        url=resolved,
        title=_plain(text("title")),
        published_at=published,
        summary=summary,
        content=content,
        guid=str(item_id) if item_id is not None else None,
    )
