"""What a batch says about article pages: listed-URL aliases and articles to fetch again.

A spider marks an item's `extra`:

* ``listed_url``: the link as the listing or feed gave it.  When the item is stored under
  another identity (its rel=canonical, a redirect), the listed URL becomes an alias, so
  the next run knows the link without fetching it.
* ``article``: ``{"state": "unavailable", "reason": ..., "attempts": n, "retry_at": ISO or
  None, "url": ...}`` when the article page could not be fetched (the item was stored from
  its listing), or ``{"state": "ok", "retried": true}`` when a later run fetched it.  The
  first keeps a row in `article_retries`; the second deletes it.

Both are written in the batch's own transaction: an alias or a retry never outlives a
batch that was rolled back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select

from crawler.store.dialect import insert_ignore, upsert
from crawler.store.items import ItemRecord, known_fingerprints
from crawler.store.schema import article_retries, items, url_aliases
from crawler.store.types import utcnow
from crawler.store.urls import url_fingerprint


@dataclass(frozen=True)
class DueArticle:
    """An item stored from its listing whose article page is due for another try."""

    url: str
    attempts: int
    identity_url: str
    title: str
    summary: str
    body: str
    language: str | None
    published_at: datetime | None
    extra: dict[str, Any]


def record_article_states(connection: Connection, records: Sequence[ItemRecord]) -> None:
    """Write the aliases and retry rows the batch's records carry (see the module doc)."""
    now = utcnow()
    aliases: dict[str, dict[str, Any]] = {}
    retries: dict[str, dict[str, Any]] = {}
    arrived: set[str] = set()
    for record in records:
        # A feed entry told apart by its #fragment: its defragmented link names no item.
        listed = record.extra.get("listed_url")
        urls = () if record.extra.get("keep_fragment") else (listed, record.url)
        for url in urls:
            alias = _fingerprint(url)
            if alias is not None and alias != record.url_fp:
                aliases[alias] = {"url_fp": alias, "item_fp": record.url_fp, "created_at": now}
        article = record.extra.get("article") or {}
        if article.get("state") == "unavailable":
            retries[record.url_fp] = _retry_row(record, article, now)
        elif article.get("retried"):
            arrived.add(record.url_fp)
    if aliases:
        statement = insert_ignore(connection, url_aliases)
        connection.execute(statement, list(aliases.values()))
    for row in retries.values():
        statement = upsert(connection, article_retries).values(**row)
        changed = {k: statement.excluded[k] for k in ("attempts", "reason", "next_attempt_at")}
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=["url_fp"], set_={**changed, "updated_at": now}
            )
        )
    if arrived:
        connection.execute(delete(article_retries).where(article_retries.c.url_fp.in_(arrived)))


def known_identities(connection: Connection, fps: Sequence[str]) -> set[str]:
    """Which identity fingerprints are stored items or aliases of one, in bulk."""
    known = known_fingerprints(connection, fps)
    wanted = [fp for fp in set(fps) if fp not in known]
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        query = select(url_aliases.c.url_fp).where(url_aliases.c.url_fp.in_(chunk))
        rows = connection.execute(query)
        known.update(fp for (fp,) in rows)
    return known


def due_articles(
    connection: Connection, source_id: str, now: datetime, limit: int = 100
) -> list[DueArticle]:
    """The source's listing-only items whose article page is due for another try."""
    query = (
        select(
            article_retries.c.url,
            article_retries.c.attempts,
            items.c.canonical_url,
            items.c.title,
            items.c.summary,
            items.c.body,
            items.c.language,
            items.c.published_at,
            items.c.extra,
        )
        .join(items, items.c.url_fp == article_retries.c.url_fp)
        .where(article_retries.c.source_id == source_id)
        .where(article_retries.c.next_attempt_at.is_not(None))
        .where(article_retries.c.next_attempt_at <= now)
        .order_by(article_retries.c.next_attempt_at)
        .limit(limit)
    )
    return [
        DueArticle(
            url=row.url,
            attempts=row.attempts,
            identity_url=row.canonical_url,
            title=row.title,
            summary=row.summary,
            body=row.body,
            language=row.language,
            published_at=row.published_at,
            extra=dict(row.extra or {}),
        )
        for row in connection.execute(query)
    ]


@dataclass(frozen=True)
class RecheckTarget:
    """A sent item the recheck round fetches again: where, and what identity it keeps."""

    item_id: int
    url: str  # the article page as last fetched
    listed_url: str  # the link as the listing gave it
    identity_url: str
    title: str
    summary: str
    published_at: datetime | None
    keep_fragment: bool


def recheck_targets(connection: Connection, item_ids: Sequence[int]) -> list[RecheckTarget]:
    """The items to recheck, in the order given (ids of deleted items are left out)."""
    found: dict[int, RecheckTarget] = {}
    for start in range(0, len(item_ids), 500):
        chunk = list(item_ids[start : start + 500])
        query = select(
            items.c.id,
            items.c.url,
            items.c.canonical_url,
            items.c.title,
            items.c.summary,
            items.c.published_at,
            items.c.extra,
        ).where(items.c.id.in_(chunk))
        for row in connection.execute(query):
            extra = dict(row.extra or {})
            listed = extra.get("listed_url")
            found[int(row.id)] = RecheckTarget(
                item_id=int(row.id),
                url=row.url,
                listed_url=listed if isinstance(listed, str) and listed else row.url,
                identity_url=row.canonical_url,
                title=row.title,
                summary=row.summary,
                published_at=row.published_at,
                keep_fragment=bool(extra.get("keep_fragment")),
            )
    return [found[i] for i in item_ids if i in found]


def _retry_row(record: ItemRecord, article: dict[str, Any], now: datetime) -> dict[str, Any]:
    retry_at = article.get("retry_at")
    return {
        "url_fp": record.url_fp,
        "source_id": record.source_id,
        "url": str(article.get("url") or record.extra.get("listed_url") or record.url),
        "attempts": int(article.get("attempts", 1)),
        "reason": str(article.get("reason", ""))[:500],
        "next_attempt_at": datetime.fromisoformat(retry_at) if retry_at else None,
        "updated_at": now,
    }


def _fingerprint(url: object) -> str | None:
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return None
    try:
        return url_fingerprint(url)
    except (ValueError, UnicodeError):
        return None
