"""Archive search: index candidates, confirmed by the rule engine, newest stored first.

The search language is the rule language. Candidates come from the full-text index when
the query implies literals it can look up (crawler/store/fulltext.py); otherwise every item
passing the filters is a candidate and the page says so. Either way each candidate is
matched by the same RuleEngine the crawl uses, so a result is exactly what a rule with this
query would match, with the same highlight spans.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, exists, func, inspect, literal, or_, select, text
from sqlalchemy.sql.elements import ColumnElement

from alerts.rules import MatchDocument, RuleEngine, RuleHit, RuleSpec, parse_query
from crawler.store.fulltext import (
    FTS_TABLE,
    PG_TABLE,
    IndexQuery,
    index_query,
    pg_query,
)
from crawler.store.schema import items, rule_matches
from crawler.store.types import UtcDateTime
from crawler.web.pg_candidates import PgCandidates

CHUNK = 400  # most candidates read and confirmed per round trip
# The first round reads about what the page needs (most candidates confirm), later rounds
# twice as many as the one before, up to CHUNK: a page costs few rows when candidates are
# good, and few round trips when they are not.
FIRST_CHUNK_FACTOR = 2


@dataclass(frozen=True)
class SearchFilters:
    """Conditions applied in SQL before the engine sees a candidate."""

    source: str | None = None
    rule: str | None = None  # only items this stored rule matched
    language: str | None = None  # `ru` also accepts `ru-RU`
    since: datetime | None = None  # on publication date, else first sighting
    until: datetime | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        when = func.coalesce(items.c.published_at, items.c.first_seen_at, type_=UtcDateTime())
        out: list[ColumnElement[bool]] = []
        if self.source:
            out.append(items.c.source_id == self.source)
        if self.language:
            lang = self.language.casefold()
            lower = func.lower(items.c.language)
            out.append(or_(lower == lang, lower.like(lang + "-%"), lower.like(lang + "_%")))
        if self.since is not None:
            out.append(when >= literal(self.since, UtcDateTime()))
        if self.until is not None:
            out.append(when < literal(self.until, UtcDateTime()))
        if self.rule:
            matched = and_(
                rule_matches.c.item_id == items.c.id, rule_matches.c.rule_id == self.rule
            )
            out.append(exists().where(matched))
        return out


@dataclass(frozen=True)
class Found:
    """A confirmed result: the item's fields and the engine's hit (spans, snippets)."""

    id: int
    source_id: str
    title: str
    url: str
    language: str | None
    published_at: datetime | None
    first_seen_at: datetime
    hit: RuleHit

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source_id": self.source_id,
            "title": self.title,
            "url": self.url,
            "language": self.language,
            "published_at": _iso(self.published_at),
            "first_seen_at": _iso(self.first_seen_at),
            "snippets": list(self.hit.snippets),
        }


@dataclass
class SearchPage:
    """One page of results; `next_before` continues after the last candidate examined."""

    query: str
    results: list[Found] = field(default_factory=list)
    index: IndexQuery = field(default_factory=lambda: IndexQuery(None))
    examined: int = 0
    next_before: int | None = None

    @property
    def used_index(self) -> bool:
        return self.index.match is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "results": [r.to_json() for r in self.results],
            "index_query": self.index.match,
            "scan_reason": self.index.reason or None,
            "examined": self.examined,
            "next_before": self.next_before,
        }


def search(
    connection: Connection,
    query: str,
    filters: SearchFilters | None = None,
    *,
    tags: Mapping[str, frozenset[str]] | None = None,
    limit: int = 50,
    before: int | None = None,
) -> SearchPage:
    """Up to `limit` items matching `query`, newest stored first (ids below `before`).

    Raises QuerySyntaxError (with the column) for a query that does not parse.
    """
    filters = filters or SearchFilters()
    root = parse_query(query).root
    engine = RuleEngine.from_rules([RuleSpec(id="search", query=query)])
    lookup = _lookup_for(connection, root)
    page = SearchPage(query, index=lookup.shown)
    cursor = before
    chunk = min(CHUNK, max(8, FIRST_CHUNK_FACTOR * limit))
    while len(page.results) < limit:
        rows = _candidates(connection, lookup, filters, cursor, chunk)
        chunk = min(CHUNK, 2 * chunk)
        if not rows:
            cursor = None
            break
        for row in rows:
            cursor = row.id
            if isinstance(row, _Placeholder):
                continue
            page.examined += 1
            hit = _confirm(engine, row, tags or {})
            if hit is not None:
                page.results.append(_found(row, hit))
                if len(page.results) == limit:
                    break
    page.next_before = cursor
    return page


def has_index(connection: Connection) -> bool:
    """Whether this database has the search index (migration 0009)."""
    table = FTS_TABLE if connection.dialect.name == "sqlite" else PG_TABLE
    return inspect(connection).has_table(table)


@dataclass(frozen=True)
class _Lookup:
    """How candidates are found: `ids(before)` from the index, or None for a scan."""

    shown: IndexQuery  # the index query as the page shows it, or why there is none
    ids: Callable[[int | None, int], list[int]] | None  # (before, how many)


def _lookup_for(connection: Connection, root: Any) -> _Lookup:
    if not has_index(connection):
        return _Lookup(IndexQuery(None, "this database has no search index"), None)
    shown = index_query(root)
    if shown.match is None:
        return _Lookup(shown, None)
    if connection.dialect.name == "sqlite":
        match = shown.match
        return _Lookup(shown, lambda before, n: _fts_ids(connection, match, before, n))
    where = pg_query(root)
    if where is None:  # the same clauses as the FTS form: cannot happen, scan if it does
        return _Lookup(IndexQuery(None, "no index query"), None)
    return _Lookup(shown, PgCandidates(connection, where).ids)


_COLUMNS = (
    items.c.id,
    items.c.source_id,
    items.c.title,
    items.c.body,
    items.c.url,
    items.c.language,
    items.c.published_at,
    items.c.first_seen_at,
)


def _candidates(
    connection: Connection,
    lookup: _Lookup,
    filters: SearchFilters,
    before: int | None,
    chunk: int,
) -> Sequence[Any]:
    conditions = filters.conditions()
    if lookup.ids is not None:
        ids = lookup.ids(before, chunk)
        if not ids:
            return []
        conditions.append(items.c.id.in_(ids))
        # Fewer rows may survive the filters: the next round starts below the last id.
        rows: list[Any] = list(connection.execute(select(*_COLUMNS).where(*conditions)))
        rows.sort(key=lambda r: r.id, reverse=True)
        return rows or [_Placeholder(min(ids))]
    if before is not None:
        conditions.append(items.c.id < before)
    query = select(*_COLUMNS).where(*conditions).order_by(items.c.id.desc()).limit(chunk)
    return list(connection.execute(query))


def _fts_ids(connection: Connection, match: str, before: int | None, chunk: int) -> list[int]:
    bound = "AND rowid < :before " if before is not None else ""
    sql = text(
        f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match {bound}"
        "ORDER BY rowid DESC LIMIT :chunk"
    )
    params: dict[str, Any] = {"match": match, "chunk": chunk}
    if before is not None:
        params["before"] = before
    return [row[0] for row in connection.execute(sql, params)]


@dataclass(frozen=True)
class _Placeholder:
    """A chunk of index candidates that the filters all rejected: only moves the cursor."""

    id: int


def _confirm(engine: RuleEngine, row: Any, tags: Mapping[str, frozenset[str]]) -> RuleHit | None:
    if isinstance(row, _Placeholder):
        return None
    doc = MatchDocument(
        title=row.title or "",
        body=row.body or "",
        source_id=row.source_id,
        language=row.language,
        tags=tags.get(row.source_id, frozenset()),
    )
    hits = engine.match(doc)
    return hits[0] if hits else None


def _found(row: Any, hit: RuleHit) -> Found:
    return Found(
        row.id,
        row.source_id,
        row.title,
        row.url,
        row.language,
        row.published_at,
        row.first_seen_at,
        hit,
    )


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()
