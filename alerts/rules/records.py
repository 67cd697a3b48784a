"""Matching stored items: the one path the crawl and `rules rematch` share.

`ItemMatcher` compiles the enabled rules once and turns an item's text into
`MatchRecord`s, the form `rule_matches` keeps (crawler.store.matches saves them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from alerts.rules.engine import RuleEngine
from alerts.rules.model import ConfiguredRule, MatchDocument, RuleHit, RuleSpec


@dataclass(frozen=True)
class ItemText:
    """What matching reads of a stored item."""

    id: int
    source_id: str
    title: str
    body: str | None
    summary: str | None
    language: str | None
    # Remembered on a source's first run without being fetched (older than `backfill`):
    # a baseline, never matched.
    baseline: bool = False


@dataclass(frozen=True)
class MatchRecord:
    """A rule that matched a stored item: snippets with their highlight offsets and the
    field spans, as JSON-ready lists."""

    item_id: int
    rule_id: str
    snippets: list[dict[str, Any]]
    spans: list[dict[str, Any]]

    @classmethod
    def from_hit(cls, item_id: int, hit: RuleHit) -> MatchRecord:
        highlights = list(hit.snippet_spans) + [()] * (len(hit.snippets) - len(hit.snippet_spans))
        snippets = [
            {"text": text, "highlights": [list(pair) for pair in marks]}
            for text, marks in zip(hit.snippets, highlights, strict=False)
        ]
        spans = [{"field": s.field, "start": s.start, "end": s.end} for s in hit.spans]
        return cls(item_id, hit.rule_id, snippets, spans)


class ItemMatcher:
    """The enabled rules compiled once, and each source's tags (for `tag:` filters)."""

    def __init__(self, engine: RuleEngine, source_tags: Mapping[str, frozenset[str]]) -> None:
        self.engine = engine
        self.source_tags = source_tags

    @classmethod
    def from_config(
        cls, rules: Iterable[ConfiguredRule], source_tags: Mapping[str, Iterable[str]]
    ) -> ItemMatcher | None:
        """None when there is no rule to match."""
        specs = [RuleSpec.from_config(rule) for rule in rules]
        if not specs:
            return None
        tags = {source: frozenset(values) for source, values in source_tags.items()}
        return cls(RuleEngine.from_rules(specs), tags)

    def document(self, item: ItemText) -> MatchDocument:
        text = item.body or item.summary or ""  # an item stored from its listing: its lead
        tags = self.source_tags.get(item.source_id, frozenset())
        return MatchDocument(item.title, text, item.source_id, item.language, tags)

    def match(self, items: Iterable[ItemText]) -> list[MatchRecord]:
        """Every rule hit on the items, baselines skipped."""
        return [
            MatchRecord.from_hit(item.id, hit)
            for item in items
            if not item.baseline
            for hit in self.engine.match(self.document(item))
        ]
