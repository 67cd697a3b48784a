"""Benchmark: archive search over 1,000,000 stored items (full-text index + rule engine).

Builds a store of synthetic press items (English and Russian text from a realistic
vocabulary; a few in a thousand carry policy phrases in inflected forms), then times the
console's search (index candidates confirmed by the rule engine, first page of 50) for
typical phrase queries, and the plain FTS5 query alone, and prints medians and their ratio.

    python -m bench.search                         # 1,000,000 items on SQLite
    python -m bench.search --keep /tmp/search.db   # reuse a built SQLite store
    python -m bench.search --db postgresql         # built once (COPY) into a kept schema

"index ms" is the plain index query alone for a first page of candidate ids: FTS5 MATCH
on SQLite; on PostgreSQL the same LIKE conditions in one `ORDER BY item_id DESC LIMIT 50`
query, planned by PostgreSQL. "ratio" is search time over it (below 1: the console's own
candidate plan beat the plain query).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, func, insert, select, text

from alerts.rules import parse_query
from crawler.store.fulltext import FTS_TABLE, PG_TABLE, index_query, pg_query, search_text
from crawler.store.schema import items
from crawler.store.store import Store
from crawler.web.search import search

SEED, BATCH, REPEATS, PAGE = 20261204, 5_000, 7, 50
WORDS = {
    "en": "the of and to in a is that for on with as by was said government minister today will "
    "security region talks state meeting foreign policy official week president country "
    "cooperation trade agreement visit delegation economic development bilateral relations "
    "stable instability summit partners investment energy climate council press release",
    "ru": "и в не на что с по заявил министр сегодня будет безопасности региона переговоры "
    "государства встречи внешней политики неделе официальный президент страны сотрудничество "
    "торговли соглашение визит делегации экономического развития двусторонних отношений "
    "стабильно саммит партнёров инвестиций энергетики климата совета брифинг",
}
PHRASES = {
    "en": ["strategic stability", "arms control", "nuclear test", "Pakistan", "CPEC"],
    "ru": [
        "стратегической стабильности",
        "стратегическая стабильность",
        "контроля над вооружениями",
        "ядерного испытания",
        "Пакистаном",
    ],
}
QUERIES = [
    '"стратегическая стабильность"',
    '"strategic stability"',
    '"arms control" AND Pakistan',
    '"контроль над вооружениями"',
    '"nuclear test" OR "ядерное испытание"',
    "CPEC OR Пакистан",
]
PLANT = 0.004  # share of items carrying one of the phrases


def make_row(rng: random.Random, n: int, start: datetime) -> dict[str, Any]:
    lang = "ru" if rng.random() < 0.4 else "en"
    vocab = WORDS[lang].split()
    words = [rng.choice(vocab) for _ in range(rng.randint(40, 70))]
    if rng.random() < PLANT:
        words.insert(rng.randrange(len(words)), rng.choice(PHRASES[lang]))
    body = " ".join(words).capitalize() + "."
    title = " ".join(words[:8]).capitalize()
    url = f"https://bench.example/{lang}/{n}"
    when = start + timedelta(seconds=30 * n)
    fp = hashlib.sha1(url.encode()).hexdigest()
    return {
        "source_id": f"source-{n % 40}",
        "url": url,
        "canonical_url": url,
        "url_fp": fp,
        "content_fp": hashlib.sha1(body.encode()).hexdigest(),
        "title": title,
        "summary": "",
        "body": body,
        "language": lang,
        "published_at": when,
        "first_seen_at": when,
        "updated_at": when,
        "revision": 0,
        "extra": {},
    }


def build(store: Store, count: int) -> float | None:
    """Add items until the store holds `count`; the seconds it took, None when reused."""
    with store.connect() as connection:
        have = int(connection.execute(select(func.count()).select_from(items)).scalar_one())
    if have >= count:
        print(f"store has {have:,} items: reused")
        return None
    began = time.perf_counter()
    if store.dialect == "postgresql":
        _build_postgresql(store, have, count)
    else:
        _build_sqlite(store, have, count)
    took = time.perf_counter() - began
    print(f"built {count - have:,} items in {took:.0f} s")
    return took


def _rows(have: int, count: int) -> Iterator[list[dict[str, Any]]]:
    """Batches of synthetic rows; the same items whatever was built before (seeded by n)."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    began = time.perf_counter()
    for first in range(have, count, BATCH):
        rng = random.Random(SEED + first)
        yield [make_row(rng, n, start) for n in range(first, min(first + BATCH, count))]
        if (first // BATCH) % 20 == 0:
            done = min(first + BATCH, count)
            rate = (done - have) / (time.perf_counter() - began)
            print(f"  {done:,} items ({rate:,.0f}/s)", flush=True)


def _build_sqlite(store: Store, have: int, count: int) -> None:
    for rows in _rows(have, count):
        with store.begin() as connection:
            connection.execute(insert(items), rows)  # the triggers index them


_ITEM_COLUMNS = (
    "id, source_id, url, canonical_url, url_fp, content_fp, title, summary, body, language, "
    "published_at, first_seen_at, updated_at, revision, extra"
)


def _build_postgresql(store: Store, have: int, count: int) -> None:
    """COPY the items and their index rows, with the search GIN indexes built afterwards.

    The store's own write path (insert_items) writes both in one transaction per batch;
    COPY with the trigram indexes dropped and rebuilt once is the same data in minutes.
    """
    with store.begin() as connection:
        indexes = _drop_search_indexes(connection)
        raw = connection.connection.dbapi_connection
        assert raw is not None
        cursor = raw.cursor()
        next_id = have + 1
        for rows in _rows(have, count):
            with cursor.copy(f"COPY items ({_ITEM_COLUMNS}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for offset, row in enumerate(rows):
                    copy.write_row((next_id + offset, *_item_values(row)))
            with cursor.copy(f"COPY {PG_TABLE} (item_id, title, body) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for offset, row in enumerate(rows):
                    copy.write_row(
                        (next_id + offset, search_text(row["title"]), search_text(row["body"]))
                    )
            next_id += len(rows)
        print("  building the trigram indexes", flush=True)
        connection.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
        for statement in indexes:
            connection.execute(text(statement))
        last = "(SELECT max(id) FROM items)"
        connection.execute(text(f"SELECT setval(pg_get_serial_sequence('items', 'id'), {last})"))
    with store.begin() as connection:
        connection.execute(text("ANALYZE items"))
        connection.execute(text(f"ANALYZE {PG_TABLE}"))


def _item_values(row: dict[str, Any]) -> tuple[Any, ...]:
    names = [name.strip() for name in _ITEM_COLUMNS.split(",")][1:]
    return tuple(json.dumps(row[name]) if name == "extra" else row[name] for name in names)


def _drop_search_indexes(connection: Connection) -> list[str]:
    """Drop the GIN indexes of the search table; the statements that recreate them."""
    found = connection.execute(
        text(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename = :table AND schemaname = current_schema() "
            "AND indexdef ILIKE '%USING gin%'"
        ),
        {"table": PG_TABLE},
    ).all()
    for name, _ in found:
        connection.execute(text(f'DROP INDEX "{name}"'))
    return [definition for _, definition in found]


def median_ms(action: Callable[[], object]) -> float:
    action()  # warm the cache
    times = []
    for _ in range(REPEATS):
        began = time.perf_counter()
        action()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def plain_index(store: Store, query: str) -> Callable[[], object]:
    """The index lookup alone: FTS5 MATCH on SQLite, the trigram LIKEs on PostgreSQL."""
    root = parse_query(query).root
    if store.dialect == "sqlite":
        sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :m ORDER BY rowid DESC"
        params: dict[str, Any] = {"m": index_query(root).match}
    else:
        where = pg_query(root)
        assert where is not None
        sql = f"SELECT item_id FROM {PG_TABLE} WHERE {where.where} ORDER BY item_id DESC"
        params = dict(where.params)
    statement = text(sql + " LIMIT :n")
    params["n"] = PAGE

    def run() -> object:
        with store.connect() as connection:
            return connection.execute(statement, params).all()

    return run


def console_search(store: Store, query: str) -> Callable[[], object]:
    def run() -> object:
        with store.connect() as connection:
            return search(connection, query, limit=PAGE)

    return run


def report(store: Store) -> None:
    print(f"{'query':42} {'results':>7} {'search ms':>10} {'index ms':>9} {'ratio':>6}")
    medians, ratios = [], []
    for query in QUERIES:
        with store.connect() as connection:
            found = len(search(connection, query, limit=PAGE).results)
        ms = median_ms(console_search(store, query))
        alone = median_ms(plain_index(store, query))
        medians.append(ms)
        ratios.append(ms / alone)
        print(f"{query:42} {found:7} {ms:10.1f} {alone:9.2f} {ms / alone:6.1f}")
    print(
        f"median search {statistics.median(medians):.1f} ms (target < 300 ms); "
        f"median ratio to the index lookup alone {statistics.median(ratios):.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--keep", type=Path, help="SQLite file to build in (and reuse)")
    parser.add_argument(
        "--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    parser.add_argument(
        "--schema",
        default="presswatch_bench_search",
        help="PostgreSQL schema to build in and reuse (created if missing)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="presswatch-search-bench-") as tmp:
        if args.db == "sqlite":
            path = args.keep or Path(tmp) / "search.db"
            url = f"sqlite:///{path}"
        else:
            url = _schema_url(args.postgres_url, args.schema)
        store = Store.from_url(url)
        try:
            print(f"== {args.db}, {args.items:,} items")
            took = build(store, args.items)
            if took is not None:
                print(f"build time {took:.0f} s ({args.items / took:,.0f} items/s)")
            report(store)
        finally:
            store.close()


def _schema_url(url: str, schema: str) -> str:
    """`url` with search_path set to `schema`, which is created when missing."""
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    admin.dispose()
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options=-csearch_path%3D{schema}"


if __name__ == "__main__":
    main()
