"""Listing pages: the links, titles and dates of the articles a section page lists.

Selectors follow the rule in `crawler.extract.selectors` (XPath when starting with '/' or
'(', else CSS).  `link`, `title` and `date` are evaluated relative to each item; an XPath
like ``//h2/text()`` inside an item means ``.//h2/text()``.

Without an `item` selector the items are found heuristically: candidate blocks are
``article``, ``li``, ``tr``, ``dt``/``dd`` and elements whose class contains ``views-row``,
``item``, ``news``, ``post``, ``card`` or ``entry``, outside ``nav``/``header``/``footer``/
``aside`` and menu/breadcrumb/pager containers, that hold a link whose text looks like a
headline (at least 4 words, or 8 CJK characters).  Blocks are grouped by tag, class and
parent; every group with at least 3 members is kept (the biggest group when none has 3).
Without a `link` selector the item's longest-text link is used; without a `title` selector
the link's own text is the title (a `<time>` inside the link left out; when `link` names a
container such as an ``h3``, the ``<a href>`` inside it); without a `date` selector a
``<time datetime>`` or a date written in the item text is used.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urldefrag, urljoin

from lxml import etree
from lxml import html as lxml_html

from crawler.extract._text import element_text, normalize_space
from crawler.extract.dates import find_date_in_text, parse_date
from crawler.extract.parse_errors import PARSE_ERRORS
from crawler.extract.selectors import select, select_text, value_text

_CANDIDATES = etree.XPath(
    "//article | //li | //tr | //dt | //dd | //*[contains(@class, 'views-row') or "
    "contains(@class, 'item') or contains(@class, 'news') or contains(@class, 'post') or "
    "contains(@class, 'card') or contains(@class, 'entry')][not(self::body)]"
)
_BOILER_TAGS = frozenset(("nav", "header", "footer", "aside", "menu"))
_BOILER_WORDS = re.compile(
    r"\b(menu|nav|navbar|breadcrumbs?|pager|pagination|footer|header|"
    r"sidebar|social|share|skip|lang|language)\b",
    re.I,
)
_NEXT_WORDS = frozenset(
    (
        "next",
        "next page",
        "next »",
        "next ›",
        "›",
        "»",
        ">",
        ">>",
        "older",
        "older posts",
        "следующая",
        "далее",
        "suivant",
        "suivante",
        "siguiente",
        "próxima",
        "weiter",
        "下一页",
        "下页",
        "次へ",
        "다음",
        "التالي",
        "berikutnya",
        "sonraki",
        "successivo",
        "volgende",
    )
)


@dataclass(frozen=True)
class ListingEntry:
    """One listed article."""

    url: str
    title: str | None
    published_at: datetime | None
    summary: str = ""


def parse_html(html: str) -> etree._Element | None:
    """Parse HTML text leniently; None when there is nothing to parse."""
    if not html or not html.strip():
        return None
    try:
        return lxml_html.document_fromstring(re.sub(r"^\s*<\?xml[^>]*>", "", html))
    except (etree.ParserError, ValueError):
        return None


def _base(tree: etree._Element, url: str) -> str:
    base = tree.find(".//base[@href]")
    return urljoin(url, base.get("href", "")) if base is not None else url


def clean_link(base: str, href: str | None) -> str | None:
    """Absolute http(s) URL without fragment, or None for javascript:, mailto:, etc."""
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    try:
        absolute = urldefrag(urljoin(base, href))[0]
    except ValueError:  # "http://[broken": one garbage link must not cost the page
        return None
    return absolute if absolute.startswith(("http://", "https://")) else None


def extract_listing(
    html: str,
    url: str,
    *,
    item: str | None = None,
    link: str | None = None,
    title: str | None = None,
    date: str | None = None,
    languages: Sequence[str] = (),
    date_order: str | None = None,
    now: datetime | None = None,
    skipped: Counter[str] | None = None,
) -> list[ListingEntry]:
    """Entries of a listing page, de-duplicated by URL in document order.

    A page that cannot be parsed (`PARSE_ERRORS`) gives no entries; any other exception is a
    bug and propagates, for the spider to count by its type (never taken for an empty page).

    `skipped`, when given, counts the items left out: ``no_link`` (no href at all),
    ``bad_link`` (javascript:, mailto:, a bare #fragment, garbage) and ``repeated_link``
    (a link listed twice on the page; the first keeps it, with the second's fields filling
    its gaps).
    """
    skipped = skipped if skipped is not None else Counter()
    try:
        tree = parse_html(html)
        if tree is None:
            return []
        base = _base(tree, url)
        items = select(tree, item) if item else _guess_items(tree)
        entries: dict[str, ListingEntry] = {}
        for node in items:
            if not isinstance(node, etree._Element):
                continue
            entry = _entry(node, base, link, title, date, languages, date_order, now)
            if isinstance(entry, str):
                skipped[entry] += 1
                continue
            if entry.url in entries:
                skipped["repeated_link"] += 1
            _merge(entries, entry)
        return list(entries.values())
    except PARSE_ERRORS:
        return []


def _merge(entries: dict[str, ListingEntry], entry: ListingEntry) -> None:
    old = entries.get(entry.url)
    if old is None:
        entries[entry.url] = entry
    elif old.title is None or old.published_at is None:
        entries[entry.url] = ListingEntry(
            old.url,
            old.title or entry.title,
            old.published_at or entry.published_at,
            old.summary or entry.summary,
        )


def _entry(
    node: etree._Element,
    base: str,
    link_sel: str | None,
    title_sel: str | None,
    date_sel: str | None,
    languages: Sequence[str],
    date_order: str | None,
    now: datetime | None,
) -> ListingEntry | str:
    """The item's entry, or why it has none ("no_link", "bad_link")."""
    anchor: etree._Element | None = None
    if link_sel:
        found = select(node, link_sel, relative=True)
        href = _href(found[0]) if found else None
        if found and isinstance(found[0], etree._Element):
            anchor = _own_anchor(found[0])
    else:
        anchor = _best_anchor(node)
        href = anchor.get("href") if anchor is not None else None
        if anchor is None and node.find(".//a[@href]") is not None:
            return "bad_link"
    if not href or not href.strip():
        return "no_link"
    target = clean_link(base, href)
    if target is None:
        return "bad_link"
    text = select_text(node, title_sel, relative=True) if title_sel else None
    if text is None and anchor is not None:
        text = _anchor_title(anchor)
    published = _entry_date(node, date_sel, text, languages, date_order, now)
    summary = _lead(node, text, date_sel)
    return ListingEntry(target, text or None, published, summary)


def _anchor_title(anchor: etree._Element) -> str | None:
    """The link's own text, without a <time> it holds (a date is not part of a title)."""
    text = normalize_space(element_text(anchor))
    for stamp in anchor.iterfind(".//time"):
        own = normalize_space(element_text(stamp))
        if own and own != text:
            text = normalize_space(text.replace(own, " ", 1))
    return text or anchor.get("title")


def _short_texts(node: etree._Element) -> list[str]:
    """Texts of the item's leaf elements short enough to be a date ("(2020-07-03)")."""
    texts = []
    for leaf in node.iter():
        if isinstance(leaf.tag, str) and len(leaf) == 0:
            text = normalize_space(leaf.text or "")
            if 0 < len(text) <= 40:
                texts.append(text)
    return texts


def _own_anchor(found: etree._Element) -> etree._Element:
    """The link element itself: a `link` selector naming its container (an h3 holding
    the link and a date) must not make the date part of the title."""
    if found.tag == "a" or found.get("href"):
        return found
    inner = found.find(".//a[@href]")
    return inner if inner is not None else found


def _lead(node: etree._Element, title: str | None, date_sel: str | None) -> str:
    """The item's text apart from its title and date: the lead a listing shows, if any."""
    text = normalize_space(element_text(node))
    removed = [title or ""]
    removed += [normalize_space(element_text(t)) for t in node.iterfind(".//time")]
    removed += [text for text in _short_texts(node) if find_date_in_text(text)]
    if date_sel:
        removed.append(select_text(node, date_sel, relative=True) or "")
    for part in removed:
        if part:
            text = text.replace(part, " ", 1)
    text = normalize_space(text).strip(" |·-–—:")
    return text if len(text) >= 30 else ""


def _href(value: object) -> str | None:
    if isinstance(value, etree._Element):
        own: str | None = value.get("href")
        if own:
            return own
        inner = value.find(".//a[@href]")
        return inner.get("href") if inner is not None else None
    return str(value)


def _best_anchor(node: etree._Element) -> etree._Element | None:
    anchors = [node] if node.tag == "a" and node.get("href") else []
    anchors += list(node.iterfind(".//a[@href]"))
    usable = [a for a in anchors if clean_link("http://x/", a.get("href"))]
    if not usable:
        return None
    return max(usable, key=lambda a: len(normalize_space(element_text(a))))


def _entry_date(
    node: etree._Element,
    date_sel: str | None,
    title: str | None,
    languages: Sequence[str],
    date_order: str | None,
    now: datetime | None,
) -> datetime | None:
    if date_sel:
        raw = select_text(node, date_sel, relative=True)
        if not raw:
            return None
        return parse_date(raw, languages=languages, date_order=date_order, now=now) or (
            find_date_in_text(raw, date_order=date_order, now=now)
        )
    for stamp in node.iterfind(".//time"):
        found = parse_date(stamp.get("datetime") or stamp.text_content(), now=now)
        if found:
            return found
    text = normalize_space(element_text(node))
    if title:
        text = text.replace(title, " ")
    return find_date_in_text(text, date_order=date_order, now=now)


def _is_boilerplate(node: etree._Element) -> bool:
    for ancestor in node.iterancestors():
        if ancestor.tag in _BOILER_TAGS:
            return True
        marker = f"{ancestor.get('class', '')} {ancestor.get('id', '')} {ancestor.get('role', '')}"
        if _BOILER_WORDS.search(marker.replace("-", " ").replace("_", " ")):
            return True
    return False


def looks_like_headline(text: str) -> bool:
    """At least 4 words, or 8 CJK characters."""
    cjk = len(re.findall(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]", text))
    return len(text.split()) >= 4 or cjk >= 8


def _guess_items(tree: etree._Element) -> list[etree._Element]:
    groups: dict[tuple[str, str, etree._Element | None], list[etree._Element]] = defaultdict(list)
    seen_anchors: set[etree._Element] = set()
    for node in _CANDIDATES(tree):
        anchor = _best_anchor(node)
        if anchor is None or anchor in seen_anchors or _is_boilerplate(node):
            continue
        if not looks_like_headline(normalize_space(element_text(anchor))):
            continue
        seen_anchors.add(anchor)
        parent = node.getparent()
        scope = parent if node.tag in ("li", "tr") and parent is not None else None
        key = (str(node.tag), node.get("class", ""), scope)
        groups[key].append(node)
    if not groups:
        return []
    kept = [nodes for nodes in groups.values() if len(nodes) >= 3]
    if not kept:
        kept = [max(groups.values(), key=len)]
    members = {n for nodes in kept for n in nodes}
    return [n for n in tree.iter() if n in members]


def find_next_page(html: str, url: str, next_selector: str | None = None) -> str | None:
    """URL of the next listing page (selector, rel=next, or a "next" pager link), or None."""
    try:
        tree = parse_html(html)
        if tree is None:
            return None
        base = _base(tree, url)
        candidates: list[str | None] = []
        if next_selector:
            candidates += [
                _href(v) if isinstance(v, etree._Element) else value_text(v)
                for v in select(tree, next_selector)
            ]
        else:
            candidates += [n.get("href") for n in tree.iterfind(".//link[@rel='next']")]
            candidates += [n.get("href") for n in tree.iterfind(".//a[@rel='next']")]
            candidates += [a.get("href") for a in tree.iterfind(".//a[@href]") if _is_next(a)]
        current = urldefrag(url)[0]
        for href in candidates:
            target = clean_link(base, href)
            if target and target != current:
                return target
        return None
    except PARSE_ERRORS:
        return None


def _is_next(anchor: etree._Element) -> bool:
    text = normalize_space(anchor.text_content()).casefold()
    label = (anchor.get("aria-label") or anchor.get("title") or "").casefold()
    parent_class = anchor.getparent().get("class", "") if anchor.getparent() is not None else ""
    classes = f"{anchor.get('class', '')} {parent_class}".casefold()
    return (
        text in _NEXT_WORDS
        or label in _NEXT_WORDS
        or label.startswith("next")
        or bool(re.search(r"(^|[\s_-])next($|[\s_-])", classes))
    )
