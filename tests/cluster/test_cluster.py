"""The cluster on loopback with the real Redis and PostgreSQL: `presswatch run` enqueues,
two `presswatch worker` processes crawl; a worker killed with kill -9 costs no item; a
standby on another host takes over (test_takeover: digests and alerts across a takeover)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.config import load_config
from crawler.store.store import Store
from tests.cluster.world import FeedsSite, Proc, cluster_config, query, wait_until
from tests.daemon.fixtures import PRESSWATCH, REPO

# The 200 sources (about a minute on a loaded 2-core machine: the crawl children
# are handed their config and fork without re-running the CLI); PRESSWATCH_CLUSTER_SOURCES
# sets another number.
SOURCES = int(os.environ.get("PRESSWATCH_CLUSTER_SOURCES", "200"))
PER_FEED = 5


@pytest.fixture
def procs() -> Iterator[list[Proc]]:
    started: list[Proc] = []
    try:
        yield started
    finally:
        for proc in started:
            proc.stop()


def _counts(schema: str) -> tuple[int, int]:
    """(items stored, distinct URLs among them)."""
    row = query(schema, "SELECT count(*), count(DISTINCT url) FROM items")[0]
    return int(row[0]), int(row[1])


def _migrate(config_dir: Path) -> None:
    Store.from_config(load_config(config_dir)).close()


@pytest.mark.timeout(480)  # 65-100 s on the loaded 2-core machine; CI may be slower still
def test_two_workers_and_a_scheduler_store_every_item_once(
    tmp_path: Path, redis_db: int, pg_schema: tuple[str, str], procs: list[Proc]
) -> None:
    schema, url = pg_schema
    site = FeedsSite(PER_FEED)
    try:
        config = cluster_config(tmp_path / "config", site, SOURCES, url, redis_db)
        _migrate(config)
        for n in range(2):
            procs.append(Proc(["worker", "--concurrency", "2"], config, tmp_path / f"w{n}.log"))
        procs.append(Proc(["run"], config, tmp_path / "scheduler.log"))
        for proc in procs:
            proc.start()
        expected = SOURCES * PER_FEED
        wait_until(lambda: _counts(schema)[0] >= expected, 400, "every item", *procs)
        wait_until(
            lambda: query(schema, "SELECT count(*) FROM crawl_runs")[0][0] >= SOURCES,
            60,
            "every run recorded",
            *procs,
        )
        assert _counts(schema) == (expected, expected)  # each item once
        runs = query(schema, "SELECT source_id, count(*) FROM crawl_runs GROUP BY source_id")
        assert len(runs) == SOURCES and all(count == 1 for _, count in runs)
        crawled = [len(re.findall(r"crawl m\d+ finished", p.log())) for p in procs[:2]]
        assert sum(crawled) == SOURCES and all(crawled), crawled  # spread over both workers
        assert "enqueued on crawl" in procs[2].log()

        status = subprocess.run(
            [*PRESSWATCH, "--config", str(config), "status", "--json"],
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=60,
            check=False,
        )
        assert status.returncode == 0, status.stderr
        cluster = json.loads(status.stdout)["cluster"]
        assert cluster["executor"] == "celery" and cluster["error"] is None
        names = {w["name"] for w in cluster["workers"]}
        assert {f"presswatch-{p.pid}@" in " ".join(names) for p in procs[:2]} == {True}
        assert cluster["queues"] == {f"crawl{redis_db}": 0}
    finally:
        site.close()


def test_a_worker_killed_mid_crawl_loses_nothing(
    tmp_path: Path, redis_db: int, pg_schema: tuple[str, str], procs: list[Proc]
) -> None:
    """kill -9 of the worker and its crawl processes: the unacked task comes back after the
    broker's visibility timeout (10 s here), another worker crawls it, items stored once."""
    schema, url = pg_schema
    site = FeedsSite(PER_FEED, article_delay=1.0)
    sources = 3
    try:
        config = cluster_config(tmp_path / "config", site, sources, url, redis_db, follow=True)
        _migrate(config)
        first = Proc(["worker", "--concurrency", "3"], config, tmp_path / "w0.log").start()
        procs.append(first)
        procs.append(Proc(["run"], config, tmp_path / "scheduler.log").start())
        wait_until(lambda: site.article_hits >= 2, 120, "crawls under way", *procs)
        first.kill9()
        assert _counts(schema)[0] < sources * PER_FEED  # killed mid-crawl
        done = int(query(schema, "SELECT count(*) FROM crawl_runs")[0][0])  # finished before
        second = Proc(["worker", "--concurrency", "3"], config, tmp_path / "w1.log").start()
        procs.append(second)
        expected = sources * PER_FEED
        wait_until(lambda: _counts(schema)[0] >= expected, 180, "every item", *procs)
        assert _counts(schema) == (expected, expected)
        assert done < sources

        def finished() -> int:
            return len(re.findall(r"crawl m\d+ finished", second.log()))

        # A crawl's items are stored before it logs "finished": wait for the line, then
        # check that every interrupted crawl was redelivered and run once.
        wait_until(lambda: finished() >= sources - done, 120, "redelivered crawls", *procs)
        assert finished() == sources - done
    finally:
        site.close()


def _other_host() -> list[str]:
    """A command prefix running the process under another host name (a UTS namespace)."""
    prefix = ["unshare", "--uts", "sh", "-c", 'hostname active-host && exec "$@"', "sh"]
    probe = subprocess.run([*prefix, "hostname"], capture_output=True, text=True, check=False)
    if probe.returncode != 0 or probe.stdout.strip() != "active-host":
        pytest.skip("cannot run a process under another host name (unshare --uts)")
    return prefix


def test_a_standby_takes_over_from_another_host_within_60_s(
    tmp_path: Path, redis_db: int, pg_schema: tuple[str, str], procs: list[Proc]
) -> None:
    """The dead daemon's pid cannot be checked from another host: its lease must expire."""
    schema, url = pg_schema
    site = FeedsSite(PER_FEED)
    try:
        config = cluster_config(tmp_path / "config", site, 2, url, redis_db)
        _migrate(config)
        active = Proc(["run"], config, tmp_path / "active.log", prefix=_other_host()).start()
        procs.append(active)
        wait_until(lambda: "daemon started" in active.log(), 60, "the active daemon", *procs)
        standby = Proc(["run", "--standby"], config, tmp_path / "standby.log").start()
        procs.append(standby)
        wait_until(lambda: "standby: waiting" in standby.log(), 60, "the standby", *procs)
        assert "host active-host" in standby.log()
        active.kill9()
        took = wait_until(
            lambda: "took over the lease" in standby.log(), 90, "the takeover", *procs
        )
        print(f"standby on another host took over {took:.1f} s after kill -9")
        assert took < 60
        lease = query(schema, "SELECT holder FROM daemon_lock WHERE name = 'daemon'")
        assert lease[0][0].startswith(f"{standby.pid}@")
    finally:
        site.close()
