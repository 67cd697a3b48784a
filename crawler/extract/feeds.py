"""Feed parsing: RSS 0.9x/2.0, RSS 1.0 (RDF), Atom and JSON Feed into one `Feed` shape."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

from lxml import etree

from crawler.errors import CrawlError
from crawler.extract._text import html_to_text, normalize_space
from crawler.extract.dates import parse_date
from crawler.extract.encoding import decode_xml

_DOCTYPE_SUBSET = re.compile(r"<!DOCTYPE[^>\[]*\[.*?\]\s*>", re.S | re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_DATE_TAGS = ("pubDate", "published", "issued", "date", "created", "updated", "modified")


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
    """Parse a feed body; raise FeedParseError only when it is not a feed at all."""
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith((b"{", b"[")) or "json" in (content_type or "").lower():
        return _json_feed(stripped, url)
    root = parse_xml(body, content_type)
    if root is None:
        raise FeedParseError(f"{url}: not a feed (unparsable XML)")
    name = local(root).lower()
    if name == "rss":
        channel = child(root, "channel")
        return _rss(channel if channel is not None else root, root, url, "rss")
    if name == "rdf":
        channel = child(root, "channel")
        return _rss(channel if channel is not None else root, root, url, "rdf")
    if name == "feed":
        return _atom(root, url)
    raise FeedParseError(f"{url}: not a feed (root element <{local(root)}>)")


def _rss(channel: etree._Element, root: etree._Element, url: str, kind: str) -> Feed:
    items = children(channel, "item") or children(root, "item")
    entries = [_rss_item(item, url) for item in items]
    return Feed(_plain(child_text(channel, "title")), entries, kind)


def _rss_item(item: etree._Element, base: str) -> FeedEntry:
    guid = child_text(item, "guid", "identifier")
    link = child_text(item, "link")
    if not link:
        guid_node = child(item, "guid")
        permalink = guid_node is not None and guid_node.get("isPermaLink", "true") != "false"
        link = guid if permalink and guid and guid.startswith(("http", "/")) else None
        link = link or _atom_link(item)
    if not link:
        about = item.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
        link = about if about and about.startswith("http") else None
    summary_html = child_text(item, "description", "summary", "abstract") or ""
    content_html = child_text(item, "encoded", "content") or ""
    return FeedEntry(
        url=_resolve(base, link),
        title=_plain(child_text(item, "title")),
        published_at=_date(item),
        summary=html_to_text(summary_html),
        content=html_to_text(content_html or summary_html),
        guid=guid,
    )


def _atom(root: etree._Element, url: str) -> Feed:
    entries = [_atom_entry(entry, url) for entry in children(root, "entry")]
    return Feed(_plain(_atom_text(child(root, "title"))), entries, "atom")


def _atom_link(entry: etree._Element) -> str | None:
    fallback = None
    for link in children(entry, "link"):
        href: str | None = link.get("href")
        if not href:
            continue
        rel = link.get("rel", "alternate")
        if rel == "alternate" and link.get("type", "text/html") in ("text/html", "html"):
            return href
        if rel == "alternate" and fallback is None:
            fallback = href
    return fallback


def _atom_text(node: etree._Element | None) -> str:
    if node is None:
        return ""
    kind = (node.get("type") or "text").lower()
    if kind in ("xhtml", "application/xhtml+xml"):
        return html_to_text(
            "".join(etree.tostring(c, encoding="unicode", with_tail=True) for c in node)
        )
    text = "".join(node.itertext())
    return html_to_text(text) if "html" in kind or "<" in text else normalize_space(text)


def _atom_entry(entry: etree._Element, base: str) -> FeedEntry:
    entry_base = entry.get("{http://www.w3.org/XML/1998/namespace}base")
    base_url = urljoin(base, entry_base) if entry_base else base
    summary = _atom_text(child(entry, "summary"))
    content = _atom_text(child(entry, "content"))
    return FeedEntry(
        url=_resolve(base_url, _atom_link(entry)),
        title=_plain(_atom_text(child(entry, "title"))),
        published_at=_date(entry),
        summary=summary or content[:1000],
        content=content or summary,
        guid=child_text(entry, "id"),
    )


def _date(node: etree._Element) -> datetime | None:
    for name in _DATE_TAGS:
        text = child_text(node, name)
        found = parse_date(text) if text else None
        if found:
            return found
    return None


def _plain(text: str | None) -> str | None:
    if not text:
        return None
    cleaned = html_to_text(text) if "<" in text or "&" in text else text
    cleaned = normalize_space(cleaned)
    return cleaned or None


def _resolve(base: str, link: str | None) -> str | None:
    if not link or not link.strip():
        return None
    resolved = urljoin(base, link.strip())
    return resolved if resolved.startswith(("http://", "https://")) else None


def _json_feed(body: bytes, url: str) -> Feed:
    try:
        data = json.loads(body.decode("utf-8", errors="replace"))
    except (ValueError, RecursionError) as exc:
        raise FeedParseError(f"{url}: not a feed (invalid JSON)") from exc
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise FeedParseError(f"{url}: not a feed (JSON without an items list)")
    base = data.get("home_page_url") if isinstance(data.get("home_page_url"), str) else url
    entries = [_json_item(item, url, str(base)) for item in data["items"] if isinstance(item, dict)]
    title = data.get("title")
    return Feed(_plain(title) if isinstance(title, str) else None, entries, "json")


def _json_item(item: dict[str, Any], url: str, base: str) -> FeedEntry:
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
    return FeedEntry(
        url=_resolve(url, link),
        title=_plain(text("title")),
        published_at=parse_date(date_text) if date_text else None,
        summary=summary,
        content=content,
        guid=str(item_id) if item_id is not None else None,
    )
