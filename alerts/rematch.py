"""Re-apply rules to stored items after the rules changed (`presswatch rules rematch`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, Row, func, select
from sqlalchemy.dialects import postgresql, sqlite

from alerts.rules import MatchDocument, RuleEngine
from crawler.config import Config
from crawler.pipelines.rules import match_row, rule_spec
from crawler.store.schema import items, rule_matches
from crawler.store.store import Store
from crawler.store.types import utcnow

BATCH = 500
# id, source_id, title, body, summary, language, extra
ItemRow = Row[Any, Any, Any, Any, Any, Any, Any]


@dataclass(frozen=True)
class RematchResult:
    """How many items were checked and how many new matches were stored."""

    items: int
    new_matches: int


def rematch_items(store: Store, config: Config, window: timedelta) -> RematchResult:
    """Match every non-duplicate item first seen within `window`; store only new matches.

    Existing matches are kept (the unique (item, rule) pair makes this idempotent), and the
    delivery ledger's unique (recipient, item, channel) rows mean nothing is delivered twice.
    """
    rules = config.enabled_rules
    if not rules:
        return RematchResult(0, 0)
    engine = RuleEngine.from_rules(rule_spec(rule) for rule in rules)
    tags = {source.id: frozenset(source.tags) for source in config.sources}
    checked = stored = 0
    for batch in _batches(store, utcnow() - window):
        rows = _match(engine, batch, tags)
        checked += len(batch)
        with store.begin() as connection:
            stored += _insert_new(connection, rows)
    return RematchResult(checked, stored)


_ITEM_COLUMNS = (
    items.c.id,
    items.c.source_id,
    items.c.title,
    items.c.body,
    items.c.summary,
    items.c.language,
    items.c.extra,
)


def _batches(store: Store, cutoff: Any) -> Iterator[Sequence[ItemRow]]:
    """The window's items in id order, BATCH at a time, each batch in its own short read.

    Memory stays at one batch of bodies however long the window (`--since 180d`), and no
    read is held open while the matches are written.
    """
    with store.connect() as reader:
        first = reader.scalar(select(func.min(items.c.id)).where(items.c.first_seen_at >= cutoff))
    if first is None:
        return
    after = int(first) - 1
    while True:
        query = (
            select(*_ITEM_COLUMNS)
            .where(items.c.id > after, items.c.first_seen_at >= cutoff)
            .where(items.c.duplicate_of.is_(None))
            .order_by(items.c.id)
            .limit(BATCH)
        )
        with store.connect() as reader:
            batch = reader.execute(query).all()
        if not batch:
            return
        yield batch
        after = int(batch[-1].id)


def _match(
    engine: RuleEngine,
    batch: Sequence[ItemRow],
    tags: dict[str, frozenset[str]],
) -> list[dict[str, Any]]:
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for row in batch:
        if (row.extra or {}).get("backfill_skipped"):
            continue
        text = row.body or row.summary  # an item stored from its listing: its lead
        document = MatchDocument(
            row.title, text, row.source_id, row.language, tags.get(row.source_id, frozenset())
        )
        rows.extend(match_row(int(row.id), hit, now) for hit in engine.match(document))
    return rows


def _insert_new(connection: Connection, rows: list[dict[str, Any]]) -> int:
    if not rows:
        return 0
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(rule_matches)
        .on_conflict_do_nothing(index_elements=["item_id", "rule_id"])
        .returning(rule_matches.c.id)
    )
    return len(connection.execute(statement, rows).all())
