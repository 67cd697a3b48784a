"""Crawl benchmark: 20 local sources x 100 articles (50-100 KB each), empty store, then again.

`python -m bench.crawl [PARALLEL_SOURCES]` (default 2).

Reports wall-clock time and CPU seconds: the crawl children's (reaped by the forkserver,
read from its /proc stat), the forkserver's own (its one-off preload imports) and this
process's (the fixture servers and the parent), so a figure on a loaded machine can be judged.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from crawler.config import Config, load_config
from crawler.crawl import RunSummary, run_crawls
from crawler.store.store import Store
from tests.sites import (
    LISTING_PATH,
    FixtureSiteServer,
    Site,
    build_listing_site,
    listing_source,
    write_config,
)

SOURCES = 20
ARTICLES = 100
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Cpu:
    """CPU seconds so far: crawl children, the forkserver itself, this process."""

    children: float
    forkserver: float
    parent: float

    def __sub__(self, other: Cpu) -> Cpu:
        return Cpu(
            self.children - other.children,
            self.forkserver - other.forkserver,
            self.parent - other.parent,
        )


def _forkserver_pid() -> int | None:
    from multiprocessing import forkserver

    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
    return pid if isinstance(pid, int) else None


def cpu_now() -> Cpu:
    """Children CPU from the forkserver's cutime/cstime (it reaps the crawl processes)."""
    parent = time.process_time()
    pid = _forkserver_pid()
    if pid is None or not sys.platform.startswith("linux"):
        return Cpu(0.0, 0.0, parent)
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    own = (int(fields[11]) + int(fields[12])) / TICKS
    children = (int(fields[13]) + int(fields[14])) / TICKS
    return Cpu(children, own, parent)


def cpu_pressure() -> float:
    """Microseconds some runnable task waited for a CPU (Linux PSI), 0 when unavailable."""
    try:
        some = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except (OSError, IndexError):
        return 0.0
    return float(some.rsplit("total=", 1)[1]) if "total=" in some else 0.0


def timed(config: Config, ids: list[str]) -> tuple[list[RunSummary], float, Cpu]:
    Store.from_config(config).close()  # migrate first: crawl runs never do
    before, started, stalled = cpu_now(), time.perf_counter(), cpu_pressure()
    runs = run_crawls(config, ids)
    elapsed = time.perf_counter() - started
    waited = (cpu_pressure() - stalled) / 1e6
    print(f"  (runnable tasks waited for a CPU {100 * waited / elapsed:.0f}% of the time)")
    return runs, elapsed, cpu_now() - before


def describe(cpu: Cpu) -> str:
    return (
        f"CPU: crawl children {cpu.children:.1f}s, forkserver {cpu.forkserver:.1f}s, "
        f"servers+parent {cpu.parent:.1f}s"
    )


def main() -> None:
    parallel = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    servers = [
        FixtureSiteServer(build_listing_site(Site(seed=n), articles=ARTICLES, per_page=ARTICLES))
        for n in range(SOURCES)
    ]
    for server in servers:
        server.start()
    print(f"load {os.getloadavg()[0]:.1f}, {os.cpu_count()} CPUs, {parallel} sources at a time")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            sources = [
                listing_source(s, f"bench-{n:02d}", backfill=ARTICLES * 2)
                for n, s in enumerate(servers)
            ]
            config = load_config(
                write_config(Path(tmp), sources, settings={"crawl": {"parallel_sources": parallel}})
            )
            ids = [s.id for s in config.sources]
            first, elapsed, cpu = timed(config, ids)
            new = sum(r.items_new for r in first)
            print(f"first crawl: {new} articles in {elapsed:.1f}s = {new / elapsed:.1f} articles/s")
            print(
                f"  {describe(cpu)}; {new / max(cpu.children, 0.01):.1f} articles per child CPU-s"
            )
            for server in servers:
                server.reset_counts()
            second, elapsed, cpu = timed(config, ids)
            pages = sum(n for s in servers for (m, p), n in s.counts.items() if p != "/robots.txt")
            listing = sum(s.count(LISTING_PATH) for s in servers)
            print(
                f"second crawl: {pages} page requests ({listing} listing requests for "
                f"{SOURCES} listing URLs), {sum(r.items_new for r in second)} new, {elapsed:.1f}s"
            )
            print(f"  {describe(cpu)}; {cpu.children / SOURCES:.2f} CPU-s per child")
    finally:
        for server in servers:
            server.stop()


if __name__ == "__main__":
    main()
