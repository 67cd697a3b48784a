"""Read-side item queries: search, fetch, and the texts rules match, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Select, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement

from alerts.rules import ItemText
from crawler.store.schema import items
from crawler.store.store import Store
from crawler.store.types import UtcDateTime

# SQLite's lower() only folds ASCII; this Python function folds every script.
_SQLITE_CASEFOLD = "pw_casefold"


@dataclass(frozen=True)
class ItemRow:
    """An item as read back; `body` is only loaded by get_item()."""

    id: int
    source_id: str
    title: str
    url: str
    canonical_url: str
    published_at: datetime | None
    first_seen_at: datetime
    language: str | None
    summary: str
    body: str | None = None
    # {"state": "fetched" | "unavailable" | "baseline" | "not_fetched", ...}: see article_state
    article: dict[str, Any] | None = None
    published_date: date | None = None  # the source's own calendar day
    published_precision: str | None = None  # "day", "minute", "second"; None: unknown

    @property
    def date_only(self) -> bool:
        """The source gave a date without a time: show it as a date, never with 00:00."""
        return self.published_precision == "day"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (datetimes as ISO 8601, body only when loaded)."""
        data = asdict(self)
        for key in ("published_at", "first_seen_at", "published_date"):
            value = data[key]
            data[key] = value.isoformat() if value is not None else None
        if data["body"] is None:
            del data["body"]
        return data

    @classmethod
    def from_row(cls, row: Any) -> ItemRow:
        data = row._asdict()
        data["article"] = article_state(data.pop("extra", None))
        return cls(**data)


def article_state(extra: Any) -> dict[str, Any]:
    """What became of an item's article page, from the marks the crawl left in `extra`.

    ``unavailable`` (stored from its listing; with ``reason``, ``attempts`` and ``retry_at``,
    None once the retries are used up), ``baseline`` (older than `backfill` on the first
    run: stored from the listing, never fetched), ``fetched``, or ``not_fetched`` (a feed
    entry stored with the feed's own text, `follow: false`).
    """
    extra = extra if isinstance(extra, dict) else {}
    article = extra.get("article") if isinstance(extra.get("article"), dict) else {}
    if article.get("state") == "unavailable":
        keys = ("reason", "attempts", "retry_at")
        return {"state": "unavailable", **{key: article.get(key) for key in keys}}
    if extra.get("backfill_skipped"):
        return {"state": "baseline"}
    if "date_source" in extra or article.get("state") == "ok":
        return {"state": "fetched"}
    return {"state": "not_fetched"}


_ROW_COLUMNS = (
    items.c.id,
    items.c.source_id,
    items.c.title,
    items.c.url,
    items.c.canonical_url,
    items.c.published_at,
    items.c.first_seen_at,
    items.c.language,
    items.c.summary,
    items.c.extra,
    items.c.published_date,
    items.c.published_precision,
)


def search_items(
    connection: Connection,
    *,
    source_id: str | None = None,
    since: datetime | None = None,
    text: str | None = None,
    limit: int = 50,
    with_body: bool = False,
) -> list[ItemRow]:
    """Items newest first (by publication, else first sighting), optionally filtered.

    `text` matches title or body case-insensitively, as a substring.
    """
    when = func.coalesce(items.c.published_at, items.c.first_seen_at, type_=UtcDateTime())
    columns = (*_ROW_COLUMNS, items.c.body) if with_body else _ROW_COLUMNS
    query: Select[Any] = select(*columns)
    if source_id is not None:
        query = query.where(items.c.source_id == source_id)
    if since is not None:
        query = query.where(when >= literal(since, UtcDateTime()))
    if text:
        query = query.where(_text_matches(connection, text))
    query = query.order_by(when.desc(), items.c.id.desc()).limit(limit)
    return [ItemRow.from_row(row) for row in connection.execute(query)]


def get_item(connection: Connection, item_id: int) -> ItemRow | None:
    """One item with its body, or None."""
    query = select(*_ROW_COLUMNS, items.c.body).where(items.c.id == item_id)
    row = connection.execute(query).first()
    return None if row is None else ItemRow.from_row(row)


def _text_matches(connection: Connection, text: str) -> ColumnElement[bool]:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    if connection.dialect.name == "postgresql":
        pattern = f"%{escaped}%"
        return or_(
            items.c.title.ilike(pattern, escape="\\"), items.c.body.ilike(pattern, escape="\\")
        )
    _register_casefold(connection)
    pattern = f"%{escaped.casefold()}%"
    fold = getattr(func, _SQLITE_CASEFOLD)
    return or_(
        fold(items.c.title).like(pattern, escape="\\"),
        fold(items.c.body).like(pattern, escape="\\"),
    )


def _register_casefold(connection: Connection) -> None:
    driver = connection.connection.driver_connection
    if driver is not None:
        driver.create_function(_SQLITE_CASEFOLD, 1, _casefold, deterministic=True)


def _casefold(value: str | None) -> str | None:
    return None if value is None else value.casefold()


TEXT_BATCH = 500


def item_texts_since(store: Store, cutoff: datetime) -> Iterator[list[ItemText]]:
    """The non-duplicate items first seen since `cutoff`, as matching reads them, in id
    order, TEXT_BATCH at a time, each batch in its own short read.

    Memory stays at one batch of bodies however long the window (`--since 180d`), and no
    read is held open while the caller writes.
    """
    with store.connect() as reader:
        first = reader.scalar(select(func.min(items.c.id)).where(items.c.first_seen_at >= cutoff))
    if first is None:
        return
    after = int(first) - 1
    while True:
        query = (
            select(*_TEXT_COLUMNS)
            .where(items.c.id > after, items.c.first_seen_at >= cutoff)
            .where(items.c.duplicate_of.is_(None))
            .order_by(items.c.id)
            .limit(TEXT_BATCH)
        )
        with store.connect() as reader:
            rows = reader.execute(query).all()
        if not rows:
            return
        yield [_item_text(row) for row in rows]
        after = int(rows[-1].id)


_TEXT_COLUMNS = (
    items.c.id,
    items.c.source_id,
    items.c.title,
    items.c.body,
    items.c.summary,
    items.c.language,
    items.c.extra,
)


def _item_text(row: Any) -> ItemText:
    baseline = bool((row.extra or {}).get("backfill_skipped"))
    return ItemText(
        int(row.id), row.source_id, row.title, row.body, row.summary, row.language, baseline
    )


def last_first_seen(connection: Connection, source_id: str, since: datetime) -> datetime | None:
    """When the source's newest item was stored, looking only at items first seen since
    `since` (through ix_items_source_seen), never every item the source ever had."""
    query = select(func.max(items.c.first_seen_at)).where(
        items.c.first_seen_at >= since, items.c.source_id == source_id
    )
    value: datetime | None = connection.execute(query).scalar()
    return value


def item_counts(connection: Connection) -> dict[str, int]:
    """How many items each source has stored."""
    query = select(items.c.source_id, func.count()).group_by(items.c.source_id)
    return {str(source_id): int(count) for source_id, count in connection.execute(query)}
