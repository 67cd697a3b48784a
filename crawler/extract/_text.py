"""Shared text helpers: whitespace normalisation and HTML-fragment-to-text conversion."""

from __future__ import annotations

import html
import re

from lxml import etree
from lxml import html as lxml_html

_WS = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_NL = re.compile(r"\s*\n\s*(?:\n\s*)+")
_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "br",
        "li",
        "tr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "section",
        "article",
        "header",
        "footer",
        "ul",
        "ol",
        "table",
        "dd",
        "dt",
        "figcaption",
        "address",
        "hr",
    ]
)
_SKIP_TAGS = frozenset(("script", "style", "noscript", "template", "iframe", "svg", "head"))


def normalize_space(text: str) -> str:
    """Collapse all runs of whitespace (including newlines) to one space and strip."""
    return " ".join(text.split())


def normalize_block_text(text: str) -> str:
    """Collapse spaces inside lines, keep single blank lines between paragraphs."""
    lines = (_WS.sub(" ", line).strip() for line in text.split("\n"))
    joined = "\n".join(lines)
    return _NL.sub("\n\n", joined).strip()


def element_text(element: etree._Element) -> str:
    """Text of an element with block elements separated by blank lines; scripts skipped."""
    parts: list[str] = []
    _collect(element, parts)
    return normalize_block_text("".join(parts))


def _collect(element: etree._Element, parts: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    tag = tag.rsplit("}", 1)[-1].lower()
    if tag in _SKIP_TAGS or not isinstance(element.tag, str):
        if element.tail:
            parts.append(element.tail)
        return
    block = tag in _BLOCK_TAGS
    if block:
        parts.append("\n\n")
    if element.text:
        parts.append(element.text)
    for child in element:
        _collect(child, parts)
    if block:
        parts.append("\n\n")
    if element.tail:
        parts.append(element.tail)


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment (feed descriptions, content:encoded); never raises."""
    if not fragment or not fragment.strip():
        return ""
    if "<" not in fragment:
        return normalize_block_text(html.unescape(fragment))
    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return normalize_block_text(html.unescape(re.sub(r"<[^>]*>", " ", fragment)))
    return element_text(root)


def truncate_text(text: str, limit: int = 300) -> str:
    """Cut text to about `limit` characters at a sentence, else word, boundary."""
    text = normalize_space(text)
    if len(text) <= limit:
        return text
    window = text[: limit + 1]
    sentence_end = max(window.rfind(mark) for mark in (". ", "! ", "? ", "。", "！", "？"))
    if sentence_end >= limit // 3:
        return window[: sentence_end + 1].strip()
    space = window.rfind(" ")
    cut = window[:space] if space >= limit // 3 else text[:limit]
    return cut.rstrip(" ,;:-") + "…"
