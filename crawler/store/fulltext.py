"""The full-text index of items (SQLite FTS5) and the index query a rule query implies.

The index holds each item's title and body *normalized exactly as the rule engine sees
them* (NFKC, case folding, ё→е, Arabic/Urdu letter variants, Latin diacritics), split into
trigrams. The engine finds a query's literals (words, Russian stems, CJK strings) as
substrings of that normalized text before it checks anything else, so "every literal a
rule cannot match without occurs in the normalized text" is a necessary condition that a
trigram index answers exactly: an index query derived from it never drops a true match.
The engine then confirms each candidate, so search results are what a rule would match.

SQLite cannot normalize in SQL, so every connection registers NORMALIZE_FUNCTION (see
crawler/store/engine.py) and the triggers of migration 0009 call it. A connection without
it (the sqlite3 shell) cannot write items: that is deliberate, an index that silently
missed rows would drop true matches.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, text

from alerts.rules.evaluate import ALL_FIELDS
from alerts.rules.normalize import get_normalizer
from alerts.rules.prefilter import Clause, ClauseBuilder, fields_of, key_of, literal_of
from alerts.rules.query import Node, Piece, Term

FTS_TABLE = "items_fts"
# PostgreSQL: the normalized text in a table of its own, trigram-indexed (pg_trgm GIN).
PG_TABLE = "item_search"
NORMALIZE_FUNCTION = "presswatch_search_text"
# The trigram tokenizer cannot look up strings shorter than a trigram.
MIN_LITERAL = 3


def is_index_table(name: str | None) -> bool:
    """Tables of the index (FTS5 keeps shadow tables `items_fts_*`), not in the metadata."""
    if name is None:
        return False
    return name in (FTS_TABLE, PG_TABLE) or name.startswith(FTS_TABLE + "_")


def search_text(value: str | None) -> str:
    """The indexed form of a field: the rule engine's normalized text."""
    if not value:
        return ""
    return get_normalizer(True).normalize(value).text


def register_functions(dbapi_connection: object) -> None:
    """Make NORMALIZE_FUNCTION available to SQL (and so to the index triggers)."""
    create = getattr(dbapi_connection, "create_function")  # noqa: B009 - untyped DBAPI
    create(NORMALIZE_FUNCTION, 1, search_text, deterministic=True)


@dataclass(frozen=True)
class IndexQuery:
    """An FTS5 MATCH expression, or None when the query implies no usable literal."""

    match: str | None
    reason: str = ""  # why there is no index query (shown to the user)


def index_query(root: Node, fields: Sequence[str] = ALL_FIELDS) -> IndexQuery:
    """The FTS5 query every document matching `root` satisfies (a superset filter)."""
    clauses, literals = _clauses(root, fields)
    parts = [part for clause in clauses if (part := _clause(clause, literals)) is not None]
    if parts:
        return IndexQuery(" AND ".join(parts))
    if clauses:
        return IndexQuery(None, f"every word is shorter than {MIN_LITERAL} characters")
    return IndexQuery(None, "the query has no word or phrase every match must contain")


def _clauses(root: Node, fields: Sequence[str]) -> tuple[list[Clause], list[str]]:
    """The engine's prefilter clauses of a query, and the literal of each literal id."""
    ids: dict[str, int] = {}
    literals: list[str] = []

    def key(term: Term, piece: Piece) -> int:
        if piece.literal not in ids:
            ids[piece.literal] = len(literals)
            literals.append(piece.literal)
        return key_of(ids[piece.literal], (term.field,) if term.field else tuple(fields))

    def weight(k: int) -> int:
        return len(literals[literal_of(k)])

    return ClauseBuilder(key, weight).clauses(root), literals


def _clause(clause: Clause, literals: list[str]) -> str | None:
    """`(a OR b)`; None when one alternative cannot be looked up (the clause is dropped)."""
    terms: list[str] = []
    for k in sorted(clause):
        literal = literals[literal_of(k)]
        if len(literal) < MIN_LITERAL:
            return None
        quoted = '"' + literal.replace('"', '""') + '"'
        columns = fields_of(k)
        terms.append(quoted if len(columns) == 2 else f"{columns[0]} : {quoted}")
    return terms[0] if len(terms) == 1 else "(" + " OR ".join(terms) + ")"


# --- PostgreSQL --------------------------------------------------------------------------

_UPSERT = text(
    f"INSERT INTO {PG_TABLE} (item_id, title, body) VALUES (:id, :title, :body) "
    "ON CONFLICT (item_id) DO UPDATE SET title = EXCLUDED.title, body = EXCLUDED.body"
)
_REREAD = text("SELECT id, title, body FROM items WHERE id = ANY(:ids)")


def index_items(
    connection: Connection, rows: Iterable[tuple[int, str, str]], changed: Sequence[int] = ()
) -> None:
    """Write the PostgreSQL index rows of new items (id, title, body) and of changed ids.

    PostgreSQL cannot run the engine's normalization in SQL, so the store's write path
    (insert_items) calls this in the same transaction; deletes cascade.
    """
    params = [{"id": i, "title": search_text(t), "body": search_text(b)} for i, t, b in rows]
    if changed:
        for item_id, title, body in connection.execute(_REREAD, {"ids": list(changed)}):
            params.append({"id": item_id, "title": search_text(title), "body": search_text(body)})
    if params:
        connection.execute(_UPSERT, params)


@dataclass(frozen=True)
class PgQuery:
    """The PostgreSQL form of an index query: SQL conditions on PG_TABLE with parameters."""

    where: str
    params: dict[str, str]
    # The conditions `where` ANDs, one per prefilter clause (the console's search plans
    # with them one by one: crawler/web/search.py).
    clauses: tuple[str, ...] = ()


def pg_query(root: Node, fields: Sequence[str] = ALL_FIELDS) -> PgQuery | None:
    """`LIKE '%literal%'` conditions (served by the trigram indexes), None when none apply."""
    clauses, literals = _clauses(root, fields)
    parts: list[str] = []
    params: dict[str, str] = {}
    for clause in clauses:
        if any(len(literals[literal_of(k)]) < MIN_LITERAL for k in clause):
            continue  # one alternative cannot be looked up: the clause is dropped
        alternatives: list[str] = []
        for k in sorted(clause):
            name = f"p{len(params)}"
            params[name] = "%" + _escape_like(literals[literal_of(k)]) + "%"
            alternatives += [f"{column} LIKE :{name}" for column in fields_of(k)]
        parts.append("(" + " OR ".join(alternatives) + ")")
    if not parts:
        return None
    return PgQuery(" AND ".join(parts), params, tuple(parts))


def _escape_like(literal: str) -> str:
    return literal.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
