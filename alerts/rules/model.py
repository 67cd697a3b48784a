"""Public data types of the rule engine: documents, rules, spans and hits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldName = Literal["title", "body"]


@dataclass(frozen=True)
class MatchDocument:
    """What gets matched: an article's title and body plus metadata."""

    title: str
    body: str
    source_id: str = ""
    language: str | None = None
    tags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RuleSpec:
    """A rule from the config: its query and the filters that apply before the query."""

    id: str
    query: str
    fields: Literal["all", "title", "body"] = "all"
    sources: frozenset[str] = frozenset()  # empty = any source
    tags: frozenset[str] = frozenset()  # empty = any; else the doc must carry one
    languages: frozenset[str] = frozenset()  # empty = any


@dataclass(frozen=True)
class Span:
    """A highlighted hit: offsets into the original (not normalized) field text."""

    field: FieldName
    start: int
    end: int


@dataclass(frozen=True)
class RuleHit:
    """A rule that matched a document, with highlight spans and plain-text snippets."""

    rule_id: str
    spans: tuple[Span, ...]
    snippets: tuple[str, ...]
    snippet_spans: tuple[tuple[tuple[int, int], ...], ...] = ()
