"""Cluster benchmark (issue 20): sources crawled per minute with the local executor and with
1, 2 and 4 `presswatch worker` processes (Celery on the local Redis, the local PostgreSQL),
and the standby's takeover time after a kill -9 of the active scheduler.

`python -m bench.cluster [SOURCES] [--no-takeover]` (default 40 sources).

Each source is a feed of 5 articles on a loopback site that answers each article after
ARTICLE_DELAY s (a remote ministry is slower than loopback); each worker runs 2 crawls at a
time, as the local executor does (crawl.parallel_sources: 2). A fresh PostgreSQL schema and
Redis database per run. On a 2-core machine more workers mostly add processes, not cores:
read the ratios with the machine's size in mind.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from crawler.cluster.runner import CeleryCrawls
from crawler.config import load_config
from crawler.crawl import run_crawls
from crawler.store.store import Store
from tests.cluster.world import (
    FeedsSite,
    Proc,
    cluster_config,
    drop_schema,
    free_redis_db,
    make_schema,
    query,
    release_redis_db,
    wait_until,
)

ARTICLE_DELAY = 0.3
PER_WORKER = 2
OTHER_HOST = ["unshare", "--uts", "sh", "-c", 'hostname active-host && exec "$@"', "sh"]


def _runs(schema: str) -> int:
    return int(query(schema, "SELECT count(*) FROM crawl_runs")[0][0])


def local(site: FeedsSite, sources: int, work: Path) -> float:
    """Sources per minute crawled by run_crawls in this process (the local executor)."""
    schema, url = make_schema()
    redis_db = free_redis_db()
    try:
        directory = cluster_config(work / "local", site, sources, url, redis_db, follow=True)
        config = load_config(directory)
        Store.from_config(config).close()
        started = time.monotonic()
        run_crawls(config, [s.id for s in config.enabled_sources])
        return sources * 60 / (time.monotonic() - started)
    finally:
        drop_schema(schema)
        release_redis_db(redis_db)


def celery(site: FeedsSite, sources: int, workers: int, work: Path) -> float:
    """Sources per minute with `workers` worker processes, timed from the first enqueue."""
    schema, url = make_schema()
    redis_db = free_redis_db()
    directory = cluster_config(work / f"celery{workers}", site, sources, url, redis_db, follow=True)
    config = load_config(directory)
    Store.from_config(config).close()
    procs = [
        Proc(["worker", "--concurrency", str(PER_WORKER)], directory, work / f"w{workers}-{n}.log")
        for n in range(workers)
    ]
    try:
        for proc in procs:
            proc.start()
        for proc in procs:
            wait_until(lambda p=proc: " ready." in p.log(), 120, "worker ready", proc)
        started = time.monotonic()
        CeleryCrawls.from_config(config)(config, [s.id for s in config.enabled_sources])
        wait_until(lambda: _runs(schema) >= sources, 900, "every run", *procs)
        return sources * 60 / (time.monotonic() - started)
    finally:
        for proc in procs:
            proc.stop()
        drop_schema(schema)
        release_redis_db(redis_db)


def takeover(site: FeedsSite, work: Path, prefix: list[str], name: str) -> float:
    """Seconds from kill -9 of the active scheduler to the standby holding the lease."""
    schema, url = make_schema()
    redis_db = free_redis_db()
    directory = cluster_config(work / f"takeover-{name}", site, 2, url, redis_db)
    Store.from_config(load_config(directory)).close()
    active = Proc(["run"], directory, work / f"active-{name}.log", prefix=prefix)
    standby = Proc(["run", "--standby"], directory, work / f"standby-{name}.log")
    try:
        active.start()
        wait_until(lambda: "daemon started" in active.log(), 60, "active", active)
        standby.start()
        wait_until(lambda: "standby: waiting" in standby.log(), 60, "standby", standby)
        time.sleep(2)  # a heartbeat or so: a lease as fresh as it gets mid-life
        active.kill9()
        killed = time.monotonic()
        wait_until(lambda: "took over the lease" in standby.log(), 120, "takeover", standby)
        return time.monotonic() - killed
    finally:
        active.stop()
        standby.stop()
        drop_schema(schema)
        release_redis_db(redis_db)


def main(argv: list[str]) -> int:
    sources = int(next((a for a in argv if a.isdigit()), "40"))
    site = FeedsSite(5, article_delay=ARTICLE_DELAY)
    try:
        with tempfile.TemporaryDirectory(prefix="presswatch-bench-cluster-") as tmp:
            work = Path(tmp)
            base = local(site, sources, work)
            print(f"local executor (parallel_sources 2): {base:6.1f} sources/min", flush=True)
            for workers in (1, 2, 4):
                rate = celery(site, sources, workers, work)
                print(
                    f"celery, {workers} worker process(es) x {PER_WORKER}: {rate:6.1f} "
                    f"sources/min  ratio to local {rate / base:4.2f}",
                    flush=True,
                )
            if "--no-takeover" not in argv:
                same = takeover(site, work, [], "same-host")
                print(f"standby takeover, same host (dead pid seen): {same:5.1f} s", flush=True)
                other = takeover(site, work, OTHER_HOST, "other-host")
                print(f"standby takeover, another host (lease expiry): {other:5.1f} s")
    finally:
        site.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
