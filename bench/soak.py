"""Soak the daemon: 50 fixture sources every 5 s; print RSS over time, crawls and orphans.

    .venv/bin/python -m bench.soak --minutes 10

The config validator requires `every >= 1m`, so the sources say `every: 1m` and the run
sets PRESSWATCH_INTERVAL_OVERRIDE=5s, which only the daemon's scheduler construction reads.
Target: parent RSS flat within +-15 % after warm-up and under 200 MB; zero orphans.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from tests.daemon.fixtures import Daemon, FeedSite, leftovers, tree
from tests.daemon.helpers import feed_source, write_config


def rss_kb(pid: int) -> int:
    """VmRSS of one process in KiB (0 if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--sources", type=int, default=50)
    parser.add_argument("--every", default="5s")
    parser.add_argument("--parallel", type=int, default=4, help="max_concurrent_crawls")
    parser.add_argument("--sample", type=float, default=10.0, help="seconds between samples")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="presswatch-soak-") as tmp,
        FeedSite([f"Statement number {i} on regional security" for i in range(5)]) as site,
    ):
        config = write_config(
            Path(tmp) / "config",
            sources=[
                feed_source(f"s{i:02d}", f"{site.base}/feed{i}.xml") for i in range(args.sources)
            ],
            scheduler={
                "jitter": "0s",
                "max_concurrent_crawls": args.parallel,
                "shutdown_grace": "5s",
            },
            logging={"level": "INFO"},
        )
        env = {"PRESSWATCH_INTERVAL_OVERRIDE": args.every}
        daemon = Daemon(config, Path(tmp) / "daemon.log", env)
        return _observe(daemon, site, args.minutes * 60, args.sample)


def _observe(daemon: Daemon, site: FeedSite, duration: float, sample: float) -> int:
    start = time.monotonic()
    parents: list[int] = []
    print(f"{'t (s)':>6} {'parent MB':>10} {'children MB':>12} {'children':>9} {'crawls':>7}")
    while time.monotonic() - start < duration and daemon.process.poll() is None:
        time.sleep(sample)
        kids = tree(daemon.pid)
        parent = rss_kb(daemon.pid)
        parents.append(parent)
        crawls = daemon.log().count(" finished: ")
        print(
            f"{time.monotonic() - start:6.0f} {parent / 1024:10.1f} "
            f"{sum(rss_kb(k) for k in kids) / 1024:12.1f} {len(kids):9d} {crawls:7d}",
            flush=True,
        )
    kids = tree(daemon.pid)
    code = daemon.stop(timeout=30)
    orphans = leftovers(kids, daemon.pid)
    _report(parents, daemon.log().count(" finished: "), site.hits, code, orphans)
    return 0 if code == 0 and not orphans else 1


def _report(parents: list[int], crawls: int, hits: int, code: int, orphans: list[int]) -> None:
    warm = parents[len(parents) // 3 :] or parents
    low, high, peak = min(warm), max(warm), max(parents or [0])
    spread = (high - low) / low * 100 if low else 0.0
    print(f"crawls completed: {crawls}  feed requests: {hits}  exit code: {code}")
    print(
        f"parent RSS after warm-up: {low / 1024:.1f}-{high / 1024:.1f} MB (spread {spread:.1f} %)"
    )
    print(f"parent RSS peak: {peak / 1024:.1f} MB  orphans left: {len(orphans)} {orphans}")


if __name__ == "__main__":
    sys.exit(main())
