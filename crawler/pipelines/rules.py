"""Rule matching of freshly stored items: hits go to `rule_matches` (snippets/spans as JSON).

The engine is built once per crawl from the config's enabled rules.  Only
`outcome.fresh` items are matched: duplicates and backfill-skipped entries never are.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert

from alerts.rules import MatchDocument, RuleEngine, RuleHit, RuleSpec
from crawler.config.models import RuleConfig
from crawler.crawl.runtime import current_runtime
from crawler.pipelines import items_stored
from crawler.store.items import InsertOutcome
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
        self.engine: RuleEngine | None = None
        self.tags: frozenset[str] = frozenset()
        crawler.signals.connect(self.items_stored, signal=items_stored)

    @classmethod
    def from_crawler(cls, crawler: Any) -> RulesPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        runtime = current_runtime()
        rules = runtime.config.enabled_rules
        self.engine = RuleEngine.from_rules(rule_spec(r) for r in rules) if rules else None
        self.tags = frozenset(runtime.source.tags)

    def process_item(self, item: Any) -> Any:
        return item

    def items_stored(self, outcome: InsertOutcome, connection: Connection) -> None:
        if self.engine is None:
            return
        now = utcnow()
        rows: list[dict[str, Any]] = []
        for stored in outcome.fresh:
            record = stored.record
            if record.extra.get("backfill_skipped"):
                continue
            document = MatchDocument(
                record.title, record.body, record.source_id, record.language, self.tags
            )
            rows.extend(match_row(stored.id, hit, now) for hit in self.engine.match(document))
        if rows:
            connection.execute(insert(rule_matches), rows)
            self.stats.inc_value("presswatch/rule_matches", len(rows))


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
