"""Daemon cadence: N sources `every: 1m` with zero jitter; is every source crawled every cycle?

Serves the demo site in this process, writes the demo config with every source on
`schedule: {every: 1m}` and `scheduler.jitter: 0s`, runs `presswatch run` for the given
minutes, stops it with SIGTERM and prints, from the store's `crawl_runs`, the number of
runs per source per minute, the minutes in which a source was not crawled, and the jobs
the daemon logged as failed.

    python -m bench.cadence --minutes 10 [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

from ruamel.yaml import YAML
from sqlalchemy import select

from crawler.config import load_config
from crawler.demo.config import write_demo_config
from crawler.demo.server import DemoServer
from crawler.store.schema import crawl_runs
from crawler.store.store import Store

REPO = Path(__file__).resolve().parents[1]
PRESSWATCH = str(Path(sys.executable).with_name("presswatch"))


def every_minute(config_dir: Path) -> list[str]:
    """Put every source on a 1-minute schedule and the scheduler on zero jitter."""
    settings_path = config_dir / "presswatch.yaml"
    settings = YAML(typ="safe").load(settings_path.read_text())
    settings["scheduler"] = {"jitter": "0s", "shutdown_grace": "20s"}
    settings_path.write_text(json.dumps(settings, ensure_ascii=False))  # JSON is YAML
    ids: list[str] = []
    for path in sorted((config_dir / "sources").glob("*.yaml")):
        body = YAML(typ="safe").load(path.read_text())
        for source in body["sources"]:
            source["schedule"] = {"every": "1m"}
            ids.append(source["id"])
        path.write_text(json.dumps(body, ensure_ascii=False))
    return ids


def run_daemon(config_dir: Path, minutes: float, log_path: Path) -> float:
    """Run the daemon for `minutes`; the seconds SIGTERM took to stop it."""
    environ = {**os.environ, "PYTHONPATH": str(REPO)}
    with log_path.open("wb") as log:
        daemon = subprocess.Popen(
            [PRESSWATCH, "--config", str(config_dir), "run"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=environ,
        )
        try:
            time.sleep(minutes * 60)
        finally:
            asked = time.monotonic()
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(120)
    return time.monotonic() - asked


def runs_by_minute(config_dir: Path) -> list[tuple[str, datetime]]:
    """(source id, start minute) of every recorded run."""
    store = Store.from_config(load_config(config_dir), migrate_schema=False)
    try:
        with store.connect() as connection:
            rows = connection.execute(select(crawl_runs.c.source_id, crawl_runs.c.started_at))
            return [(r.source_id, r.started_at.replace(second=0, microsecond=0)) for r in rows]
    finally:
        store.close()


def report(ids: list[str], runs: list[tuple[str, datetime]], log_text: str) -> bool:
    """Print the table; True when every source ran in every complete minute."""
    counts = Counter(runs)
    minutes = sorted({minute for _source, minute in runs})
    complete = minutes[1:-1]  # the first and last minutes are cut by start and stop
    print("minute (UTC)  " + "  ".join(f"{s[:14]:>14}" for s in ids))
    for minute in minutes:
        row = "  ".join(f"{counts[(s, minute)]:>14}" for s in ids)
        print(f"{minute:%H:%M}         {row}")
    missed = [(s, m) for m in complete for s in ids if counts[(s, m)] == 0]
    failed_jobs = [line for line in log_text.splitlines() if " failed" in line and "job" in line]
    total = Counter(source for source, _minute in runs)
    print(f"runs per source: {dict(total)}")
    print(f"complete minutes: {len(complete)}; source-minutes without a run: {len(missed)}")
    for source, minute in missed:
        print(f"  missed: {source} at {minute:%H:%M}")
    print(f"failed jobs in the daemon log: {len(failed_jobs)}")
    for line in failed_jobs[:10]:
        print(f"  {line}")
    return not missed and not failed_jobs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--workdir", type=Path, help="keep config, store and log here")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="presswatch-cadence-"))
    with DemoServer(0) as server:
        config_dir = write_demo_config(workdir / "config", server.base_url)
        ids = every_minute(config_dir)
        print(f"{len(ids)} sources every 1m, jitter 0s, {args.minutes:g} min; in {workdir}")
        log_path = workdir / "daemon.log"
        stop_seconds = run_daemon(config_dir, args.minutes, log_path)
    print(f"SIGTERM to exit: {stop_seconds:.2f} s")
    ok = report(ids, runs_by_minute(config_dir), log_path.read_text(errors="replace"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
