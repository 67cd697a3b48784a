"""The query AST: terms made of normalized pieces, boolean and proximity operators, filters."""

from __future__ import annotations

import re
from dataclasses import dataclass

from alerts.rules.normalize import CJK_RE, WORD_RE, NormText, exact_form, get_normalizer, stem


@dataclass(frozen=True)
class Piece:
    """One literal of a term: a word (word-bounded) or a CJK string (substring match)."""

    text: str
    cjk: bool = False
    stem: str | None = None  # Russian stem: any word with this stem matches
    left_open: bool = False  # leading `*`: the word may start earlier
    right_open: bool = False  # trailing `*`: the word may continue
    exact: str | None = None  # exact operator: the original chars must fold to this

    @property
    def literal(self) -> str:
        """The string searched for in normalized text."""
        return self.stem or self.text


@dataclass(frozen=True)
class Term:
    """A word or phrase; pieces must follow each other separated by non-word characters only."""

    pieces: tuple[Piece, ...]
    field: str | None = None
    source: str = ""


@dataclass(frozen=True)
class Regex:
    """A `/regex/` run against the normalized field text."""

    pattern: re.Pattern[str]
    field: str | None = None


@dataclass(frozen=True)
class Filter:
    """A metadata condition: `source:`, `lang:` or `tag:`."""

    kind: str
    value: str


@dataclass(frozen=True)
class And:
    """All children hold."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    """At least one child holds."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    """The child does not hold."""

    child: Node


@dataclass(frozen=True)
class Near:
    """Matches of `left` and `right` in one field with at most `distance` words between them."""

    left: Node
    right: Node
    distance: int


Node = Term | Regex | Filter | And | Or | Not | Near


@dataclass(frozen=True)
class Query:
    """A parsed query."""

    text: str
    root: Node


def make_pieces(
    raw: str, exact: bool, left_open: bool, right_open: bool, fold_diacritics: bool = True
) -> tuple[Piece, ...]:
    """Normalize a term or phrase and split it into pieces (CJK runs are kept together)."""
    norm = get_normalizer(fold_diacritics).normalize(raw)
    groups: list[tuple[int, int, bool]] = []
    for m in WORD_RE.finditer(norm.text):
        cjk = CJK_RE.match(m.group()) is not None
        if cjk and groups and groups[-1][2] and groups[-1][1] == m.start():
            groups[-1] = (groups[-1][0], m.end(), True)
        else:
            groups.append((m.start(), m.end(), cjk))
    last = len(groups) - 1
    return tuple(
        _piece(norm, s, e, cjk, exact, left_open and i == 0, right_open and i == last)
        for i, (s, e, cjk) in enumerate(groups)
    )


def _piece(
    norm: NormText, start: int, end: int, cjk: bool, exact: bool, left: bool, right: bool
) -> Piece:
    text = norm.text[start:end]
    exact_text = exact_form(norm.original[slice(*norm.orig_span(start, end))]) if exact else None
    stemmed = None if (exact or left or right or cjk) else stem(text)
    return Piece(text, cjk, stemmed, left and not cjk, right and not cjk, exact_text)


def walk(node: Node) -> list[Node]:
    """All nodes of a tree, parents first."""
    out: list[Node] = [node]
    if isinstance(node, And | Or):
        for child in node.children:
            out.extend(walk(child))
    elif isinstance(node, Not):
        out.extend(walk(node.child))
    elif isinstance(node, Near):
        out.extend(walk(node.left) + walk(node.right))
    return out


def positive_leaves(node: Node) -> list[Term | Regex]:
    """Terms and regexes that are not under a NOT (what a hit highlights)."""
    if isinstance(node, Term | Regex):
        return [node]
    if isinstance(node, And | Or):
        return [leaf for child in node.children for leaf in positive_leaves(child)]
    if isinstance(node, Near):
        return positive_leaves(node.left) + positive_leaves(node.right)
    return []
