"""One source's crawl in this process: `python -m crawler.crawl.child SOURCE_ID --config DIR`.

Twisted's reactor cannot restart, so every crawl gets a fresh process.  The run's
summary (JSON) is written to `--summary FILE`; with `--dry-run FILE` nothing touches the
store and the items are written to FILE as JSON lines (`presswatch sources test`).
`--log-level DEBUG` shows Scrapy's own log on stderr (default WARNING), to debug a source
by running its crawl by hand.  `--now ISO-TIME` shifts the clock the recheck round of sent
items plans and observes by (tests, and replaying a schedule by hand); the crawl itself,
its runs and items keep the real time.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from crawler.config import Config
from crawler.config.models import SourceConfig
from crawler.crawl.records import is_first_run, record_run
from crawler.crawl.runtime import Runtime
from crawler.crawl.summary import RunSummary
from crawler.errors import PresswatchError
from crawler.scrapy_settings import build_settings
from crawler.store.store import Store
from crawler.store.types import utcnow
from spiders.catalog import load_config


def crawl_source(
    config: Config,
    source: SourceConfig,
    *,
    dry_run_output: Path | None = None,
    limit: int | None = None,
    log_level: str = "WARNING",
    now: datetime | None = None,
) -> RunSummary:
    """Crawl one source in this process (once per process) and record the run."""
    from scrapy.crawler import CrawlerProcess

    from spiders.registry import spider_class

    spider = spider_class(source)
    store = None if dry_run_output else Store.from_config(config, migrate_schema=False)
    started = utcnow()
    first = True if store is None else is_first_run(store, source.id)
    runtime = Runtime(config, source, store, first, limit, dry_run_output, started)
    if now is not None:
        runtime.clock = shifted_clock(now)
    settings = build_settings(config, source, dry_run=store is None, log_level=log_level)
    settings["CLOSESPIDER_TIMEOUT"] = max(
        5.0, config.settings.crawl.source_timeout.total_seconds() - 5
    )
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider)
    process.crawl(crawler, runtime=runtime)
    process.start()
    stats: dict[str, Any] = crawler.stats.get_stats() if crawler.stats else {}
    run = RunSummary.from_stats(source.id, started, stats, str(stats.get("finish_reason", "")))
    run.messages = list(runtime.notes.get("messages", []))
    run.index_failures = list(runtime.notes.get("index_failures", []))
    if store is None:
        return run
    try:
        return record_run(store, config, source, run)
    finally:
        store.close()


def shifted_clock(now: datetime) -> Callable[[], datetime]:
    """A clock that reads `now` at this instant and runs on from there."""
    offset = now - utcnow()
    return lambda: utcnow() + offset


def _instant(value: str) -> datetime:
    stamp = datetime.fromisoformat(value)
    if stamp.tzinfo is None:
        raise argparse.ArgumentTypeError(f"--now {value}: give a timezone (e.g. +00:00)")
    return stamp


def main(argv: list[str] | None = None, *, config: Config | None = None) -> int:
    """The child's entry; `config` (handed over by the runner) spares loading `--config`."""
    parser = argparse.ArgumentParser(prog="python -m crawler.crawl.child")
    parser.add_argument("source_id")
    parser.add_argument("--config", required=True, type=Path)
    parser.add_argument("--summary", type=Path)
    parser.add_argument("--dry-run", type=Path, dest="dry_run")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--now", type=_instant, help="the recheck round's time (ISO 8601)")
    parser.add_argument(
        "--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"]
    )
    args = parser.parse_args(argv)
    try:
        config = config if config is not None else load_config(args.config)
        source = config.source(args.source_id)
        run = crawl_source(
            config,
            source,
            dry_run_output=args.dry_run,
            limit=args.limit,
            log_level=args.log_level,
            now=args.now,
        )
    except (PresswatchError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.summary:
        args.summary.write_text(json.dumps(run.to_json()), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
