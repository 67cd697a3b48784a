"""Items: the batch insert that decides new / updated / duplicate / unchanged, and lookups."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, Generic, TypeVar, overload

from sqlalchemy import Connection, insert, update
from sqlalchemy.exc import DBAPIError

from crawler.store import fulltext
from crawler.store.schema import CONTENT_PREFIX, item_revisions, items
from crawler.store.types import utcnow
from crawler.store.urls import (
    canonical_fingerprint,
    canonicalize_url,
    content_fingerprint,
    fragment_identity,
    url_fingerprint,
)

T = TypeVar("T")


class _memo(Generic[T]):
    """functools.cached_property without the per-instance lock Python 3.11 takes on every
    first access (a measurable share of the batch insert); a race only computes twice."""

    def __init__(self, function: Callable[[Any], T]) -> None:
        self.function = function
        self.name = function.__name__
        self.__doc__ = function.__doc__

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type[Any] | None = None) -> _memo[T]: ...
    @overload
    def __get__(self, instance: object, owner: type[Any] | None = None) -> T: ...
    def __get__(self, instance: object | None, owner: type[Any] | None = None) -> T | _memo[T]:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.function(instance)
        return value


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
    # The source's own calendar day of published_at and "day"/"minute"/"second".
    published_date: date | None = None
    published_precision: str | None = None

    @_memo
    def identity_url(self) -> str:
        """The URL that decides identity: rel=canonical when given, else the fetched URL
        (with its #fragment when `extra.keep_fragment`: see `fragment_identity`)."""
        if self.extra.get("keep_fragment"):
            return fragment_identity(self.canonical_url or self.url)
        return canonicalize_url(self.canonical_url or self.url)

    @_memo
    def url_fp(self) -> str:
        return canonical_fingerprint(self.identity_url)

    @_memo
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
    # The updated items with the records that changed them (`updated` holds their ids).
    changed: list[StoredItem] = field(default_factory=list)

    @property
    def fresh(self) -> list[StoredItem]:
        """New items that are not re-posts of an existing one: what rules should see."""
        return [item for item in self.new if item.duplicate_of is None]

    @property
    def duplicates(self) -> list[StoredItem]:
        return [item for item in self.new if item.duplicate_of is not None]


def prepare_records(records: Iterable[ItemRecord]) -> list[ItemRecord]:
    """Compute every record's fingerprints now, before the write transaction begins.

    They cost about a third of a batch's time; computed inside the transaction they would
    lengthen the time a crawl holds SQLite's write lock, which other crawls wait on.
    """
    batch = list(records)
    for record in batch:
        _ = (record.url_fp, record.content_fp)
    return batch


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
    if connection.dialect.name == "postgresql":
        # The archive search index; SQLite's triggers write theirs (migration 0009).
        new = [(item.id, item.record.title, item.record.body) for item in outcome.new]
        fulltext.index_items(connection, new, outcome.updated)
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
                outcome.changed.append(StoredItem(item_id, record))


def _unique_by_url(records: Iterable[ItemRecord]) -> dict[str, ItemRecord]:
    batch: dict[str, ItemRecord] = {}
    for record in records:
        batch.setdefault(record.url_fp, record)
    return batch


def _existing(connection: Connection, fps: Sequence[str]) -> dict[str, tuple[int, str]]:
    """url_fp -> (id, content_fp) of the stored ones: one statement for the whole batch."""
    if not fps:
        return {}
    sql = _EXISTING_SQL[connection.dialect.name == "sqlite"]
    rows = connection.exec_driver_sql(sql, (_array(connection, list(fps)),))
    return {url_fp: (item_id, content_fp) for url_fp, item_id, content_fp in rows}


# One statement per batch: the fingerprints go in as one JSON (SQLite) or array parameter.
_EXISTING_SQL = {
    True: "SELECT url_fp, id, content_fp FROM items"
    " WHERE url_fp IN (SELECT value FROM json_each(?))",
    False: "SELECT url_fp, id, content_fp FROM items WHERE url_fp = ANY(%b::text[])",
}


def _array(connection: Connection, values: list[Any]) -> Any:
    """A list as one bound parameter: JSON text for SQLite, an array for PostgreSQL."""
    return json.dumps(values) if connection.dialect.name == "sqlite" else values


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
        values["published_date"] = record.published_date
        values["published_precision"] = record.published_precision
    if "article" in record.extra:  # the article page arrived for an item its listing gave
        values["extra"] = record.extra
        if record.language:
            values["language"] = record.language
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
    known: dict[tuple[str, str], int] = {}
    if not wanted:
        return known
    prefixes = sorted({content_fp[:CONTENT_PREFIX] for _, content_fp in wanted})
    sql = _KNOWN_CONTENT_SQL[connection.dialect.name == "sqlite"]
    rows = connection.exec_driver_sql(sql, (_array(connection, prefixes),))
    for source_id, content_fp, item_id in rows:
        if (source_id, content_fp) in wanted:  # a prefix may match other sources' items
            known.setdefault((source_id, content_fp), item_id)
    return known


# One lookup through ix_items_content_prefix for the whole batch (the substr() must stay
# as indexed). An IN list / ANY(array) keeps PostgreSQL on the index even before ANALYZE
# has seen the table grow; a join against unnest() got a hash join over every item.
_KNOWN_CONTENT_SQL = {
    True: "SELECT source_id, content_fp, id FROM items"
    f" WHERE substr(content_fp, 1, {CONTENT_PREFIX}) IN (SELECT value FROM json_each(?))"
    " AND duplicate_of IS NULL ORDER BY id",
    False: "SELECT source_id, content_fp, id FROM items"
    f" WHERE substr(content_fp, 1, {CONTENT_PREFIX}) = ANY(%b::text[])"
    " AND duplicate_of IS NULL ORDER BY id",
}


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
    "published_date",
    "published_precision",
    "first_seen_at",
    "updated_at",
    "duplicate_of",
    "extra",
)
# Rows per SQLite INSERT statement: 14,000 bound parameters, under SQLite's limit.
INSERT_PAGE = 1000


def _insert(connection: Connection, pending: Pending) -> list[StoredItem]:
    """Insert with ON CONFLICT DO NOTHING; report only the rows this call inserted.

    Rows go in url_fp order so that concurrent PostgreSQL writers wait on each other's
    unique-index entries in the same order and cannot deadlock.
    """
    if not pending:
        return []
    rows = sorted(pending, key=lambda row: row[0].url_fp)
    by_fp = {record.url_fp: (record, dup) for record, dup in rows}
    if connection.dialect.name == "sqlite":
        returned = _insert_sqlite(connection, rows)
    else:
        returned = _insert_postgresql(connection, rows)
    stored: list[StoredItem] = []
    for item_id, url_fp in returned:
        record, duplicate_of = by_fp[url_fp]
        stored.append(StoredItem(item_id, record, duplicate_of))
    return stored


def _insert_sqlite(connection: Connection, rows: Pending) -> list[tuple[int, str]]:
    """Multi-row INSERT statements of up to INSERT_PAGE rows (each prepared once)."""
    now = _sqlite_datetime(utcnow())
    page = _page_size(connection)
    returned: list[tuple[int, str]] = []
    for start in range(0, len(rows), page):
        chunk = rows[start : start + page]
        params: list[Any] = []
        for record, duplicate_of in chunk:
            params += _sqlite_row(record, duplicate_of, now)
        sql = _insert_sql(len(chunk))
        returned.extend(_pairs(connection.exec_driver_sql(sql, tuple(params))))
    return returned


def _pairs(result: Any) -> list[tuple[int, str]]:
    return [(row[0], row[1]) for row in result.fetchall()]


def _identity_columns(record: ItemRecord) -> tuple[Any, ...]:
    """source_id, url, canonical_url, url_fp, content_fp, title, summary, body, language."""
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
    )


def _extra_json(record: ItemRecord) -> str:
    return json.dumps(record.extra) if record.extra else "{}"


def _sqlite_row(record: ItemRecord, duplicate_of: int | None, now: str) -> tuple[Any, ...]:
    published = record.published_at
    stamp = None if published is None else _sqlite_datetime(published)
    day = record.published_date.isoformat() if record.published_date else None
    return (
        *_identity_columns(record),
        stamp,
        day,
        record.published_precision,
        now,
        now,
        duplicate_of,
        _extra_json(record),
    )


def _sqlite_datetime(value: datetime) -> str:
    """UtcDateTime's SQLite storage format ("2025-03-01 12:30:00.000000", UTC), fast."""
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r} given to the store; attach a timezone")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _page_size(connection: Connection) -> int:
    driver: Any = connection.connection.driver_connection
    limit: int = driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return max(1, min(INSERT_PAGE, limit // len(INSERT_COLUMNS)))


@lru_cache(maxsize=64)
def _insert_sql(rows: int) -> str:
    """A multi-row INSERT ... ON CONFLICT (url_fp) DO NOTHING RETURNING id, url_fp."""
    one = "(" + ", ".join(["?"] * len(INSERT_COLUMNS)) + ", 0)"
    columns = ", ".join((*INSERT_COLUMNS, "revision"))
    return (
        f"INSERT INTO items ({columns}) VALUES "
        + ", ".join([one] * rows)
        + " ON CONFLICT (url_fp) DO NOTHING RETURNING id, url_fp"
    )


def _insert_postgresql(connection: Connection, rows: Pending) -> list[tuple[int, str]]:
    """COPY the rows straight into items; on a URL another writer stored meanwhile, redo
    the batch through the staging table with ON CONFLICT DO NOTHING.

    COPY is psycopg's cheapest way in (rows are formatted in C, no 14,000-parameter
    statement to parse and plan), but it has no ON CONFLICT and no RETURNING: ids are
    drawn from the sequence first, and a SAVEPOINT keeps the caller's transaction alive
    when the COPY meets a unique violation. The lookup before the insert makes that rare:
    only a concurrent writer storing the same URL in the last milliseconds causes it.
    Writing into items directly saves the staging table's write and read, about a quarter
    of the server's time per batch. Driver errors are raised as SQLAlchemy's.
    """
    driver: Any = connection.connection.driver_connection
    dbapi: Any = connection.dialect.loaded_dbapi
    try:
        with driver.cursor() as cursor:
            try:
                return _copy_into_items(connection, cursor, rows)
            except dbapi.errors.UniqueViolation:
                return _insert_through_staging(connection, cursor, rows)
    except dbapi.Error as exc:
        raise DBAPIError.instance(_PG_COPY_SQL, None, exc, dbapi.Error) from exc


def _copy_into_items(connection: Connection, cursor: Any, rows: Pending) -> list[tuple[int, str]]:
    """COPY with ids from the sequence, inside a savepoint (rolled back on any error)."""
    ids = _next_ids(connection, cursor, len(rows))
    now = utcnow()
    cursor.execute("SAVEPOINT presswatch_copy")
    try:
        with cursor.copy(_PG_COPY_ITEMS_SQL) as copy:
            copy.set_types(_PG_COPY_ITEMS_TYPES)
            for item_id, (record, duplicate_of) in zip(ids, rows, strict=True):
                copy.write_row((item_id, *_postgresql_row(record, duplicate_of, now)))
    except BaseException:
        cursor.execute("ROLLBACK TO SAVEPOINT presswatch_copy")
        raise
    cursor.execute("RELEASE SAVEPOINT presswatch_copy")
    return [(item_id, record.url_fp) for item_id, (record, _) in zip(ids, rows, strict=True)]


def _next_ids(connection: Connection, cursor: Any, count: int) -> list[int]:
    """`count` ids from items' sequence in one round trip (its name looked up once)."""
    info = connection.connection.info
    if _PG_SEQUENCE_INFO not in info:
        cursor.execute("SELECT pg_get_serial_sequence('items', 'id')")
        info[_PG_SEQUENCE_INFO] = cursor.fetchone()[0]
    cursor.execute(_PG_NEXT_IDS_SQL, (info[_PG_SEQUENCE_INFO], count))
    return [item_id for (item_id,) in cursor.fetchall()]


def _insert_through_staging(
    connection: Connection, cursor: Any, rows: Pending
) -> list[tuple[int, str]]:
    """COPY into a session-local staging table, then INSERT ... ON CONFLICT DO NOTHING."""
    cursor.execute(f"{_staging_sql(connection)}; {_PG_EMPTY_SQL}")  # one round trip
    with cursor.copy(_PG_COPY_SQL) as copy:
        for record, duplicate_of in rows:
            copy.write_row(_staged_row(record, duplicate_of))
    now = utcnow()
    cursor.execute(_PG_INSERT_SQL, (now, now))
    return [(item_id, url_fp) for item_id, url_fp in cursor.fetchall()]


def _postgresql_row(record: ItemRecord, duplicate_of: int | None, now: datetime) -> tuple[Any, ...]:
    """The row in _PG_COPY_ITEMS_SQL's column order, without the id."""
    published = (_aware(record.published_at), record.published_date, record.published_precision)
    return (*_identity_columns(record), *published, now, now, duplicate_of, _extra_json(record), 0)


def _staged_row(record: ItemRecord, duplicate_of: int | None) -> tuple[Any, ...]:
    published = (_aware(record.published_at), record.published_date, record.published_precision)
    return (*_identity_columns(record), *published, duplicate_of, _extra_json(record))


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r} given to the store; attach a timezone")
    return value


# The staging table lives for the session and is emptied at the end of each transaction
# and before each COPY (a second batch in one transaction). Emptying it up front costs
# nothing when it is already empty; deleting the rows as the INSERT reads them (a
# DELETE ... RETURNING CTE) cost about 10 % of the server's time per batch.
_PG_STAGED = (
    "source_id, url, canonical_url, url_fp, content_fp, title, summary, body, language,"
    " published_at, published_date, published_precision, duplicate_of, extra"
)
_PG_STAGING_INFO = "presswatch_items_in_sql"
_COMPRESSIONS = {"l": " COMPRESSION lz4", "p": " COMPRESSION pglz"}


def _staging_sql(connection: Connection) -> str:
    """CREATE TEMPORARY TABLE IF NOT EXISTS for the staging table, once per session.

    INSERT ... SELECT keeps a value compressed as it was in the staging table, so the
    text columns are compressed as items' own are (lz4 after migration 0002).
    """
    info = connection.connection.info
    if _PG_STAGING_INFO not in info:
        method = _item_compressions(connection)
        texts = {
            name: f"{name} text{method.get(name, '')}" for name in ("title", "summary", "body")
        }
        info[_PG_STAGING_INFO] = (
            "CREATE TEMPORARY TABLE IF NOT EXISTS presswatch_items_in (source_id text,"
            f" url text, canonical_url text, url_fp text, content_fp text, {texts['title']},"
            f" {texts['summary']}, {texts['body']}, language text,"
            " published_at timestamptz, published_date date, published_precision text,"
            " duplicate_of bigint, extra text) ON COMMIT DELETE ROWS"
        )
    return str(info[_PG_STAGING_INFO])


def _item_compressions(connection: Connection) -> dict[str, str]:
    """Column -> its COMPRESSION clause, for items' columns with an explicit method."""
    if (connection.dialect.server_version_info or (0,)) < (14,):
        return {}
    query = (
        "SELECT attname, attcompression FROM pg_attribute"
        " WHERE attrelid = 'items'::regclass AND attnum > 0 AND NOT attisdropped"
    )
    rows = connection.exec_driver_sql(query)
    return {name: _COMPRESSIONS[code] for name, code in rows if code in _COMPRESSIONS}


_PG_COPY_SQL = f"COPY presswatch_items_in ({_PG_STAGED}) FROM STDIN"
# Binary COPY: the server skips parsing 2-3 KB of text per row and the client formats
# rows in about a third less time. Binary needs each column's exact type, in this order;
# `extra` goes as text (json's binary form is its text; psycopg's json dumper would call
# json.dumps again for every row, even for the usual "{}").
_PG_COPY_ITEMS_SQL = (
    "COPY items (id, " + ", ".join((*INSERT_COLUMNS, "revision")) + ") FROM STDIN (FORMAT BINARY)"
)
_PG_COPY_ITEMS_TYPES = (
    *("int8", "varchar", "text", "text", "varchar", "varchar", "text", "text", "text"),
    *("varchar", "timestamptz", "date", "varchar", "timestamptz", "timestamptz", "int8"),
    *("text", "int4"),
)
_PG_SEQUENCE_INFO = "presswatch_items_sequence"
_PG_NEXT_IDS_SQL = "SELECT nextval(%s::regclass) FROM generate_series(1, %s)"
_PG_EMPTY_SQL = "DELETE FROM presswatch_items_in"
_PG_INSERT_SQL = (
    "INSERT INTO items (" + ", ".join((*INSERT_COLUMNS, "revision")) + ")"
    " SELECT source_id, url, canonical_url, url_fp, content_fp, title, summary, body,"
    " language, published_at, published_date, published_precision, %s, %s, duplicate_of,"
    " CAST(extra AS JSON), 0"
    " FROM presswatch_items_in ORDER BY url_fp"
    " ON CONFLICT (url_fp) DO NOTHING RETURNING id, url_fp"
)


def known_url_fingerprints(connection: Connection, urls: Sequence[str]) -> set[str]:
    """Which of these URLs are already stored (by canonical fingerprint), in bulk."""
    return known_fingerprints(connection, [url_fingerprint(url) for url in urls])


def known_fingerprints(connection: Connection, fps: Sequence[str]) -> set[str]:
    """Which of these identity fingerprints are stored items, in bulk."""
    return set(_existing(connection, fps))
