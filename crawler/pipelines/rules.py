"""Rule matching of freshly stored items: hits go to `rule_matches` (snippets/spans as JSON).

The engine is built once per crawl from the config's enabled rules.  `outcome.fresh`
items are matched (duplicates and backfill-skipped entries never are), and so is an item
stored from its listing once a later run fetched its article page (`extra.article.retried`):
only the rules its listing text had not matched yet add a match.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select

from alerts.rules import MatchDocument, RuleEngine, RuleHit, RuleSpec
from crawler.config.models import RuleConfig
from crawler.crawl.runtime import runtime_of
from crawler.pipelines import items_stored
from crawler.store.items import InsertOutcome, StoredItem
from crawler.store.schema import rule_matches
from crawler.store.types import utcnow


def rule_spec(rule: RuleConfig) -> RuleSpec:
    """The engine's view of a configured rule."""
    return RuleSpec(
        id=rule.id,
        query=rule.query,
        fields=rule.fields,
        sources=frozenset(rule.sources),
        tags=frozenset(rule.tags),
        languages=frozenset(rule.languages),
    )


class RulesPipeline:
    """Subscribes to `items_stored`; passes items through untouched."""

    def __init__(self, crawler: Any) -> None:
        self.stats = crawler.stats
        self.runtime = runtime_of(crawler)
        self.engine: RuleEngine | None = None
        self.tags: frozenset[str] = frozenset()
        crawler.signals.connect(self.items_stored, signal=items_stored)

    @classmethod
    def from_crawler(cls, crawler: Any) -> RulesPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        runtime = self.runtime
        rules = runtime.config.enabled_rules
        self.engine = RuleEngine.from_rules(rule_spec(r) for r in rules) if rules else None
        self.tags = frozenset(runtime.source.tags)

    def process_item(self, item: Any) -> Any:
        return item

    def _match(self, stored: StoredItem, now: Any) -> list[dict[str, Any]]:
        assert self.engine is not None
        record = stored.record
        text = record.body or record.summary  # a listing-only item: its lead
        document = MatchDocument(record.title, text, record.source_id, record.language, self.tags)
        return [match_row(stored.id, hit, now) for hit in self.engine.match(document)]

    def items_stored(self, outcome: InsertOutcome, connection: Connection) -> None:
        if self.engine is None:
            return
        now = utcnow()
        rows: list[dict[str, Any]] = []
        for stored in outcome.fresh:
            if not stored.record.extra.get("backfill_skipped"):
                rows.extend(self._match(stored, now))
        arrived = [
            s for s in outcome.changed if (s.record.extra.get("article") or {}).get("retried")
        ]
        if arrived:
            matched = _matched_rules(connection, [s.id for s in arrived])
            for stored in arrived:
                rows.extend(
                    row
                    for row in self._match(stored, now)
                    if (stored.id, row["rule_id"]) not in matched
                )
        if rows:
            connection.execute(insert(rule_matches), rows)
            self.stats.inc_value("presswatch/rule_matches", len(rows))


def _article_arrived(stored: StoredItem) -> bool:
    return bool((stored.record.extra.get("article") or {}).get("retried"))


def _matched_rules(connection: Connection, item_ids: list[int]) -> set[tuple[int, str]]:
    query = select(rule_matches.c.item_id, rule_matches.c.rule_id).where(
        rule_matches.c.item_id.in_(item_ids)
    )
    return {(item_id, rule_id) for item_id, rule_id in connection.execute(query)}


def match_row(item_id: int, hit: RuleHit, now: Any) -> dict[str, Any]:
    """A `rule_matches` row: snippets with their highlight offsets, and the field spans."""
    highlights = list(hit.snippet_spans) + [()] * (len(hit.snippets) - len(hit.snippet_spans))
    snippets = [
        {"text": text, "highlights": [list(pair) for pair in marks]}
        for text, marks in zip(hit.snippets, highlights, strict=False)
    ]
    return {
        "item_id": item_id,
        "rule_id": hit.rule_id,
        "matched_at": now,
        "snippets": snippets,
        "spans": [{"field": s.field, "start": s.start, "end": s.end} for s in hit.spans],
    }
