"""The page's own article in its JSON-LD: which object is it, and what does it say.

A page may carry several JSON-LD scripts (the site's Organization, a WebPage, a
BreadcrumbList, an ItemList of other articles...) and one script may list several
articles. The page's article is the article-typed object whose ``url`` or
``mainEntityOfPage`` is the page's URL; failing that the first article-typed object that
is not inside a list of others; failing that none. A script is unwrapped from CDATA or
comment markers; one that is not valid JSON is retried once without trailing commas and
raw control characters (both common in CMS output) and otherwise ignored: the page's
other metadata decides.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

__all__ = ["page_article"]

MAX_DEPTH = 6
MAX_OBJECTS = 200
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_CONTROL = re.compile(r"[\x00-\x1f]")
_WRAPPER = re.compile(r"^\s*(?:<!\[CDATA\[|<!--)|(?:\]\]>|-->)\s*$")
_ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "reviewnewsarticle",
        "blogposting",
        "liveblogposting",
        "socialmediaposting",
        "report",
        "scholarlyarticle",
        "techarticle",
        "pressrelease",
        "webpage",
    }
)


def page_article(tree: etree._Element, url: str) -> dict[str, Any] | None:
    """The JSON-LD object describing this page's article, or None (see the module doc)."""
    candidates: list[tuple[dict[str, Any], bool]] = []
    for data in _scripts(tree):
        candidates.extend(_articles(data, 0, in_list=False))
        if len(candidates) >= MAX_OBJECTS:
            break
    if not candidates:
        return None
    wanted = _norm_url(url)
    for obj, _listed in candidates:
        if wanted and wanted in _urls(obj):
            return obj
    proper = [obj for obj, listed in candidates if not listed and not _is_webpage(obj)]
    if proper:
        return proper[0]
    pages = [obj for obj, listed in candidates if not listed]
    return pages[0] if pages else None


def _scripts(tree: etree._Element) -> Iterator[Any]:
    for script in tree.iterfind(".//script[@type]"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        text = (script.text or "").strip()
        if not text:
            continue
        data = _loads(text)
        if data is not None:
            yield data


def _loads(text: str) -> Any:
    text = _WRAPPER.sub("", text)  # CDATA or comment wrappers some CMSs add
    for attempt in (text, _CONTROL.sub(" ", _TRAILING_COMMA.sub(r"\1", text))):
        try:
            return json.loads(attempt)
        except (ValueError, RecursionError):
            continue
    return None


def _articles(data: Any, depth: int, *, in_list: bool) -> Iterator[tuple[dict[str, Any], bool]]:
    if depth > MAX_DEPTH:
        return
    if isinstance(data, list):
        for child in data[:MAX_OBJECTS]:
            yield from _articles(child, depth + 1, in_list=in_list)
        return
    if not isinstance(data, dict):
        return
    if _types(data) & _ARTICLE_TYPES:
        yield data, in_list
    listing = bool(_types(data) & {"itemlist", "collectionpage", "searchresultspage"})
    for key, child in data.items():
        if isinstance(child, dict | list) and key not in ("publisher", "author", "isPartOf"):
            yield from _articles(child, depth + 1, in_list=in_list or listing)


def _types(obj: dict[str, Any]) -> set[str]:
    value = obj.get("@type")
    names = value if isinstance(value, list) else [value]
    return {n.rsplit("/", 1)[-1].lower() for n in names if isinstance(n, str)}


def _is_webpage(obj: dict[str, Any]) -> bool:
    return _types(obj) <= {"webpage"}


def _urls(obj: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for key in ("url", "mainEntityOfPage", "@id"):
        value = obj.get(key)
        if isinstance(value, dict):
            value = value.get("@id") or value.get("url")
        if isinstance(value, str):
            found.add(_norm_url(value))
    return found


def _norm_url(url: str) -> str:
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").removeprefix("www.")
    return f"{host}{parts.path.rstrip('/')}" if host else ""
