"""Benchmark the store's batch insert against a per-row ORM baseline on SQLite and PostgreSQL."""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import random
import statistics
import string
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.orm import Session, registry

from crawler.store.gc import collect_garbage
from crawler.store.items import (
    ItemRecord,
    Pending,
    _insert_postgresql,
    _insert_sqlite,
    prepare_records,
)
from crawler.store.schema import items
from crawler.store.store import Store
from crawler.store.types import utcnow
from crawler.store.urls import canonicalize_url, content_fingerprint, url_fingerprint
from crawler.store.writer import BatchWriter, write_batch

PG_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=test"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
APP_NAME = f"pwbench-{os.getpid()}"
WORDS = [
    "".join(random.Random(i).choices(string.ascii_lowercase, k=random.Random(-i).randint(2, 11)))
    for i in range(2000)
]
SOURCES = [f"ministry-{n}" for n in range(20)]
TRACKING = ["utm_source=rss&utm_medium=feed", "fbclid=IwAR0abc", "gclid=Cj0KCQ", "ref=home"]


class OrmItem:
    """The baseline: a plain ORM class mapped onto the items table."""


registry().map_imperatively(OrmItem, items)


def make_records(count: int, seed: int) -> list[ItemRecord]:
    """Realistic items: ~1-3 KB bodies, titles, and URLs with some tracking parameters."""
    rng = random.Random(seed)
    published = datetime(2025, 1, 1, tzinfo=UTC)
    records = []
    for n in range(count):
        source = rng.choice(SOURCES)
        words = rng.choices(WORDS, k=rng.randint(150, 450))
        url = f"https://www.{source}.gov.example/news/2025/{n % 12 + 1:02d}/statement-{n}-{seed}"
        if rng.random() < 0.3:
            url += "?" + rng.choice(TRACKING)
        records.append(
            ItemRecord(
                source_id=source,
                url=url,
                title=" ".join(rng.choices(WORDS, k=10)).capitalize(),
                body=" ".join(words),
                summary=" ".join(words[:30]),
                language="en",
                published_at=published + timedelta(minutes=n),
            )
        )
    return records


def fresh_copies(records: list[ItemRecord]) -> list[ItemRecord]:
    """The same items as a new crawl would hand them over (nothing cached)."""
    return [
        ItemRecord(r.source_id, r.url, r.title, r.body, r.summary, r.language, r.published_at)
        for r in records
    ]


@contextmanager
def database(dialect: str) -> Iterator[str]:
    """A fresh database URL: a temp SQLite file, or a new PostgreSQL schema dropped after."""
    if dialect == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite:///{Path(directory) / 'bench.db'}"
        return
    schema = f"pwbench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_DSN, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG_URL}?application_name={APP_NAME}&options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_DSN, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@dataclass
class Timing:
    """Wall seconds, this process's CPU seconds, the PostgreSQL backends' CPU seconds, and
    the wall seconds of computing fingerprints (before each transaction)."""

    wall: float
    cpu: float
    server: float
    fingerprints: float = 0.0


def batch_insert(store: Store, records: list[ItemRecord], batch: int) -> tuple[Timing, int, int]:
    """Time to insert everything as the crawl pipeline does, items new, items unchanged.

    Each batch is fingerprinted in this thread (prepare_records) and written by a
    BatchWriter thread, which stores one batch while the next is fingerprinted.
    """
    fingerprints = 0.0
    futures = []
    server = server_cpu(store)
    cpu, started = time.process_time(), time.perf_counter()
    with BatchWriter(depth=2) as writer:
        for start in range(0, len(records), batch):
            writer.wait_for_room()
            began = time.perf_counter()
            prepared = prepare_records(records[start : start + batch])
            fingerprints += time.perf_counter() - began
            futures.append(writer.submit(write_batch, store, prepared))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    outcomes = [future.result() for future in futures]
    new = sum(len(outcome.new) for outcome in outcomes)
    unchanged = sum(outcome.unchanged for outcome in outcomes)
    return Timing(wall, cpu, server_cpu(store) - server, fingerprints), new, unchanged


def one_thread_insert(store: Store, records: list[ItemRecord], batch: int) -> float:
    """Items/s fingerprinting and writing each batch in turn in this thread (no writer)."""
    started = time.perf_counter()
    for start in range(0, len(records), batch):
        write_batch(store, prepare_records(records[start : start + batch]))
    return len(records) / (time.perf_counter() - started)


def write_only_insert(store: Store, records: list[ItemRecord], batch: int) -> float:
    """Items/s of the transactions alone: every record fingerprinted before timing."""
    prepared = prepare_records(records)
    started = time.perf_counter()
    for start in range(0, len(prepared), batch):
        write_batch(store, prepared[start : start + batch])
    return len(records) / (time.perf_counter() - started)


def server_cpu(store: Store) -> float:
    """CPU seconds used so far by this store's PostgreSQL backends (local server only)."""
    if store.dialect != "postgresql":
        return 0.0
    with store.connect() as connection:
        pids = connection.exec_driver_sql(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s", (APP_NAME,)
        ).scalars()
        return sum(_process_cpu(pid) for pid in pids)


def _process_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def orm_insert(store: Store, records: list[ItemRecord]) -> float:
    """Seconds for the per-row ORM baseline: session.add() + flush() per item."""
    started = time.perf_counter()
    with Session(store.engine) as session, session.begin():
        for record in records:
            now = datetime.now(UTC)
            session.add(orm_row(record, now))
            session.flush()
    return time.perf_counter() - started


def orm_row(record: ItemRecord, now: datetime) -> OrmItem:
    row = OrmItem()
    canonical = canonicalize_url(record.url)
    values: dict[str, object] = {
        "source_id": record.source_id,
        "url": record.url,
        "canonical_url": canonical,
        "url_fp": url_fingerprint(canonical),
        "content_fp": content_fingerprint(record.title, record.body),
        "title": record.title,
        "summary": record.summary,
        "body": record.body,
        "language": record.language,
        "published_at": record.published_at,
        "first_seen_at": now,
        "updated_at": now,
        "revision": 0,
        "extra": {},
    }
    for key, value in values.items():
        setattr(row, key, value)
    return row


@dataclass
class Figures:
    """Items per second for one database, one value per repeat."""

    batch: list[float]
    one_thread: list[float]
    write_only: list[float]
    reinsert: list[float]
    orm: list[float]
    timings: list[tuple[Timing, Timing]]
    two_writers: list[float]
    floor: list[float]
    retention: list[float]


def run_once(dialect: str, count: int, batch: int, sample: int, seed: int) -> Figures:
    records = make_records(count, seed)
    orm_records = make_records(sample, seed + 1000)
    two_writer_records = make_records(count, seed + 2000)
    floor_records = make_records(count, seed + 3000)
    one_thread_records = make_records(count, seed + 4000)
    write_only_records = make_records(count, seed + 5000)
    # The corpora are 300k long-lived objects; without this the collector walks them again
    # and again during the timed loops (and in the forked writers), which no crawl (25
    # items per batch) ever does.
    gc.collect()
    gc.freeze()
    with database(dialect) as url:
        store = Store.from_url(url)
        try:
            first, new, _ = batch_insert(store, records, batch)
            assert new == count, f"{new} new of {count}"
            again, new_again, unchanged = batch_insert(store, fresh_copies(records), batch)
            assert new_again == 0 and unchanged == count, (new_again, unchanged)
            orm_seconds = orm_insert(store, orm_records)
            retention = retention_seconds(store, count + sample)
        finally:
            store.close()
    one_thread = in_fresh_database(dialect, one_thread_insert, one_thread_records, batch)
    write_only = in_fresh_database(dialect, write_only_insert, write_only_records, batch)
    two = two_writers(dialect, two_writer_records, batch)
    floor = driver_floor(dialect, floor_records, batch)
    gc.unfreeze()
    figures = [count / first.wall], [one_thread], [write_only], [count / again.wall]
    orm = [sample / orm_seconds]
    return Figures(*figures, orm, [(first, again)], [two], [floor], [retention])


def in_fresh_database(
    dialect: str,
    insert: Callable[[Store, list[ItemRecord], int], float],
    records: list[ItemRecord],
    batch: int,
) -> float:
    with database(dialect) as url:
        store = Store.from_url(url)
        try:
            return insert(store, records, batch)
        finally:
            store.close()


def retention_seconds(store: Store, expected: int) -> float:
    """Seconds `db gc` takes to delete every stored item (all older than the cutoff)."""
    started = time.perf_counter()
    with store.begin() as connection:
        result = collect_garbage(connection, timedelta(0), now=utcnow() + timedelta(days=1))
    elapsed = time.perf_counter() - started
    assert result.items_deleted == expected, (result.items_deleted, expected)
    return elapsed


def two_writers(dialect: str, records: list[ItemRecord], batch: int) -> float:
    """Items/s with two processes storing disjoint halves at once, as two crawls do."""
    context = multiprocessing.get_context("fork")
    with database(dialect) as url:
        Store.from_url(url).close()  # migrate once, before the writers start
        ready = context.Barrier(3)
        writers = [
            context.Process(target=_writer, args=(url, records[part::2], batch, ready))
            for part in (0, 1)
        ]
        for writer in writers:
            writer.start()
        ready.wait()
        started = time.perf_counter()
        for writer in writers:
            writer.join()
        elapsed = time.perf_counter() - started
    failed = [writer.exitcode for writer in writers if writer.exitcode != 0]
    assert not failed, f"writer exit codes {failed}"
    return len(records) / elapsed


def _writer(url: str, records: list[ItemRecord], batch: int, ready: Any) -> None:
    store = Store.from_url(url, migrate_schema=False)
    ready.wait()
    try:
        _, new, _ = batch_insert(store, records, batch)
        assert new == len(records), f"{new} new of {len(records)}"
    finally:
        store.close()


def driver_floor(dialect: str, records: list[ItemRecord], batch: int) -> float:
    """Items/s for the database alone: the batch insert's own INSERT (SQLite) or COPY and
    INSERT (PostgreSQL) statements, with fingerprints and lookups done before timing.
    What the whole batch insert could reach if its Python work cost nothing."""
    prepared = prepare_records(records)
    rows: Pending = [(record, None) for record in prepared]
    chunks = [
        sorted(rows[i : i + batch], key=lambda row: row[0].url_fp)
        for i in range(0, len(rows), batch)
    ]
    insert = _insert_sqlite if dialect == "sqlite" else _insert_postgresql
    with database(dialect) as url:
        store = Store.from_url(url)
        try:
            started = time.perf_counter()
            for chunk in chunks:
                with store.begin() as connection:
                    insert(connection, chunk)
            elapsed = time.perf_counter() - started
        finally:
            store.close()
    return len(records) / elapsed


def measure(dialect: str, args: argparse.Namespace) -> Figures:
    total = Figures([], [], [], [], [], [], [], [], [])
    for repeat in range(args.repeat):
        figures = run_once(dialect, args.items, args.batch, args.orm_sample, seed=repeat)
        total.batch += figures.batch
        total.one_thread += figures.one_thread
        total.write_only += figures.write_only
        total.reinsert += figures.reinsert
        total.orm += figures.orm
        total.timings += figures.timings
        total.two_writers += figures.two_writers
        total.floor += figures.floor
        total.retention += figures.retention
        print_run(dialect, repeat, figures, args.items)
    return total


def print_run(dialect: str, repeat: int, figures: Figures, count: int) -> None:
    """One run's seconds (wall, client CPU, server CPU of the PostgreSQL backends)."""
    parts = [
        f"{label} wall {t.wall:6.2f}s cpu {t.cpu:6.2f}s server {t.server:6.2f}s "
        f"({count / t.cpu:,.0f}/client-cpu-s)"
        for label, t in zip(("insert", "re-insert"), figures.timings[0], strict=True)
    ]
    parts.append(
        f"one thread {figures.one_thread[0]:,.0f}/s, write only {figures.write_only[0]:,.0f}/s,"
        f" 2 writers {figures.two_writers[0]:,.0f}/s, floor {figures.floor[0]:,.0f}/s"
    )
    parts.append(f"db gc {figures.retention[0]:.2f}s")
    print(f"{dialect:<11} run {repeat + 1}: " + " | ".join(parts), flush=True)


def print_table(results: dict[str, Figures], args: argparse.Namespace) -> None:
    median: Callable[[list[float]], float] = statistics.median
    print(
        f"\n{args.items:,} items, batches of {args.batch:,}, ORM sample {args.orm_sample:,}, "
        f"median of {args.repeat} run(s), items/s"
    )
    header = (
        f"{'database':<12}{'batch insert':>14}{'one thread':>12}{'write only':>12}"
        f"{'re-insert':>11}{'ORM per-row':>13}{'speed-up':>10}{'2 writers':>11}{'db floor':>10}"
    )
    print(header)
    print("-" * len(header))
    for dialect, figures in results.items():
        batch, one = median(figures.batch), median(figures.one_thread)
        write, reinsert = median(figures.write_only), median(figures.reinsert)
        orm, two, floor = median(figures.orm), median(figures.two_writers), median(figures.floor)
        print(
            f"{dialect:<12}{batch:>14,.0f}{one:>12,.0f}{write:>12,.0f}{reinsert:>11,.0f}"
            f"{orm:>13,.0f}{batch / orm:>9.1f}x{two:>11,.0f}{floor:>10,.0f}"
        )
    print(
        "batch insert: as the crawl pipeline stores (fingerprints in the caller's thread,"
        " transactions in a BatchWriter thread); one thread: both in turn in one thread;"
        " write only: the transactions alone, records fingerprinted before timing;"
        " 2 writers: two processes storing disjoint halves at once (two crawls);"
        " db floor: the insert statements alone, every row built before timing"
    )
    for dialect, figures in results.items():
        deleted = args.items + args.orm_sample
        print(
            f"{dialect:<12}db gc deleting all {deleted:,} items: "
            f"{median(figures.retention):.2f} s (median)"
        )
    print("\nmedian seconds (wall / client CPU / PostgreSQL backend CPU / fingerprints wall)")
    for dialect, figures in results.items():
        for index, label in enumerate(("insert", "re-insert")):
            times = [t[index] for t in figures.timings]
            wall, cpu = median([t.wall for t in times]), median([t.cpu for t in times])
            server = median([t.server for t in times])
            prints = median([t.fingerprints for t in times])
            print(
                f"{dialect:<12}{label:<10} {wall:7.2f} / {cpu:7.2f} / {server:7.2f} / {prints:7.2f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--orm-sample", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    dialects = [args.only] if args.only else ["sqlite", "postgresql"]
    results = {dialect: measure(dialect, args) for dialect in dialects}
    print_table(results, args)


if __name__ == "__main__":
    main()
