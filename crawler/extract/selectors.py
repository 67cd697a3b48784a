"""Per-source selectors: a string starting with '/' or '(' is XPath, anything else is CSS.

CSS selectors may end with the parsel-style pseudo-elements ``::text`` or ``::attr(name)``.
XPath expressions may use the parsel extension ``has-class("a", "b")``.  When a selector is
evaluated against a sub-element (a listing item), an XPath starting with ``/`` or ``(/`` is
made relative to that element (``//h2`` behaves as ``.//h2``), matching how the public
foreign-ministry site configs were written.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from cssselect import HTMLTranslator
from cssselect.parser import SelectorError
from lxml import etree

from crawler.extract._text import element_text, normalize_space

_PSEUDO = re.compile(r"::(text|attr\(([\w:-]+)\))\s*$")
_TRANSLATOR = HTMLTranslator()


def _has_class(context: Any, *classes: str) -> bool:
    node = context.context_node
    if not hasattr(node, "get"):
        return False
    present = set((node.get("class") or "").split())
    return all(name in present for name in classes)


_EXTENSIONS = {(None, "has-class"): _has_class}


def is_xpath(selector: str) -> bool:
    """True when the selector is XPath under the '/' or '(' prefix rule."""
    return selector.lstrip().startswith(("/", "("))


@lru_cache(maxsize=1024)
def compile_selector(selector: str, relative: bool = False) -> etree.XPath | None:
    """Compile a CSS or XPath selector to an lxml XPath; None when it is invalid."""
    text = selector.strip()
    try:
        if is_xpath(text):
            if relative:
                text = re.sub(r"^(\(*)/", r"\1./", text)
            return etree.XPath(text, extensions=_EXTENSIONS, smart_strings=False)
        pseudo = _PSEUDO.search(text)
        css = text[: pseudo.start()] if pseudo else text
        xpath = _TRANSLATOR.css_to_xpath(css, prefix="descendant-or-self::")
        if pseudo and pseudo.group(1) == "text":
            xpath = f"({xpath})//text()"
        elif pseudo:
            xpath = f"({xpath})/@{pseudo.group(2)}"
        return etree.XPath(xpath, extensions=_EXTENSIONS, smart_strings=False)
    except (etree.XPathSyntaxError, SelectorError, ValueError):
        return None


def select(node: etree._Element, selector: str, *, relative: bool = False) -> list[Any]:
    """All matches (elements or strings) of a selector; empty on invalid selectors."""
    compiled = compile_selector(selector, relative)
    if compiled is None:
        return []
    try:
        result = compiled(node)
        if relative and result == [] and selector.lstrip().startswith("//"):
            # "//div[...]" inside an item may address the item itself
            self_sel = compile_selector("self::" + selector.lstrip()[2:])
            result = self_sel(node) if self_sel is not None else result
    except (etree.XPathEvalError, ValueError):
        return []
    if isinstance(result, list):
        return result
    if isinstance(result, str | float | bool):
        return [str(result)]
    return []


def value_text(value: Any) -> str:
    """Text of one selector match: element text, or the string value itself."""
    if isinstance(value, etree._Element):
        return element_text(value)
    return str(value)


def select_text(
    node: etree._Element, selector: str | None, *, relative: bool = False, joiner: str = " "
) -> str | None:
    """Joined, whitespace-normalised text of all matches of `selector`; None when empty."""
    if not selector:
        return None
    pieces = [value_text(value) for value in select(node, selector, relative=relative)]
    if joiner == " ":
        pieces = [normalize_space(piece) for piece in pieces]
    text = joiner.join(piece for piece in pieces if piece.strip()).strip()
    return text or None
