"""Re-apply rules to stored items after the rules changed (`presswatch rules rematch`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from alerts.rules import ItemMatcher
from crawler.config import Config
from crawler.store.matches import REMATCH, save_matches
from crawler.store.queries import item_texts_since
from crawler.store.store import Store
from crawler.store.types import utcnow


@dataclass(frozen=True)
class RematchResult:
    """How many items were checked and how many new matches were stored."""

    items: int
    new_matches: int


def rematch_items(store: Store, config: Config, window: timedelta) -> RematchResult:
    """Match every non-duplicate item first seen within `window`; store only new matches.

    The same matching path as the crawl's (alerts.rules.ItemMatcher, saved by
    crawler.store.matches). Existing matches are kept (the unique (item, rule) pair makes
    this idempotent), and the delivery ledger's unique (recipient, item, channel) rows mean
    nothing is delivered twice.
    """
    tags = {source.id: source.tags for source in config.sources}
    matcher = ItemMatcher.from_config(config.enabled_rules, tags)
    if matcher is None:
        return RematchResult(0, 0)
    checked = stored = 0
    for batch in item_texts_since(store, utcnow() - window):
        records = matcher.match(batch)
        checked += len(batch)
        with store.begin() as connection:
            stored += save_matches(connection, records, REMATCH)
    return RematchResult(checked, stored)
