"""Benchmark: archive search over 1,000,000 stored items (SQLite FTS5 trigram + rule engine).

Builds a store of synthetic press items (English and Russian text from a realistic
vocabulary; a few in a thousand carry policy phrases in inflected forms), then times the
console's search (index candidates confirmed by the rule engine, first page of 50) for
typical phrase queries, and the plain FTS5 query alone, and prints medians and their ratio.

    python bench/search.py                         # 1,000,000 items on SQLite
    python bench/search.py --items 100000 --db postgresql
    python bench/search.py --keep /tmp/search.db   # reuse a built SQLite store

On PostgreSQL the store has no full-text index yet, so search scans: the figures show it.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select, text

from alerts.rules import parse_query
from crawler.store.fulltext import FTS_TABLE, index_query
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


def build(store: Store, count: int) -> None:
    with store.connect() as connection:
        have = int(connection.execute(select(func.count()).select_from(items)).scalar_one())
    if have >= count:
        print(f"store has {have:,} items: reused")
        return
    rng = random.Random(SEED)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    began = time.perf_counter()
    for first in range(have, count, BATCH):
        rows = [make_row(rng, n, start) for n in range(first, min(first + BATCH, count))]
        with store.begin() as connection:
            connection.execute(insert(items), rows)
        if (first // BATCH) % 20 == 0:
            done = first + len(rows)
            rate = (done - have) / (time.perf_counter() - began)
            print(f"  {done:,} items ({rate:,.0f}/s)", flush=True)
    print(f"built {count - have:,} items in {time.perf_counter() - began:.0f} s")


def median_ms(action: Callable[[], object]) -> float:
    action()  # warm the cache
    times = []
    for _ in range(REPEATS):
        began = time.perf_counter()
        action()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def plain_fts(store: Store, query: str) -> Callable[[], object]:
    match = index_query(parse_query(query).root).match
    sql = text(
        f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :m ORDER BY rowid DESC LIMIT :n"
    )

    def run() -> object:
        with store.connect() as connection:
            return connection.execute(sql, {"m": match, "n": PAGE}).all()

    return run


def console_search(store: Store, query: str) -> Callable[[], object]:
    def run() -> object:
        with store.connect() as connection:
            return search(connection, query, limit=PAGE)

    return run


def report(store: Store) -> None:
    print(f"{'query':42} {'results':>7} {'search ms':>10} {'FTS ms':>8} {'ratio':>6}")
    medians = []
    for query in QUERIES:
        with store.connect() as connection:
            found = len(search(connection, query, limit=PAGE).results)
        ms = median_ms(console_search(store, query))
        medians.append(ms)
        if store.dialect == "sqlite":
            fts = median_ms(plain_fts(store, query))
            print(f"{query:42} {found:7} {ms:10.1f} {fts:8.2f} {ms / fts:6.1f}")
        else:
            print(f"{query:42} {found:7} {ms:10.1f} {'(no index: scan)':>15}")
    print(f"median over the queries: {statistics.median(medians):.1f} ms (target < 300 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--keep", type=Path, help="SQLite file to build in (and reuse)")
    parser.add_argument(
        "--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="presswatch-search-bench-") as tmp:
        if args.db == "sqlite":
            path = args.keep or Path(tmp) / "search.db"
            url = f"sqlite:///{path}"
        else:
            url = args.postgres_url
        store = Store.from_url(url)
        try:
            print(f"== {args.db}, {args.items:,} items")
            build(store, args.items)
            report(store)
        finally:
            store.close()


if __name__ == "__main__":
    main()
