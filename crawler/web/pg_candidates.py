"""PostgreSQL search candidates, newest first, planned from the newest rows themselves.

The trigram GIN indexes of `item_search` answer `LIKE '%literal%'`, but PostgreSQL's planner
cannot tell how common a literal is. With `ORDER BY item_id DESC LIMIT n` it often walks the
primary key backwards testing every row (seconds at 1,000,000 items when the match is rare),
and when it does use the indexes it builds the bitmap of every clause, a frequent literal's
too (`стабильн` is in every `стабильно`). So the search plans itself:

1. A *window* of the newest rows below the cursor is read by primary key (the conditions are
   in the select list, so no index can be chosen) and each clause is evaluated per row.
   The rows that satisfy every clause are the first candidates.
2. Where candidates are dense (at least DENSE of the window), the next windows continue the
   same way, each sized to yield about one chunk: a page reads few rows.
3. Otherwise the rest comes from the indexes, newest first, BATCH ids at a time: only the
   clauses that were rare in the window form the index condition (a materialized CTE keeps
   the planner from adding the others), and the frequent ones are tested on the rows found.

Each step keeps every row that satisfies every clause, so the candidates are exactly those
of the plain `WHERE` (tests/web/test_search.py compares them); the rule engine confirms
each one as before.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

from crawler.store.fulltext import PG_TABLE, PgQuery

WINDOW = 1_000  # rows of the first window
MAX_WINDOW = 50_000
DENSE = 0.025  # share of a window's rows matching: keep reading windows
RARE = 0.02  # share of a window's rows a clause may match and still be an index condition
BATCH = 5_000  # ids read from the index at a time


class PgCandidates:
    """Candidate ids below a cursor, newest first, as many at a time as asked."""

    def __init__(self, connection: Connection, query: PgQuery) -> None:
        self.connection = connection
        self.query = query
        self.clauses = query.clauses or (query.where,)
        self.chunk = WINDOW // 2  # the last number asked for (sizes the next windows)
        self.found: list[int] = []  # candidates classified but not yet handed out
        self.frontier: int | None = None  # every row at or above it has been classified
        self.started = False
        self.done = False
        self.window = WINDOW
        self.index_sql: Any = None  # set when reading from the indexes

    def ids(self, before: int | None, chunk: int) -> list[int]:
        """Up to `chunk` candidate ids below `before` (None: the newest), newest first."""
        self.chunk = chunk
        if not self.started:
            self.started, self.frontier = True, before
        if before is not None:
            self.found = [i for i in self.found if i < before]
        while len(self.found) < self.chunk and not self.done:
            if self.index_sql is None:
                self._read_window()
            else:
                self._read_index()
        out, self.found = self.found[: self.chunk], self.found[self.chunk :]
        return out

    def _read_window(self) -> None:
        columns = ", ".join(f"({clause}) AS h{n}" for n, clause in enumerate(self.clauses))
        bound = "WHERE item_id < :frontier " if self.frontier is not None else ""
        sql = text(
            f"SELECT item_id, {columns} FROM {PG_TABLE} {bound}ORDER BY item_id DESC LIMIT :window"
        )
        params = {**self.query.params, "window": self.window, "frontier": self.frontier}
        rows = self.connection.execute(sql, params).all()
        if not rows:
            self.done = True
            return
        self.frontier = rows[-1][0]
        self.found += [row[0] for row in rows if all(row[1:])]
        if len(rows) < self.window:
            self.done = True  # the window reached the oldest row
            return
        density = sum(1 for row in rows if all(row[1:])) / len(rows)
        if density >= DENSE:
            wanted = int(self.chunk / density * 1.2)
            self.window = max(WINDOW, min(MAX_WINDOW, wanted))
            return
        share = [sum(1 for row in rows if row[n + 1]) / len(rows) for n in range(len(self.clauses))]
        self.index_sql = self._index_sql(share)

    def _index_sql(self, share: list[float]) -> Any:
        """Rare clauses as the index condition, the frequent ones tested on what it finds."""
        rare = [c for c, s in zip(self.clauses, share, strict=True) if s <= RARE]
        frequent = [c for c, s in zip(self.clauses, share, strict=True) if s > RARE]
        if not rare:  # every clause is common, only together rare: let the indexes AND them
            rare, frequent = list(self.clauses), []
        # `+ 0`: the cursor must not tempt the planner into a primary-key range scan.
        inner = " AND ".join([*rare, "item_id + 0 < :frontier"])
        outer = ("WHERE " + " AND ".join(frequent) + " ") if frequent else ""
        return text(
            f"WITH found AS MATERIALIZED (SELECT item_id, title, body FROM {PG_TABLE} "
            f"WHERE {inner}) "
            f"SELECT item_id FROM found {outer}ORDER BY item_id DESC LIMIT :batch"
        )

    def _read_index(self) -> None:
        params = {**self.query.params, "frontier": self.frontier, "batch": BATCH}
        ids = [row[0] for row in self.connection.execute(self.index_sql, params)]
        self.found += ids
        if len(ids) < BATCH:
            self.done = True
        else:
            self.frontier = ids[-1]
