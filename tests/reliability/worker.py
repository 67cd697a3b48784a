"""A killable unit of work: one `run --once --digest` cycle, with an optional kill -9 point.

`python -m tests.reliability.worker CONFIG_DIR` reads PRESSWATCH_FAULT_POINT=NAME[:N]
(test-only: nothing in presswatch reads it) and SIGKILLs itself at the N-th (default 1st)
time the process reaches NAME; see FAULT_POINTS.  Crawl-side points need the crawl in this
process, so the cycle runs with the crawl runner `inprocess_crawls`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.config import Config
    from crawler.crawl import RunSummary

FAULT_ENV = "PRESSWATCH_FAULT_POINT"
CRAWL_POINTS = ("in_store_txn", "after_store_commit", "before_record_run")
DELIVERY_POINTS = ("before_deliver", "in_enqueue_txn", "mid_send", "after_accept", "after_mark")
FAULT_POINTS = CRAWL_POINTS + DELIVERY_POINTS
_hits: dict[str, int] = {}


def die() -> None:
    """kill -9 this process, as an OOM killer or an impatient operator would."""
    sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def reached(name: str) -> None:
    """Count a pass through `name`; die on the configured pass."""
    wanted, _, nth = os.environ.get(FAULT_ENV, "").partition(":")
    if wanted != name:
        return
    _hits[name] = _hits.get(name, 0) + 1
    if _hits[name] == int(nth or "1"):
        die()


def before(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        reached(name)
        return func(*args, **kwargs)

    return wrapper


def after(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = func(*args, **kwargs)
        reached(name)
        return result

    return wrapper


def install() -> None:
    """Wrap the functions at each fault point (harmless when no point is set)."""
    import smtplib

    import alerts.dispatch
    import alerts.ledger
    import crawler.crawl.child
    import crawler.daemon.once
    import crawler.pipelines.store
    import crawler.store.writer

    wrap(crawler.store.writer, "insert_items", after, "in_store_txn")
    wrap(crawler.pipelines.store.StorePipeline, "flush", after, "after_store_commit")
    wrap(crawler.crawl.child, "record_run", before, "before_record_run")
    wrap(crawler.daemon.once, "deliver_immediate", before, "before_deliver")
    wrap(alerts.ledger, "enqueue", after, "in_enqueue_txn")
    wrap(smtplib.SMTP, "data", before, "mid_send")
    wrap(alerts.ledger, "mark_sent", before, "after_accept")
    alerts.dispatch._report = after_sent(alerts.dispatch._report)


def crawl_source_at(argv: Sequence[str], install: Callable[[], None]) -> int:
    """The body of a killable crawl worker: CONFIG_DIR SOURCE_ID NOW (ISO 8601) -> one
    crawl of the source in this process, with `install`'s fault points in place."""
    from crawler.crawl.child import crawl_source
    from spiders.catalog import load_config

    install()
    config = load_config(Path(argv[0]))
    crawl_source(config, config.source(argv[1]), now=datetime.fromisoformat(argv[2]))
    return 0


def run_crawl_worker(module: str, directory: Path, now: str, fault: str | None) -> int:
    """Run `python -m MODULE DIRECTORY fixture-listing NOW` with the fault point set (or
    none); its exit code (-SIGKILL when it killed itself there)."""
    env = {k: v for k, v in os.environ.items() if k != FAULT_ENV}
    if fault:
        env[FAULT_ENV] = fault
    command = [sys.executable, "-m", module, str(directory), "fixture-listing", now]
    done = subprocess.run(command, env=env, capture_output=True, timeout=120, check=False)
    return done.returncode


def wrap(owner: Any, attribute: str, how: Callable[..., Any], point: str) -> None:
    """Replace `owner.attribute` by its `before`/`after` wrapper at `point`."""
    setattr(owner, attribute, how(point, getattr(owner, attribute)))


def after_sent(func: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = func(*args, **kwargs)
        if result.status == "sent":
            reached("after_mark")
        return result

    return wrapper


def inprocess_crawls(config: Config, source_ids: Sequence[str]) -> list[RunSummary]:
    """Crawl in this process (one source: Twisted's reactor runs once per process)."""
    from crawler.crawl.child import crawl_source

    return [crawl_source(config, config.source(source_id)) for source_id in source_ids]


def no_crawls(config: Config, source_ids: Sequence[str]) -> list[RunSummary]:
    """Skip crawling: delivery-only trials start from an already crawled database."""
    return []


def main(argv: list[str]) -> int:
    """`worker CONFIG_DIR [deliver]`: a whole cycle, or delivery only."""
    from crawler.config import load_config
    from crawler.crawl import run_crawls
    from crawler.daemon.state import CrawlRunner
    from crawler.logs import configure_logging
    from scheduler import run_once

    configure_logging("WARNING", "text")
    install()
    point = os.environ.get(FAULT_ENV, "").partition(":")[0]
    crawls: CrawlRunner = run_crawls
    if argv[1:] == ["deliver"]:
        crawls = no_crawls
    elif point in CRAWL_POINTS:
        crawls = inprocess_crawls
    return run_once(load_config(Path(argv[0])), digest=True, crawls=crawls)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
