"""Items: the batch insert that decides new / updated / duplicate / unchanged, and lookups."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property, lru_cache
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.engine import Dialect

from crawler.store.schema import item_revisions, items
from crawler.store.types import utcnow
from crawler.store.urls import (
    canonical_fingerprint,
    canonicalize_url,
    content_fingerprint,
    url_fingerprint,
)

# Bound parameters per statement stay well under SQLite's and psycopg's limits.
LOOKUP_CHUNK = 900


@dataclass(frozen=True)
class ItemRecord:
    """An item as a crawl hands it to the store."""

    source_id: str
    url: str
    title: str
    body: str = ""
    summary: str = ""
    language: str | None = None
    published_at: datetime | None = None
    canonical_url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def identity_url(self) -> str:
        """The URL that decides identity: rel=canonical when given, else the fetched URL."""
        return canonicalize_url(self.canonical_url or self.url)

    @cached_property
    def url_fp(self) -> str:
        return canonical_fingerprint(self.identity_url)

    @cached_property
    def content_fp(self) -> str:
        return content_fingerprint(self.title, self.body)


@dataclass(frozen=True)
class StoredItem:
    """A newly stored item: its id and the record it came from."""

    id: int
    record: ItemRecord
    duplicate_of: int | None = None


@dataclass
class InsertOutcome:
    """What a batch did: new items (incl. duplicates, flagged), updates, and no-ops."""

    new: list[StoredItem] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: int = 0

    @property
    def fresh(self) -> list[StoredItem]:
        """New items that are not re-posts of an existing one: what rules should see."""
        return [item for item in self.new if item.duplicate_of is None]

    @property
    def duplicates(self) -> list[StoredItem]:
        return [item for item in self.new if item.duplicate_of is not None]


def insert_items(connection: Connection, records: Iterable[ItemRecord]) -> InsertOutcome:
    """Store a batch in the caller's transaction.

    Identity is the canonical URL. A known URL with changed content is updated and a
    revision recorded; unchanged it is a no-op. A new URL whose content fingerprint is
    already stored for the same source is stored as a duplicate linked to the first.
    Concurrent writers are safe: the insert is ON CONFLICT DO NOTHING and only the rows
    this call actually inserted are reported new.
    """
    batch = _unique_by_url(records)
    outcome = InsertOutcome()
    existing = _existing(connection, list(batch))
    fresh = [(fp, rec) for fp, rec in batch.items() if fp not in existing]
    _apply_known(connection, batch, existing, outcome)
    originals, repeats = _split_duplicates(connection, fresh)
    outcome.new.extend(_insert(connection, originals))
    resolved = _resolve_repeats(connection, repeats, outcome.new)
    outcome.new.extend(_insert(connection, resolved))
    # URLs another writer stored between our lookup and our insert: known now.
    inserted = {item.record.url_fp for item in outcome.new}
    lost = {fp: rec for fp, rec in fresh if fp not in inserted}
    if lost:
        _apply_known(connection, lost, _existing(connection, list(lost)), outcome)
    return outcome


def _apply_known(
    connection: Connection,
    batch: dict[str, ItemRecord],
    existing: dict[str, tuple[int, str]],
    outcome: InsertOutcome,
) -> None:
    """Count stored URLs with the same content as unchanged; update the others."""
    for fp, record in batch.items():
        if fp in existing:
            item_id, old_content = existing[fp]
            if old_content == record.content_fp:
                outcome.unchanged += 1
            else:
                _update(connection, item_id, old_content, record)
                outcome.updated.append(item_id)


def _unique_by_url(records: Iterable[ItemRecord]) -> dict[str, ItemRecord]:
    batch: dict[str, ItemRecord] = {}
    for record in records:
        batch.setdefault(record.url_fp, record)
    return batch


def _existing(connection: Connection, fps: Sequence[str]) -> dict[str, tuple[int, str]]:
    found: dict[str, tuple[int, str]] = {}
    for start in range(0, len(fps), LOOKUP_CHUNK):
        chunk = fps[start : start + LOOKUP_CHUNK]
        query = select(items.c.url_fp, items.c.id, items.c.content_fp).where(
            items.c.url_fp.in_(chunk)
        )
        for url_fp, item_id, content_fp in connection.execute(query):
            found[url_fp] = (item_id, content_fp)
    return found


def _update(connection: Connection, item_id: int, old_content: str, record: ItemRecord) -> None:
    now = utcnow()
    connection.execute(
        insert(item_revisions).values(
            item_id=item_id, content_fp=old_content, title=record.title, changed_at=now
        )
    )
    values: dict[str, Any] = {
        "title": record.title,
        "body": record.body,
        "summary": record.summary,
        "content_fp": record.content_fp,
        "updated_at": now,
        "revision": items.c.revision + 1,
    }
    if record.published_at is not None:
        values["published_at"] = record.published_at
    connection.execute(update(items).where(items.c.id == item_id).values(**values))


Pending = list[tuple[ItemRecord, int | None]]


def _split_duplicates(
    connection: Connection, fresh: list[tuple[str, ItemRecord]]
) -> tuple[Pending, list[ItemRecord]]:
    """Records whose content is new for their source, and those repeating known content."""
    known = _known_content(connection, [rec for _, rec in fresh])
    originals: Pending = []
    repeats: list[ItemRecord] = []
    seen: set[tuple[str, str]] = set()
    for _, record in fresh:
        key = (record.source_id, record.content_fp)
        if key in known:
            originals.append((record, known[key]))
        elif key in seen:
            repeats.append(record)
        else:
            seen.add(key)
            originals.append((record, None))
    return originals, repeats


def _known_content(connection: Connection, records: list[ItemRecord]) -> dict[tuple[str, str], int]:
    """(source, content fingerprint) -> the first non-duplicate item holding that content."""
    wanted = {(record.source_id, record.content_fp) for record in records}
    sources = sorted({source for source, _ in wanted})
    fps = sorted({fp for _, fp in wanted})
    known: dict[tuple[str, str], int] = {}
    for start in range(0, len(fps), LOOKUP_CHUNK):
        query = (
            select(items.c.source_id, items.c.content_fp, items.c.id)
            .where(items.c.source_id.in_(sources))
            .where(items.c.content_fp.in_(fps[start : start + LOOKUP_CHUNK]))
            .where(items.c.duplicate_of.is_(None))
            .order_by(items.c.id)
        )
        for source_id, content_fp, item_id in connection.execute(query):
            if (source_id, content_fp) in wanted:
                known.setdefault((source_id, content_fp), item_id)
    return known


def _resolve_repeats(
    connection: Connection, repeats: list[ItemRecord], stored: list[StoredItem]
) -> Pending:
    if not repeats:
        return []
    first = {(s.record.source_id, s.record.content_fp): s.id for s in stored}
    known = _known_content(connection, repeats)
    return [
        (
            rec,
            first.get((rec.source_id, rec.content_fp))
            or known.get((rec.source_id, rec.content_fp)),
        )
        for rec in repeats
    ]


# Columns written by the batch insert; `revision` is a literal 0 and `cluster_id` NULL.
INSERT_COLUMNS = (
    "source_id",
    "url",
    "canonical_url",
    "url_fp",
    "content_fp",
    "title",
    "summary",
    "body",
    "language",
    "published_at",
    "first_seen_at",
    "updated_at",
    "duplicate_of",
    "extra",
)
# Rows per INSERT statement: 14,000 bound parameters, under both drivers' limits.
INSERT_PAGE = 1000


def _insert(connection: Connection, pending: Pending) -> list[StoredItem]:
    """Insert with ON CONFLICT DO NOTHING; report only the rows this call inserted.

    Rows go in url_fp order so that concurrent PostgreSQL writers wait on each other's
    unique-index entries in the same order and cannot deadlock.
    """
    if not pending:
        return []
    to_db = _datetime_processor(connection.dialect)
    now = to_db(utcnow())
    rows = sorted(
        ((record.url_fp, record, duplicate_of) for record, duplicate_of in pending),
        key=lambda row: row[0],
    )
    by_fp = {url_fp: (record, dup) for url_fp, record, dup in rows}
    page = _page_size(connection)
    stored: list[StoredItem] = []
    for start in range(0, len(rows), page):
        chunk = rows[start : start + page]
        params: list[Any] = []
        for _, record, duplicate_of in chunk:
            params += _row(record, duplicate_of, now, to_db)
        sql = _insert_sql(connection.dialect.name, len(chunk))
        for item_id, url_fp in connection.exec_driver_sql(sql, tuple(params)):
            record, duplicate_of = by_fp[url_fp]
            stored.append(StoredItem(item_id, record, duplicate_of))
    return stored


def _row(
    record: ItemRecord,
    duplicate_of: int | None,
    now: Any,
    to_db: Callable[[datetime | None], Any],
) -> tuple[Any, ...]:
    extra = json.dumps(record.extra) if record.extra else "{}"
    published = to_db(record.published_at) if record.published_at is not None else None
    return (
        record.source_id,
        record.url,
        record.identity_url,
        record.url_fp,
        record.content_fp,
        record.title,
        record.summary,
        record.body,
        record.language,
        published,
        now,
        now,
        duplicate_of,
        extra,
    )


@lru_cache(maxsize=8)
def _datetime_processor(dialect: Dialect) -> Callable[[datetime | None], Any]:
    """UtcDateTime's own bind processing (naive datetimes raise), for raw parameters."""
    process = items.c.published_at.type.dialect_impl(dialect).bind_processor(dialect)
    if process is None:  # pragma: no cover - UtcDateTime always processes
        return lambda value: value
    return process


def _page_size(connection: Connection) -> int:
    if connection.dialect.name != "sqlite":
        return INSERT_PAGE
    driver: Any = connection.connection.driver_connection
    limit: int = driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return max(1, min(INSERT_PAGE, limit // len(INSERT_COLUMNS)))


@lru_cache(maxsize=64)
def _insert_sql(dialect: str, rows: int) -> str:
    """A multi-row INSERT ... ON CONFLICT (url_fp) DO NOTHING RETURNING id, url_fp."""
    mark = "?" if dialect == "sqlite" else "%s"
    json_mark = mark if dialect == "sqlite" else "CAST(%s AS JSON)"
    one = "(" + ", ".join([mark] * (len(INSERT_COLUMNS) - 1) + [json_mark]) + ", 0)"
    columns = ", ".join((*INSERT_COLUMNS, "revision"))
    return (
        f"INSERT INTO items ({columns}) VALUES "
        + ", ".join([one] * rows)
        + " ON CONFLICT (url_fp) DO NOTHING RETURNING id, url_fp"
    )


def known_url_fingerprints(connection: Connection, urls: Sequence[str]) -> set[str]:
    """Which of these URLs are already stored (by canonical fingerprint), in bulk."""
    fps = [url_fingerprint(url) for url in urls]
    return set(_existing(connection, fps))
