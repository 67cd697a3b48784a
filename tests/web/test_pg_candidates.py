"""PostgreSQL search candidates: both plans (windows by recency, rare clauses from the index)
give exactly the rows of the plain condition, and the search on top stays exact."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from sqlalchemy import select, text

from alerts.rules import MatchDocument, RuleSpec, parse_query, reference_match
from crawler.store.fulltext import PG_TABLE, pg_query
from crawler.store.items import ItemRecord, insert_items
from crawler.store.schema import items
from crawler.store.store import Store
from crawler.web import pg_candidates
from crawler.web import search as search_module
from crawler.web.pg_candidates import PgCandidates
from crawler.web.search import search
from tests.store.helpers import query_plan

COMMON = ["stable", "trade", "talks", "summit", "стабильно", "встреча"]
RARE = ["strategic stability", "arms control", "стратегической стабильности"]
# query -> the plan it must take with the small windows below ("window" or "index")
QUERIES = {
    "stable": "window",
    "stable AND trade": "window",
    '"strategic stability"': "index",
    "strategic AND stable": "index",  # rare clause from the index, frequent one tested after
    '"arms control" OR "стратегическая стабильность"': "index",
    '"стратегическая стабильность" AND стабильно': "index",
    "zzzqx": "index",
}


# PostgreSQL only (required in CI, as everywhere: see tests/conftest.py).
pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@pytest.fixture
def pg_store(database_url: str) -> Iterator[Store]:
    store = Store.from_url(database_url)
    rng = random.Random(19)
    records = []
    for n in range(600):
        words = [rng.choice(COMMON) for _ in range(rng.randint(3, 8))]
        if rng.random() < 0.04:
            words.insert(rng.randrange(len(words)), rng.choice(RARE))
        records.append(
            ItemRecord(
                source_id="s", url=f"https://e.example/{n}", title=f"n{n}", body=" ".join(words)
            )
        )
    with store.begin() as connection:
        insert_items(connection, records)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def small_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows and batches a few rows long, so 600 items need many of each."""
    monkeypatch.setattr(pg_candidates, "WINDOW", 40)
    monkeypatch.setattr(pg_candidates, "MAX_WINDOW", 90)
    monkeypatch.setattr(pg_candidates, "BATCH", 7)
    monkeypatch.setattr(search_module, "CHUNK", 12)


def _plain(store: Store, query: str, before: int | None) -> list[int]:
    where = pg_query(parse_query(query).root)
    assert where is not None
    bound = " AND item_id < :before" if before is not None else ""
    sql = f"SELECT item_id FROM {PG_TABLE} WHERE {where.where}{bound} ORDER BY item_id DESC"
    with store.connect() as connection:
        return [r[0] for r in connection.execute(text(sql), {**where.params, "before": before})]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.usefixtures("small_windows")
def test_candidates_are_exactly_the_plain_condition(pg_store: Store, query: str) -> None:
    where = pg_query(parse_query(query).root)
    assert where is not None
    with pg_store.connect() as connection:
        middle = connection.execute(text(f"SELECT max(item_id) - 250 FROM {PG_TABLE}")).scalar()
    for start in (None, middle):
        with pg_store.connect() as connection:
            candidates = PgCandidates(connection, where)
            got: list[int] = []
            cursor = start
            while chunk := candidates.ids(cursor, 6):
                assert len(chunk) <= 6 and chunk == sorted(chunk, reverse=True)
                got += chunk
                cursor = chunk[-1]
            plan = "window" if candidates.index_sql is None else "index"
        assert got == _plain(pg_store, query, start)
        assert plan == QUERIES[query]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.usefixtures("small_windows")
def test_search_pages_are_exactly_what_a_rule_matches(pg_store: Store, query: str) -> None:
    spec = RuleSpec(id="q", query=query)
    with pg_store.connect() as connection:
        rows = connection.execute(select(items).order_by(items.c.id.desc())).all()
        expected = [
            r.id
            for r in rows
            if reference_match(spec, MatchDocument(r.title, r.body, r.source_id, r.language))
        ]
        got: list[int] = []
        before = None
        while True:
            page = search(connection, query, limit=4, before=before)
            got += [r.id for r in page.results]
            if page.next_before is None or len(page.results) < 4:
                break
            before = page.next_before
    assert got == expected


def test_the_index_plan_uses_the_trigram_index_of_the_rare_clause(pg_store: Store) -> None:
    where = pg_query(parse_query("strategic AND stable").root)
    assert where is not None
    with pg_store.connect() as connection:
        candidates = PgCandidates(connection, where)
        sql = candidates._index_sql([0.0, 0.9])  # the first clause rare, the second frequent
    compiled = str(sql)
    for name, value in where.params.items():
        compiled = compiled.replace(f":{name}", f"'{value}'")
    compiled = compiled.replace(":frontier", "1000000").replace(":batch", "7")
    plan = query_plan(pg_store, compiled.replace("%", "%%"))
    assert "ix_item_search_body" in plan and "Bitmap" in plan
    assert compiled.index("strateg") < compiled.index(") SELECT") < compiled.index("stable")
