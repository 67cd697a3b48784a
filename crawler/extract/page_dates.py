"""Which date did an article page publish? One answer, by documented precedence.

First found wins (``date_source`` in brackets):

1. the per-source date selector ["selector"];
2. the article's structured data ["meta"]: JSON-LD ``datePublished`` of the page's own
   article (see `jsonld.page_article`), ``article:published_time`` and the other publication
   meta tags, ``itemprop=datePublished``, then a ``<time datetime>`` in the article's header;
3. the listing or feed entry's date ["listing"];
4. a dateline: the first short text after the headline, else the body's first lines
   ["dateline"]; else a date written in the title ["title"];
5. a date in the URL path (``/2020/07/01/``) ["url"];
6. htmldate's heuristics over the page ["htmldate"];
7. any date in the body text ["body"], only when nothing else exists, and marked low
   confidence (`PageDate.low_confidence`).

Every candidate goes through `parse_published`, so it keeps its precision (a date-only
value stays a date) and its written offset; the source's timezone applies to values that
carry none. Dates before 1990 or in the future are not dates of publication: such a
candidate is skipped and the next source decides.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from itertools import islice
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from crawler.extract._text import normalize_space
from crawler.extract.dates import find_date_in_text
from crawler.extract.published import Precision, PublishedDate, parse_published

__all__ = ["DATE_META", "PageDate", "select_date"]

DATE_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publication_date",
    "date",
    "dc.date",
    "dc.date.issued",
    "dc.date.created",
    "dcterms.created",
    "dcterms.issued",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "published_time",
    "original-publish-date",
    "cxenseparse:recs:publishtime",
)
DATELINE_CHARS = 80  # longest text that can be a dateline rather than prose
DATELINE_ELEMENTS = 60  # how far after the headline a dateline may be
BODY_LINES = 3
_URL_DATE = re.compile(
    r"/((?:19|20)\d{2})[/_-]?(0[1-9]|1[0-2])[/_-]?(0[1-9]|[12]\d|3[01])(?=[/_.-]|$)"
)


@dataclass(frozen=True)
class PageDate:
    """The chosen publication date, where it came from, and whether to trust it less."""

    published: PublishedDate
    source: str
    low_confidence: bool = False


@dataclass(frozen=True)
class DateInputs:
    """What `select_date` looks at besides the tree."""

    url: str
    meta: dict[str, str]
    jsonld: dict[str, Any] | None
    selected: str | None  # text the per-source date selector found
    listing: PublishedDate | None
    headline: etree._Element | None
    title: str | None
    body: str
    languages: Sequence[str] = ()
    tz: tzinfo = UTC
    now: datetime | None = None


def select_date(tree: etree._Element, given: DateInputs) -> PageDate | None:
    """The page's publication date by the module's precedence; None when there is none."""
    for source, found in _candidates(tree, given):
        if found is not None:
            return PageDate(found, source)
    body = _in_text(given.body, given)
    return PageDate(body, "body", low_confidence=True) if body else None


def _candidates(
    tree: etree._Element, given: DateInputs
) -> Iterator[tuple[str, PublishedDate | None]]:
    # Generators keep the slow steps (htmldate) from running once an earlier one answered.
    if given.selected:
        yield "selector", _parse(given.selected, given) or _in_text(given.selected, given)
    yield "meta", _structured(tree, given)
    yield "listing", given.listing
    yield "dateline", _after_headline(given) or _body_start(given)
    yield "title", _in_text(given.title, given)
    yield "url", _from_url(given.url, given)
    yield "htmldate", _htmldate(tree, given)


def _parse(text: str | None, given: DateInputs) -> PublishedDate | None:
    if not text or not text.strip():
        return None
    return parse_published(text, languages=given.languages, tz=given.tz, now=given.now)


def _in_text(text: str | None, given: DateInputs) -> PublishedDate | None:
    if not text:
        return None
    found = find_date_in_text(text, tz=given.tz, now=given.now)
    if found is None:
        return None
    return PublishedDate(found, _guess_precision(found), explicit_offset=False)


def _guess_precision(value: datetime) -> Precision:
    if value.second:
        return "second"
    return "minute" if value.hour or value.minute else "day"


def _structured(tree: etree._Element, given: DateInputs) -> PublishedDate | None:
    if given.jsonld is not None:
        for key in ("datePublished", "dateCreated"):
            value = given.jsonld.get(key)
            found = _parse(value, given) if isinstance(value, str) else None
            if found:
                return found
    for key in DATE_META:
        found = _parse(given.meta.get(key), given)
        if found:
            return found
    for node in islice(tree.iterfind(".//*[@itemprop='datePublished']"), 5):
        value = node.get("datetime") or node.get("content") or node.text_content()
        found = _parse(value, given)
        if found:
            return found
    return _header_time(tree, given)


def _header_time(tree: etree._Element, given: DateInputs) -> PublishedDate | None:
    """A ``<time datetime>`` in the article's header: inside <article>/<header>, or just
    after the headline (a list of other articles further down has its own times)."""
    paths = (".//article//time[@datetime]", ".//header//time[@datetime]")
    for path in paths:
        node = tree.find(path)
        if node is not None:
            found = _parse(node.get("datetime"), given)
            if found:
                return found
    for element in _following(given.headline):
        if element.tag == "time" and element.get("datetime"):
            return _parse(element.get("datetime"), given)
    return None


def _following(start: etree._Element | None) -> Iterator[etree._Element]:
    """Elements after the headline: its later siblings (and their descendants), then its
    parent's later siblings; comments and processing instructions skipped."""
    if start is None:
        return
    for element in islice(_elements(start.itersiblings()), DATELINE_ELEMENTS):
        yield element
        yield from islice(_elements(element.iterdescendants()), 40)
    parent = start.getparent()
    if parent is not None and parent.tag not in ("body", "html"):
        yield from islice(_elements(parent.itersiblings()), DATELINE_ELEMENTS)


def _elements(nodes: Iterator[etree._Element]) -> Iterator[etree._Element]:
    return (node for node in nodes if isinstance(node.tag, str))


def _after_headline(given: DateInputs) -> PublishedDate | None:
    """The first short text near the headline that is a date (a ministry's "1 July 2020")."""
    for element in _following(given.headline):
        if element.tag in ("script", "style", "noscript"):
            continue
        text = normalize_space(element.text_content())
        if 6 <= len(text) <= DATELINE_CHARS:
            found = _in_text(text, given)
            if found:
                return found
    return None


def _body_start(given: DateInputs) -> PublishedDate | None:
    """A dateline opening the body: "WASHINGTON, July 1, 2020 -" or a short first line."""
    title = normalize_space(given.title or "")
    lines = [line.strip() for line in given.body.split("\n") if line.strip()]
    lines = [line for line in lines if normalize_space(line) != title][:BODY_LINES]
    for index, line in enumerate(lines):
        head = re.split(r"\s(?:-|–|—|--)\s|:\s", line, maxsplit=1)[0]
        if len(head) <= DATELINE_CHARS and (index == 0 or len(line) <= DATELINE_CHARS):
            found = _in_text(head, given)
            if found:
                return found
    return None


def _from_url(url: str, given: DateInputs) -> PublishedDate | None:
    match = _URL_DATE.search(urlsplit(url).path)
    return _parse("-".join(match.groups()), given) if match else None


def _htmldate(tree: etree._Element, given: DateInputs) -> PublishedDate | None:
    import htmldate

    try:
        found = htmldate.find_date(
            tree,  # htmldate copies a tree it is given before pruning it
            extensive_search=False,
            original_date=True,
            outputformat="%Y-%m-%d",  # its times are mostly made up: keep the day only
        )
    except Exception:
        return None
    return _parse(found, given) if found else None
