"""Owner of `rule_matches`: saving the rule hits of stored items.

`RuleMatches` is the crawl's after-store hook (see crawler.store.writer): inside each
batch's transaction it matches the fresh items (duplicates never) and the items whose
article page arrived on a later run (stored from their listing before,
`extra.article.retried`): those add only the rules their listing text had not matched.

Each row records its `origin`: "crawl" (saved in the batch that stored the item, whose
response the evidence hook captures) or "rematch" (`rules rematch`, long after: the
response is gone). Rows saved before migration 0013 have none (NULL, unknown).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Connection, select

from alerts.rules import ItemMatcher, ItemText, MatchRecord
from crawler.store.dialect import insert_ignore
from crawler.store.items import InsertOutcome, StoredItem
from crawler.store.schema import items, rule_matches
from crawler.store.types import utcnow

MatchOrigin = Literal["crawl", "rematch"]
CRAWL: MatchOrigin = "crawl"
REMATCH: MatchOrigin = "rematch"


def save_matches(
    connection: Connection,
    records: Sequence[MatchRecord],
    origin: MatchOrigin,
    now: datetime | None = None,
) -> int:
    """Insert the matches not stored yet (the unique (item, rule) pair keeps this
    idempotent), marked with the path that made them; returns how many were new."""
    if not records:
        return 0
    matched_at = now or utcnow()
    rows = [
        {
            "item_id": record.item_id,
            "rule_id": record.rule_id,
            "matched_at": matched_at,
            "snippets": record.snippets,
            "spans": record.spans,
            "origin": origin,
        }
        for record in records
    ]
    statement = insert_ignore(connection, rule_matches, ["item_id", "rule_id"])
    return len(connection.execute(statement.returning(rule_matches.c.id), rows).all())


def rules_matched(connection: Connection, item_ids: Sequence[int]) -> dict[int, set[str]]:
    """The rules each of these items has matched (items without a match are left out)."""
    found: dict[int, set[str]] = {}
    if not item_ids:
        return found
    query = select(rule_matches.c.item_id, rule_matches.c.rule_id).where(
        rule_matches.c.item_id.in_(list(item_ids))
    )
    for item_id, rule_id in connection.execute(query):
        found.setdefault(int(item_id), set()).add(rule_id)
    return found


def match_passages(connection: Connection, item_ids: Sequence[int]) -> dict[int, dict[str, str]]:
    """Per item, the passage each rule matched (its snippets' text), for items with a match."""
    found: dict[int, dict[str, str]] = {}
    if not item_ids:
        return found
    query = select(rule_matches.c.item_id, rule_matches.c.rule_id, rule_matches.c.snippets)
    query = query.where(rule_matches.c.item_id.in_(list(item_ids)))
    for item_id, rule_id, snippets in connection.execute(query):
        found.setdefault(int(item_id), {})[rule_id] = passage_of(snippets or [])
    return found


def passage_of(snippets: Sequence[Mapping[str, Any]]) -> str:
    """A match's passage: the sentences of its snippets that hold a highlight, in order
    (a snippet's window of context around them is not the statement's passage: an edit
    next to it is not an edit of it)."""
    sentences: list[str] = []
    for snippet in snippets:
        text = str(snippet.get("text", ""))
        for start, end in snippet.get("highlights") or [(0, len(text))]:
            sentence = _sentence_around(text, int(start), int(end))
            if sentence and sentence not in sentences:
                sentences.append(sentence)
    return " … ".join(sentences)


SENTENCE_END = re.compile(r"[.!?\u3002\uff01\uff1f](?=\s|$|[^\w])|[\u3002\uff01\uff1f]")


def _sentence_around(text: str, start: int, end: int) -> str:
    ends = [m.end() for m in SENTENCE_END.finditer(text)]
    begin = max((e for e in ends if e <= start), default=0)
    stop = min((e for e in ends if e >= end), default=len(text))
    return text[begin:stop].strip()


def item_text(stored: StoredItem) -> ItemText:
    """What matching reads of an item just stored."""
    record = stored.record
    baseline = bool(record.extra.get("backfill_skipped"))
    return ItemText(
        stored.id,
        record.source_id,
        record.title,
        record.body,
        record.summary,
        record.language,
        baseline,
    )


class RuleMatches:
    """After-store hook: match a batch's fresh and newly fetched items; returns how many
    matches it stored."""

    def __init__(self, matcher: ItemMatcher) -> None:
        self.matcher = matcher

    def __call__(self, outcome: InsertOutcome, connection: Connection) -> int:
        arrived = [s for s in outcome.changed if _article_arrived(s)]
        texts = [item_text(s) for s in (*outcome.fresh, *arrived)]
        return save_matches(connection, self.matcher.match(texts), CRAWL)


def _article_arrived(stored: StoredItem) -> bool:
    return bool((stored.record.extra.get("article") or {}).get("retried"))


@dataclass(frozen=True)
class MatchedItem:
    """One (item, rule) match with what a feed of matches shows of the item."""

    item_id: int
    title: str | None
    url: str
    source_id: str
    published_at: datetime | None
    first_seen_at: datetime
    rule_id: str
    matched_at: datetime
    snippets: Any


def latest_matched(
    connection: Connection, rule_ids: Sequence[str], limit: int
) -> list[MatchedItem]:
    """The newest `limit` matches of `rule_ids` (duplicates of stored items left out),
    newest match first."""
    if not rule_ids:
        return []
    query = (
        select(
            items.c.id,
            items.c.title,
            items.c.url,
            items.c.source_id,
            items.c.published_at,
            items.c.first_seen_at,
            rule_matches.c.rule_id,
            rule_matches.c.matched_at,
            rule_matches.c.snippets,
        )
        .join(items, items.c.id == rule_matches.c.item_id)
        .where(rule_matches.c.rule_id.in_(rule_ids), items.c.duplicate_of.is_(None))
        .order_by(rule_matches.c.matched_at.desc(), items.c.id.desc())
        .limit(limit)
    )
    return [MatchedItem(int(row.id), *row[1:]) for row in connection.execute(query)]


# Rows from before migration 0013 have no origin: for them only, a match made more than
# STORE_SLACK after the item's last store is taken for a rematch (a slow batch can fool
# this, which is why new rows say which path made them).
STORE_SLACK = timedelta(minutes=2)


def matched_when_stored(connection: Connection, since: datetime) -> dict[int, datetime]:
    """Items matched (at or after `since`) in the batch that stored them, not by a later
    `rules rematch`: {item id: first such match time}. A rematch of an item stored again
    after it (a revision, whose batch captures it) counts too."""
    query = (
        select(
            rule_matches.c.item_id,
            rule_matches.c.matched_at,
            rule_matches.c.origin,
            items.c.updated_at,
        )
        .join(items, items.c.id == rule_matches.c.item_id)
        .where(rule_matches.c.matched_at >= since)
    )
    found: dict[int, datetime] = {}
    for item_id, matched_at, origin, updated_at in connection.execute(query):
        if _when_stored(origin, matched_at, updated_at):
            key = int(item_id)
            found[key] = min(found.get(key, matched_at), matched_at)
    return found


def _when_stored(origin: str | None, matched_at: datetime, updated_at: datetime) -> bool:
    if origin == CRAWL:
        return True
    if origin == REMATCH:
        return updated_at > matched_at
    return matched_at <= updated_at + STORE_SLACK  # unknown (before 0013): the old rule
