"""Public data types of the rule engine: documents, rules, spans and hits."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal, Protocol

FieldName = Literal["title", "body"]


@dataclass(frozen=True)
class MatchDocument:
    """What gets matched: an article's title and body plus metadata."""

    title: str
    body: str
    source_id: str = ""
    language: str | None = None
    tags: frozenset[str] = frozenset()


class ConfiguredRule(Protocol):
    """What the engine reads of a configured rule (crawler.config's RuleConfig has it; the
    matching library stays below the config package, so it names only the shape)."""

    @property
    def id(self) -> str: ...
    @property
    def query(self) -> str: ...
    @property
    def fields(self) -> Literal["all", "title", "body"]: ...
    @property
    def sources(self) -> Collection[str]: ...
    @property
    def tags(self) -> Collection[str]: ...
    @property
    def languages(self) -> Collection[str]: ...


@dataclass(frozen=True)
class RuleSpec:
    """A rule from the config: its query and the filters that apply before the query."""

    id: str
    query: str
    fields: Literal["all", "title", "body"] = "all"
    sources: frozenset[str] = frozenset()  # empty = any source
    tags: frozenset[str] = frozenset()  # empty = any; else the doc must carry one
    languages: frozenset[str] = frozenset()  # empty = any

    @classmethod
    def from_config(cls, rule: ConfiguredRule) -> RuleSpec:
        """The engine's view of a configured rule."""
        return cls(
            id=rule.id,
            query=rule.query,
            fields=rule.fields,
            sources=frozenset(rule.sources),
            tags=frozenset(rule.tags),
            languages=frozenset(rule.languages),
        )


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
